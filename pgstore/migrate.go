package pgstore

import (
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5/pgxpool"
)

//go:embed migrations/*.sql
var embedded embed.FS

// migrationLockKey is the pg_advisory_lock key serializing Migrate calls.
// Advisory locks are scoped to one database, so migrations of different
// databases of a cluster do not wait for each other.
const migrationLockKey int64 = 0x616f735f6d696772 // "aos_migr"

var migrationFileRE = regexp.MustCompile(`^([0-9]{4,})_([a-z0-9_]+)\.sql$`)

// Migration is one embedded schema migration, from the file
// migrations/NNNN_name.sql.
type Migration struct {
	// Version is NNNN, unique and positive; migrations apply in ascending
	// version order.
	Version int
	// Name is the file name's part after the version, without ".sql".
	Name string
	// Checksum is the hex SHA-256 of the file, recorded when applied.
	Checksum string

	sql string
}

// Migrations returns the embedded migrations in the order Migrate applies
// them. It fails (ErrInvalid) on a misnamed file, an empty file or a
// duplicate version, which a test of this package catches before release.
func Migrations() ([]Migration, error) {
	sub, err := fs.Sub(embedded, "migrations")
	if err != nil {
		return nil, fmt.Errorf("pgstore: migrations: %w", err)
	}
	return loadMigrations(sub)
}

func loadMigrations(fsys fs.FS) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("pgstore: migrations: %w", err)
	}
	var out []Migration
	seen := make(map[int]string)
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		m := migrationFileRE.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("pgstore: migration file %q: %w: name must be NNNN_lower_snake.sql", e.Name(), ErrInvalid)
		}
		version, err := strconv.Atoi(m[1])
		if err != nil || version <= 0 {
			return nil, fmt.Errorf("pgstore: migration file %q: %w: version must be a positive number", e.Name(), ErrInvalid)
		}
		if prev, dup := seen[version]; dup {
			return nil, fmt.Errorf("pgstore: migration file %q: %w: version %d already used by %q", e.Name(), ErrInvalid, version, prev)
		}
		seen[version] = e.Name()
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("pgstore: migration file %q: %w", e.Name(), err)
		}
		if len(body) == 0 {
			return nil, fmt.Errorf("pgstore: migration file %q: %w: empty", e.Name(), ErrInvalid)
		}
		sum := sha256.Sum256(body)
		out = append(out, Migration{Version: version, Name: m[2], Checksum: hex.EncodeToString(sum[:]), sql: string(body)})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	return out, nil
}

// Migrate applies the embedded migrations that the database has not
// recorded, in version order, each in its own transaction together with its
// row in schema_migrations (version, name, checksum, applied_at), all in the
// connection's current schema.
//
// Migrate holds a database-wide advisory lock while it works, so processes
// starting at once apply each migration exactly once; the others wait, then
// find nothing to do. It fails with ErrMigrationChanged if an applied
// migration's file changed, and names the failing file if a migration fails
// (that migration is rolled back, the earlier ones stay). Versions recorded
// by a newer release and unknown here are tolerated, so an older process may
// still start during a rolling deploy.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if pool == nil {
		return fmt.Errorf("pgstore: migrate: %w: pool is nil", ErrInvalid)
	}
	migs, err := Migrations()
	if err != nil {
		return err
	}
	return migrate(ctx, pool, migs)
}

func migrate(ctx context.Context, pool *pgxpool.Pool, migs []Migration) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: migrate: acquire connection: %w", interpretError(err))
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return fmt.Errorf("pgstore: migrate: take advisory lock: %w", interpretError(err))
	}
	defer func() {
		if _, uerr := conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", migrationLockKey); uerr != nil {
			// The session still holds the lock: end it so the lock goes
			// with it. Release then discards the closed connection.
			_ = conn.Conn().Close(ctx)
		}
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		checksum   text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return fmt.Errorf("pgstore: migrate: create schema_migrations: %w", interpretError(err))
	}

	applied := make(map[int]string)
	rows, err := conn.Query(ctx, "SELECT version, checksum FROM schema_migrations")
	if err != nil {
		return fmt.Errorf("pgstore: migrate: read schema_migrations: %w", interpretError(err))
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return fmt.Errorf("pgstore: migrate: read schema_migrations: %w", err)
		}
		applied[v] = sum
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("pgstore: migrate: read schema_migrations: %w", interpretError(err))
	}

	for _, m := range migs {
		if sum, ok := applied[m.Version]; ok {
			if sum != m.Checksum {
				return fmt.Errorf("pgstore: migration %q: %w: recorded checksum %s, file has %s",
					m.fileName(), ErrMigrationChanged, sum, m.Checksum)
			}
			continue
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

func applyMigration(ctx context.Context, conn *pgxpool.Conn, m Migration) error {
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: migration %q: begin: %w", m.fileName(), interpretError(err))
	}
	defer func() { _ = tx.Rollback(ctx) }() // no-op after Commit
	// Without arguments pgx uses the simple protocol, which runs a file of
	// several statements in one round trip.
	if _, err := tx.Exec(ctx, m.sql); err != nil {
		return fmt.Errorf("pgstore: migration %q: %w", m.fileName(), err)
	}
	if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)",
		m.Version, m.Name, m.Checksum); err != nil {
		return fmt.Errorf("pgstore: migration %q: record: %w", m.fileName(), interpretError(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgstore: migration %q: commit: %w", m.fileName(), interpretError(err))
	}
	return nil
}

func (m Migration) fileName() string {
	return fmt.Sprintf("%04d_%s.sql", m.Version, m.Name)
}
