package pgstore_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

// TestNonSuperuserOwner runs the store as a production deployment usually
// does: connected as an ordinary role that owns the database. FORCE then
// applies to the owner too, so outside a system transaction the owner sees
// no tenant rows either.
func TestNonSuperuserOwner(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	admin, err := pgxpool.New(ctx, testenv.AdminDatabaseURL())
	require.NoError(t, err)
	t.Cleanup(admin.Close)

	// The application role is cluster-wide and normally exists already;
	// a migration of another database makes sure it does.
	require.NoError(t, pgstore.Migrate(ctx, testenv.Postgres(t)))

	owner := testenv.Name("aos_owner")
	ownerIdent := pgx.Identifier{owner}.Sanitize()
	_, err = admin.Exec(ctx, "CREATE ROLE "+ownerIdent+" LOGIN NOSUPERUSER NOBYPASSRLS CREATEROLE")
	require.NoError(t, err)
	// Registered before the database exists, so it runs after the drop.
	t.Cleanup(func() {
		_, err := admin.Exec(ctx, "DROP ROLE IF EXISTS "+ownerIdent)
		require.NoError(t, err)
	})

	dsn := testenv.PostgresURL(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	_, err = admin.Exec(ctx, "ALTER DATABASE "+pgx.Identifier{strings.TrimPrefix(u.Path, "/")}.Sanitize()+" OWNER TO "+ownerIdent)
	require.NoError(t, err)
	u.User = url.User(owner)

	store, err := pgstore.Open(ctx, u.String(), nil)
	require.NoError(t, err)
	t.Cleanup(store.Close)
	pool := store.Pool()

	var member bool
	require.NoError(t, pool.QueryRow(ctx, "SELECT pg_has_role(current_user, $1, 'MEMBER')", pgstore.AppRole).Scan(&member))
	require.True(t, member, "the migration grants the app role to a non-superuser owner")
	require.NoError(t, store.CheckRLS(ctx))
	requireCatalogIsolation(t, ctx, pool, []string{"audit_log", "idempotency_keys", "tenants", "users"})
	var tablesOwned int
	require.NoError(t, pool.QueryRow(ctx,
		`SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
		 AND relname IN ('tenants', 'users', 'audit_log', 'idempotency_keys')`).Scan(&tablesOwned))
	require.Equal(t, 4, tablesOwned)

	a := createTenant(t, ctx, store, "a")
	b := createTenant(t, ctx, store, "b")
	seedTenant(t, ctx, store, a, "a")
	seedTenant(t, ctx, store, b, "b")

	// The owner, outside any scope: nothing.
	for _, table := range []string{"tenants", "users", "audit_log"} {
		var n int
		require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n))
		require.Zero(t, n, table)
	}
	require.NoError(t, store.WithSystem(ctx, func(tx pgx.Tx) error {
		require.Equal(t, 2, count(t, ctx, tx, "SELECT count(*) FROM tenants"))
		require.Equal(t, 4, count(t, ctx, tx, "SELECT count(*) FROM users"))
		require.Equal(t, 6, count(t, ctx, tx, "SELECT count(*) FROM audit_log"))
		return nil
	}))
	require.NoError(t, store.WithTenant(ctx, a, func(tx pgx.Tx) error {
		require.Equal(t, 2, count(t, ctx, tx, "SELECT count(*) FROM users"))
		require.Zero(t, count(t, ctx, tx, "SELECT count(*) FROM users WHERE tenant_id = $1", b))
		return nil
	}))
	err = store.WithTenant(ctx, a, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO audit_log (tenant_id, actor, action) VALUES ($1, 'x', 'forge')", b)
		return err
	})
	requireRLSViolation(t, err)
}
