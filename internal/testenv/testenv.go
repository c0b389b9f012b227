// Package testenv gives tests real, isolated backing services: a fresh
// PostgreSQL database, a Redis key namespace and a temporary directory for
// DuckDB files, each removed when the test ends.
//
// Services come from TEST_DATABASE_URL and TEST_REDIS_URL, defaulting to the
// local PostgreSQL and Redis. A service that does not answer fails the test
// with a message saying how to start it; nothing is ever skipped.
package testenv

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
)

// DefaultDatabaseURL is used when TEST_DATABASE_URL is unset.
const DefaultDatabaseURL = "postgres://root@127.0.0.1:5432/postgres?sslmode=disable"

// DefaultRedisURL is used when TEST_REDIS_URL is unset.
const DefaultRedisURL = "redis://127.0.0.1:6379/0"

const startHint = "start the test services with `make services` (or scripts/services.sh), " +
	"or point TEST_DATABASE_URL / TEST_REDIS_URL at running servers"

// AdminDatabaseURL returns the URL of the administrative PostgreSQL database
// tests create their databases from.
func AdminDatabaseURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultDatabaseURL
}

// RedisURL returns the Redis URL tests use.
func RedisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return DefaultRedisURL
}

// Context returns a context cancelled when the test ends.
func Context(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx
}

// Name returns a short random lower-case identifier with the given prefix,
// safe to use as a database, schema or key-prefix name.
func Name(prefix string) string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + "_" + hex.EncodeToString(b[:])
}

// PostgresURL creates a fresh, empty database for this test and returns its
// URL (as the administrative superuser). The database is dropped, with any
// remaining connections terminated, when the test ends.
func PostgresURL(t testing.TB) string {
	t.Helper()
	return createDatabase(t, AdminDatabaseURL(), startHint)
}

// DefaultCDCDatabaseURL is used when TEST_CDC_DATABASE_URL is unset: the
// dedicated wal_level=logical cluster scripts/services.sh starts.
const DefaultCDCDatabaseURL = "postgres://root@127.0.0.1:5433/postgres?sslmode=disable"

const cdcStartHint = "the change-data-capture tests need a PostgreSQL server with wal_level=logical: " +
	"run scripts/services.sh (it starts a dedicated cluster on port 5433), " +
	"or point TEST_CDC_DATABASE_URL at a superuser connection to such a server"

// CDCAdminDatabaseURL returns the URL of the administrative database on the
// PostgreSQL server with wal_level=logical that change-data-capture tests
// use (TEST_CDC_DATABASE_URL, default DefaultCDCDatabaseURL).
func CDCAdminDatabaseURL() string {
	if u := os.Getenv("TEST_CDC_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultCDCDatabaseURL
}

// CDCPostgresURL is PostgresURL on the wal_level=logical server of
// CDCAdminDatabaseURL. It fails the test, saying how to start that server,
// when it does not answer or does not run with wal_level=logical. Tests
// must drop the replication slots they create before the test ends (a
// database with an active slot cannot be dropped).
func CDCPostgresURL(t testing.TB) string {
	t.Helper()
	admin := CDCAdminDatabaseURL()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("testenv: PostgreSQL at %s is not reachable: %v\n%s", redactURL(admin), err, cdcStartHint)
	}
	var level string
	err = conn.QueryRow(ctx, "SHOW wal_level").Scan(&level)
	conn.Close(context.Background())
	if err != nil || level != "logical" {
		t.Fatalf("testenv: PostgreSQL at %s has wal_level %q (err %v), not logical\n%s", redactURL(admin), level, err, cdcStartHint)
	}
	return createDatabase(t, admin, cdcStartHint)
}

// createDatabase creates a fresh database on the server of admin, dropped
// when the test ends, and returns its URL.
func createDatabase(t testing.TB, admin, hint string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("testenv: PostgreSQL at %s is not reachable: %v\n%s", redactURL(admin), err, hint)
	}
	defer conn.Close(context.Background())
	name := Name("aostest")
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		t.Fatalf("testenv: create database %q: %v", name, err)
	}
	t.Cleanup(func() { dropDatabase(t, admin, name) })
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatalf("testenv: parse %s: %v", redactURL(admin), err)
	}
	u.Path = "/" + name
	return u.String()
}

func dropDatabase(t testing.TB, admin, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Errorf("testenv: drop database %q: %v", name, err)
		return
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		t.Errorf("testenv: drop database %q: %v", name, err)
	}
}

// Postgres returns a pool (as the administrative superuser) on a fresh
// database created for this test; see PostgresURL. The pool is closed before
// the database is dropped.
func Postgres(t testing.TB) *pgxpool.Pool {
	t.Helper()
	dsn := PostgresURL(t)
	pool, err := pgxpool.New(context.Background(), dsn)
	if err != nil {
		t.Fatalf("testenv: open pool: %v", err)
	}
	t.Cleanup(pool.Close)
	return pool
}

// Redis is an isolated Redis namespace for one test.
type Redis struct {
	// Client is connected to TEST_REDIS_URL; closed when the test ends.
	Client *redis.Client
	// Prefix is a unique key prefix (ending in ":"); every key under it is
	// deleted when the test ends. Adapters under test must put all their keys
	// under it.
	Prefix string
}

// NewRedis connects to Redis, checks that it answers, and returns a client and
// a unique key prefix whose keys are deleted when the test ends.
func NewRedis(t testing.TB) *Redis {
	t.Helper()
	opt, err := redis.ParseURL(RedisURL())
	if err != nil {
		t.Fatalf("testenv: parse TEST_REDIS_URL: %v", err)
	}
	client := redis.NewClient(opt)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := client.Ping(ctx).Err(); err != nil {
		_ = client.Close()
		t.Fatalf("testenv: Redis at %s is not reachable: %v\n%s", redactURL(RedisURL()), err, startHint)
	}
	r := &Redis{Client: client, Prefix: Name("aostest") + ":"}
	t.Cleanup(func() {
		defer client.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := DeletePrefix(ctx, client, r.Prefix); err != nil {
			t.Errorf("testenv: clean Redis prefix %q: %v", r.Prefix, err)
		}
	})
	return r
}

// DeletePrefix deletes every key that starts with prefix.
func DeletePrefix(ctx context.Context, client *redis.Client, prefix string) error {
	iter := client.Scan(ctx, 0, escapeGlob(prefix)+"*", 500).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 500 {
			if err := client.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return client.Unlink(ctx, batch...).Err()
	}
	return nil
}

func escapeGlob(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `*`, `\*`, `?`, `\?`, `[`, `\[`, `]`, `\]`)
	return r.Replace(s)
}

// DataDir returns a temporary directory for DuckDB files and other local
// state, removed when the test ends.
func DataDir(t testing.TB) string {
	t.Helper()
	return t.TempDir()
}

func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// Must fails the test if err is not nil; for set-up steps in helpers.
func Must(t testing.TB, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("testenv: %s: %v", what, fmt.Sprint(err))
	}
}
