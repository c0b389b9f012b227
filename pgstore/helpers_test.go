package pgstore_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

// setup returns a Store on a fresh, migrated database, its pool (connected
// as the superuser) and a context ending with the test.
func setup(t testing.TB) (*pgstore.Store, *pgxpool.Pool, context.Context) {
	t.Helper()
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	store, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	t.Cleanup(store.Close)
	require.NoError(t, store.Migrate(ctx))
	return store, pool, ctx
}

// createTenant inserts a tenant in a system transaction.
func createTenant(t testing.TB, ctx context.Context, store *pgstore.Store, name string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	require.NoError(t, store.WithSystem(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO tenants (id, name) VALUES ($1, $2)", id, name)
		return err
	}))
	return id
}

// count returns the result of a count(*) query run in tx.
func count(t testing.TB, ctx context.Context, tx pgx.Tx, sql string, args ...any) int {
	t.Helper()
	var n int
	require.NoError(t, tx.QueryRow(ctx, sql, args...).Scan(&n))
	return n
}
