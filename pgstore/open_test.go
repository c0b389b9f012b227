package pgstore_test

import (
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

func TestOpenMigratesAndOwnsPool(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	store, err := pgstore.Open(ctx, testenv.PostgresURL(t), &pgstore.Options{MaxConns: 3})
	require.NoError(t, err)
	require.EqualValues(t, 3, store.Pool().Config().MaxConns)
	require.NoError(t, store.CheckRLS(ctx))
	tenant := createTenant(t, ctx, store, "t")
	require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		require.Equal(t, 1, count(t, ctx, tx, "SELECT count(*) FROM tenants"))
		return nil
	}))

	pool := store.Pool()
	store.Close()
	require.Error(t, pool.Ping(ctx), "Close must close the pool Open created")
	require.ErrorIs(t, store.WithTenant(ctx, tenant, func(pgx.Tx) error { return nil }), pgstore.ErrClosed)
}

func TestOpenSkipMigrate(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	store, err := pgstore.Open(ctx, testenv.PostgresURL(t), &pgstore.Options{SkipMigrate: true})
	require.NoError(t, err)
	t.Cleanup(store.Close)
	var exists bool
	require.NoError(t, store.Pool().QueryRow(ctx, "SELECT to_regclass('schema_migrations') IS NOT NULL").Scan(&exists))
	require.False(t, exists)
}

func TestOpenErrorsHideThePassword(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	const secret = "s3cr3t-pa55word"

	// Nothing listens on port 1.
	_, err := pgstore.Open(ctx, "postgres://someone:"+secret+"@127.0.0.1:1/somedb?connect_timeout=2", nil)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	require.Contains(t, err.Error(), "someone@127.0.0.1:1/somedb")

	_, err = pgstore.Open(ctx, "postgres://someone:"+secret+"@127.0.0.1:notaport/somedb", nil)
	require.ErrorIs(t, err, pgstore.ErrInvalid)
	require.NotContains(t, err.Error(), secret)

	// A password the server rejects is reported without being echoed.
	u, err := url.Parse(testenv.PostgresURL(t))
	require.NoError(t, err)
	u.User = url.UserPassword("no_such_role_"+testenv.Name("x"), secret)
	_, err = pgstore.Open(ctx, u.String(), nil)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)

	_, err = pgstore.Open(ctx, testenv.AdminDatabaseURL(), &pgstore.Options{MaxConns: -2})
	require.ErrorIs(t, err, pgstore.ErrInvalid)
	require.ErrorContains(t, err, "MaxConns")
}
