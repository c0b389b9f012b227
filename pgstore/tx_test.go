package pgstore_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

func TestWithTenantRejectsNilTenant(t *testing.T) {
	t.Parallel()
	store, _, ctx := setup(t)
	called := false
	err := store.WithTenant(ctx, uuid.Nil, func(pgx.Tx) error { called = true; return nil })
	require.ErrorIs(t, err, pgstore.ErrInvalid)
	require.False(t, called)
}

func TestWithTenantRollsBackOnErrorAndPanic(t *testing.T) {
	t.Parallel()
	store, _, ctx := setup(t)
	tenant := createTenant(t, ctx, store, "t")
	insert := func(tx pgx.Tx, email string) {
		_, err := tx.Exec(ctx, "INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, $2, 'h', 'viewer')",
			tenant, email)
		require.NoError(t, err)
	}

	boom := errors.New("boom")
	err := store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		insert(tx, "error@example.com")
		return boom
	})
	require.ErrorIs(t, err, boom)

	require.PanicsWithValue(t, "kaboom", func() {
		_ = store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
			insert(tx, "panic@example.com")
			panic("kaboom")
		})
	})

	require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		insert(tx, "kept@example.com")
		return nil
	}))
	require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT email FROM users")
		require.NoError(t, err)
		emails, err := pgx.CollectRows(rows, pgx.RowTo[string])
		require.NoError(t, err)
		require.Equal(t, []string{"kept@example.com"}, emails)
		return nil
	}))
}

// TestScopeEndsWithTransaction uses a one-connection pool so the next
// query surely runs on the connection the scoped transaction used.
func TestScopeEndsWithTransaction(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	cfg, err := pgxpool.ParseConfig(testenv.PostgresURL(t))
	require.NoError(t, err)
	cfg.MaxConns = 1
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	store, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	require.NoError(t, store.Migrate(ctx))
	tenant := createTenant(t, ctx, store, "t")

	var pidIn, pidOut int
	require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pidIn)
	}))
	var user, setting, system string
	require.NoError(t, pool.QueryRow(ctx,
		"SELECT pg_backend_pid(), current_user, current_setting('app.tenant_id', true), coalesce(current_setting('app.system', true), '')").
		Scan(&pidOut, &user, &setting, &system))
	require.Equal(t, pidIn, pidOut)
	require.NotEqual(t, pgstore.AppRole, user)
	require.Empty(t, setting)

	require.NoError(t, store.WithSystem(ctx, func(pgx.Tx) error { return nil }))
	require.NoError(t, pool.QueryRow(ctx, "SELECT coalesce(current_setting('app.system', true), '')").Scan(&system))
	require.Empty(t, system)
}

func TestWithSystemSeesAllTenants(t *testing.T) {
	t.Parallel()
	store, _, ctx := setup(t)
	a := createTenant(t, ctx, store, "a")
	b := createTenant(t, ctx, store, "b")
	seedTenant(t, ctx, store, a, "a")
	seedTenant(t, ctx, store, b, "b")
	require.NoError(t, store.WithSystem(ctx, func(tx pgx.Tx) error {
		require.Equal(t, 2, count(t, ctx, tx, "SELECT count(*) FROM tenants"))
		require.Equal(t, 4, count(t, ctx, tx, "SELECT count(*) FROM users"))
		var tenant uuid.UUID
		require.NoError(t, tx.QueryRow(ctx, "SELECT tenant_id FROM users WHERE email = 'b-2@example.com'").Scan(&tenant))
		require.Equal(t, b, tenant)
		return nil
	}))
}

func TestErrorsAreTranslated(t *testing.T) {
	t.Parallel()
	store, _, ctx := setup(t)
	tenant := createTenant(t, ctx, store, "t")
	seedTenant(t, ctx, store, tenant, "t")

	err := store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		var id uuid.UUID
		return tx.QueryRow(ctx, "SELECT id FROM users WHERE email = 'nobody@example.com'").Scan(&id)
	})
	require.ErrorIs(t, err, pgstore.ErrNotFound)
	require.ErrorIs(t, err, pgx.ErrNoRows)

	err = store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, 't-1@example.com', 'h', 'viewer')", tenant)
		return err
	})
	require.ErrorIs(t, err, pgstore.ErrConflict)

	err = store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, '', 'h', 'viewer')", tenant)
		return err
	})
	require.ErrorIs(t, err, pgstore.ErrInvalid)

	err = store.WithSystem(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, 'x@example.com', 'h', 'viewer')", uuid.New())
		return err
	})
	require.ErrorIs(t, err, pgstore.ErrInvalid, "foreign key to a missing tenant")
}

func TestCloseKeepsBorrowedPoolOpen(t *testing.T) {
	t.Parallel()
	store, pool, ctx := setup(t)
	require.NoError(t, store.Ping(ctx))
	store.Close()
	store.Close() // idempotent
	require.NoError(t, pool.Ping(ctx))
	require.ErrorIs(t, store.Ping(ctx), pgstore.ErrClosed)
	err := store.WithSystem(ctx, func(pgx.Tx) error { return nil })
	require.ErrorIs(t, err, pgstore.ErrClosed)
	require.ErrorIs(t, store.Migrate(ctx), pgstore.ErrClosed)
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := pgstore.New(nil, nil)
	require.ErrorIs(t, err, pgstore.ErrInvalid)
	require.ErrorContains(t, err, "pool")

	pool := testenv.Postgres(t)
	_, err = pgstore.New(pool, &pgstore.Options{MaxConns: -1})
	require.ErrorIs(t, err, pgstore.ErrInvalid)
	require.ErrorContains(t, err, "MaxConns")
}

func TestClosedBorrowedPool(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	pool, err := pgxpool.New(ctx, testenv.PostgresURL(t))
	require.NoError(t, err)
	store, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	pool.Close() // the owner closes its pool under the store
	require.ErrorIs(t, store.Ping(ctx), pgstore.ErrClosed)
	err = store.WithSystem(ctx, func(pgx.Tx) error { return nil })
	require.ErrorIs(t, err, pgstore.ErrClosed)
}

// TestConcurrentTenantsShareConnections runs many tenant transactions of
// two tenants at once over a small pool, so connections pass back and forth
// between tenants: each transaction must still see only its own tenant.
func TestConcurrentTenantsShareConnections(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	cfg, err := pgxpool.ParseConfig(testenv.PostgresURL(t))
	require.NoError(t, err)
	cfg.MaxConns = 3
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	store, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	require.NoError(t, store.Migrate(ctx))
	tenants := []uuid.UUID{createTenant(t, ctx, store, "a"), createTenant(t, ctx, store, "b")}
	seedTenant(t, ctx, store, tenants[0], "a")
	seedTenant(t, ctx, store, tenants[1], "b")

	const workers, rounds = 8, 10
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			tenant := tenants[w%2]
			for range rounds {
				err := store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
					rows, err := tx.Query(ctx, "SELECT DISTINCT tenant_id FROM users")
					if err != nil {
						return err
					}
					seen, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
					if err != nil {
						return err
					}
					if len(seen) != 1 || seen[0] != tenant {
						return fmt.Errorf("tenant %s saw tenants %v", tenant, seen)
					}
					return nil
				})
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		require.NoError(t, <-errs)
	}
}
