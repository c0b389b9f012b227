package duckstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// FileName is the control store's file name under the data directory.
const FileName = "control.duckdb"

// ErrMigrationChanged is returned when an applied migration's file no longer
// matches the checksum recorded when it ran.
var ErrMigrationChanged = errors.New("duckstore: applied migration changed")

// ErrLocked is returned by Open when another Store, in this process or
// another, holds the data directory.
var ErrLocked = errors.New("duckstore: data directory is in use by another process or store")

// LockFileName is the lock file Open holds under the data directory.
const LockFileName = ".aos.lock"

// Store is an open local control store.
type Store struct {
	db   *sql.DB
	path string
	lock *os.File
	// leases are the connections' sync leases, shared by every AAM of
	// the store (the file lock makes the store one process).
	leases *leaseLocks
}

// Open creates dataDir if needed, opens (or creates) its control file and
// applies pending migrations. It fails if another process holds the file.
func Open(ctx context.Context, dataDir string) (*Store, error) {
	if dataDir == "" {
		return nil, fmt.Errorf("duckstore: data directory is empty")
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("duckstore: create data directory: %w", err)
	}
	lock, err := lockDir(filepath.Join(dataDir, LockFileName))
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dataDir, FileName)
	db, err := sql.Open("duckdb", path)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("duckstore: open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		lock.Close()
		return nil, fmt.Errorf("duckstore: open %s: %w", path, err)
	}
	s := &Store{db: db, path: path, lock: lock, leases: newLeaseLocks()}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		lock.Close()
		return nil, err
	}
	return s, nil
}

// DB returns the shared database handle. Adapters use it; they must not
// close it.
func (s *Store) DB() *sql.DB { return s.db }

// Path returns the control file's path.
func (s *Store) Path() string { return s.path }

// Close checkpoints and closes the database and releases the directory
// lock.
func (s *Store) Close() error {
	_, _ = s.db.Exec("CHECKPOINT")
	err := s.db.Close()
	s.lock.Close()
	if err != nil {
		return fmt.Errorf("duckstore: close: %w", err)
	}
	return nil
}

type migration struct {
	version int
	name    string
	sql     string
	sum     string
}

func loadMigrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("duckstore: read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("duckstore: migration %q: name must start with a number and '_'", name)
		}
		body, err := migrationFiles.ReadFile("migrations/" + name)
		if err != nil {
			return nil, fmt.Errorf("duckstore: read migration %q: %w", name, err)
		}
		sum := sha256.Sum256(body)
		out = append(out, migration{version: v, name: name, sql: string(body), sum: hex.EncodeToString(sum[:])})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i := 1; i < len(out); i++ {
		if out[i].version == out[i-1].version {
			return nil, fmt.Errorf("duckstore: migrations %q and %q share version %d", out[i-1].name, out[i].name, out[i].version)
		}
	}
	return out, nil
}

func (s *Store) migrate(ctx context.Context) error {
	migs, err := loadMigrations()
	if err != nil {
		return err
	}
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, checksum VARCHAR NOT NULL,
		applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`); err != nil {
		return fmt.Errorf("duckstore: create schema_migrations: %w", err)
	}
	applied := map[int]string{}
	rows, err := s.db.QueryContext(ctx, `SELECT version, checksum FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("duckstore: read schema_migrations: %w", err)
	}
	for rows.Next() {
		var v int
		var sum string
		if err := rows.Scan(&v, &sum); err != nil {
			rows.Close()
			return fmt.Errorf("duckstore: read schema_migrations: %w", err)
		}
		applied[v] = sum
	}
	rows.Close()
	for _, m := range migs {
		if sum, ok := applied[m.version]; ok {
			if sum != m.sum {
				return fmt.Errorf("%w: %s", ErrMigrationChanged, m.name)
			}
			continue
		}
		tx, err := s.db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("duckstore: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			tx.Rollback()
			return fmt.Errorf("duckstore: migration %s: %w", m.name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)`, m.version, m.name, m.sum); err != nil {
			tx.Rollback()
			return fmt.Errorf("duckstore: record migration %s: %w", m.name, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("duckstore: migration %s: %w", m.name, err)
		}
	}
	return nil
}
