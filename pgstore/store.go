package pgstore

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5/pgxpool"
)

// AppRole is the application role every tenant-scoped transaction runs as.
// It is cluster-wide, created by the first migration: NOLOGIN, NOSUPERUSER,
// NOBYPASSRLS, NOINHERIT, and owner of no table.
const AppRole = "aos_app"

// Options configures Open and New. The zero value (or nil) means defaults.
type Options struct {
	// MaxConns caps the pool Open creates. Default 0: pgxpool's default
	// (the larger of 4 and the number of CPUs), or pool_max_conns from the
	// DSN. Ignored by New, whose caller configured the pool.
	MaxConns int32
	// SkipMigrate makes Open return without applying migrations, for
	// deployments that migrate as a separate step (aos migrate). Default
	// false: Open migrates. New never migrates; call Migrate.
	SkipMigrate bool
}

func (o *Options) withDefaults() (Options, error) {
	var out Options
	if o != nil {
		out = *o
	}
	if out.MaxConns < 0 {
		return out, fmt.Errorf("pgstore: options: %w: MaxConns must not be negative, got %d", ErrInvalid, out.MaxConns)
	}
	return out, nil
}

// Store is the PostgreSQL store: a pgx pool whose schema is migrated, with
// tenant-scoped and system transactions on top. A Store is safe for
// concurrent use.
type Store struct {
	pool   *pgxpool.Pool
	owned  bool
	closed atomic.Bool
}

// Open connects a pool to dsn (a postgres:// URL or key=value string),
// checks that the server answers, and, unless opts.SkipMigrate, applies the
// pending migrations. Errors never contain the DSN's password: a malformed
// DSN wraps ErrInvalid, an unreachable server names user, host and database
// only. The returned Store owns the pool; Close closes it.
func Open(ctx context.Context, dsn string, opts *Options) (*Store, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		// pgconn already redacts the password in its parse errors.
		return nil, fmt.Errorf("pgstore: open: %w: dsn: %w", ErrInvalid, err)
	}
	if o.MaxConns > 0 {
		cfg.MaxConns = o.MaxConns
	}
	where := describe(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: open %s: %w", where, err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("pgstore: open %s: ping: %w", where, err)
	}
	s := &Store{pool: pool, owned: true}
	if !o.SkipMigrate {
		if err := Migrate(ctx, pool); err != nil {
			pool.Close()
			return nil, fmt.Errorf("pgstore: open %s: %w", where, err)
		}
	}
	return s, nil
}

// describe names a connection target without its password.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	var b strings.Builder
	b.WriteString("postgres://")
	if c.User != "" {
		b.WriteString(c.User)
		b.WriteByte('@')
	}
	fmt.Fprintf(&b, "%s:%d/%s", c.Host, c.Port, c.Database)
	return b.String()
}

// New wraps a pool the caller owns: Close leaves it open. New does no I/O;
// call Migrate before the first transaction. It fails with ErrInvalid if pool
// is nil or opts is invalid.
func New(pool *pgxpool.Pool, opts *Options) (*Store, error) {
	if pool == nil {
		return nil, fmt.Errorf("pgstore: new: %w: pool is nil", ErrInvalid)
	}
	if _, err := opts.withDefaults(); err != nil {
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Pool returns the underlying pool, for queries that need neither tenant
// context nor system scope (health checks, catalog reads). Tenant data must
// go through WithTenant.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping checks that the database answers, for readiness probes. It fails
// with ErrClosed after Close. Safe for concurrent use.
func (s *Store) Ping(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("pgstore: ping: %w", ErrClosed)
	}
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("pgstore: ping: %w", interpretError(err))
	}
	return nil
}

// Migrate applies the pending embedded migrations to the store's database;
// see the package function Migrate.
func (s *Store) Migrate(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("pgstore: migrate: %w", ErrClosed)
	}
	return Migrate(ctx, s.pool)
}

// CheckRLS verifies the isolation rules on the store's database; see the
// package function CheckRLS.
func (s *Store) CheckRLS(ctx context.Context) error {
	if s.closed.Load() {
		return fmt.Errorf("pgstore: check rls: %w", ErrClosed)
	}
	return CheckRLS(ctx, s.pool)
}

// Close marks the store closed and closes the pool if Open created it; a
// borrowed pool (New) stays open. Later transactions fail with ErrClosed.
// Close is idempotent and waits for connections in use to be returned when
// it closes the pool.
func (s *Store) Close() {
	if s.closed.Swap(true) {
		return
	}
	if s.owned {
		s.pool.Close()
	}
}
