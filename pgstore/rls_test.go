package pgstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/pgstore"
)

// seedTenant gives a tenant two users and three audit rows, written in a
// transaction scoped to that tenant.
func seedTenant(t testing.TB, ctx context.Context, store *pgstore.Store, tenant uuid.UUID, prefix string) {
	t.Helper()
	require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		for _, email := range []string{prefix + "-1@example.com", prefix + "-2@example.com"} {
			if _, err := tx.Exec(ctx,
				"INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, $2, 'hash', 'viewer')",
				tenant, email); err != nil {
				return err
			}
		}
		for _, action := range []string{"login", "create", "delete"} {
			if _, err := tx.Exec(ctx,
				"INSERT INTO audit_log (tenant_id, actor, action, target) VALUES ($1, $2, $3, 'x')",
				tenant, prefix, action); err != nil {
				return err
			}
		}
		return nil
	}))
}

// tenantIDs returns the distinct tenant ids of a table's visible rows.
func tenantIDs(t *testing.T, ctx context.Context, tx pgx.Tx, table string) []uuid.UUID {
	t.Helper()
	rows, err := tx.Query(ctx, "SELECT DISTINCT tenant_id FROM "+pgx.Identifier{table}.Sanitize())
	require.NoError(t, err)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[uuid.UUID])
	require.NoError(t, err)
	return ids
}

// TestRowLevelSecurity is the isolation contract: two tenants' rows; under
// tenant A only A's rows are visible and writable; with no tenant set, zero
// rows; the catalog shows the application role is not superuser, not
// BYPASSRLS and owns no tenant table, and every tenant table has RLS enabled
// and forced.
func TestRowLevelSecurity(t *testing.T) {
	t.Parallel()
	store, pool, ctx := setup(t)
	a := createTenant(t, ctx, store, "tenant-a")
	b := createTenant(t, ctx, store, "tenant-b")
	seedTenant(t, ctx, store, a, "a")
	seedTenant(t, ctx, store, b, "b")

	t.Run("only own rows visible", func(t *testing.T) {
		require.NoError(t, store.WithTenant(ctx, a, func(tx pgx.Tx) error {
			require.Equal(t, []uuid.UUID{a}, tenantIDs(t, ctx, tx, "users"))
			require.Equal(t, 2, count(t, ctx, tx, "SELECT count(*) FROM users"))
			require.Equal(t, []uuid.UUID{a}, tenantIDs(t, ctx, tx, "audit_log"))
			require.Equal(t, 3, count(t, ctx, tx, "SELECT count(*) FROM audit_log"))
			require.Zero(t, count(t, ctx, tx, "SELECT count(*) FROM users WHERE tenant_id = $1", b))
			var name string
			require.NoError(t, tx.QueryRow(ctx, "SELECT string_agg(name, ',') FROM tenants").Scan(&name))
			require.Equal(t, "tenant-a", name)
			var role string
			require.NoError(t, tx.QueryRow(ctx, "SELECT current_user").Scan(&role))
			require.Equal(t, pgstore.AppRole, role)
			return nil
		}))
	})

	t.Run("other tenant's rows not writable", func(t *testing.T) {
		require.NoError(t, store.WithTenant(ctx, a, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, "UPDATE users SET role = 'admin' WHERE tenant_id = $1", b)
			require.NoError(t, err)
			require.Zero(t, tag.RowsAffected())
			tag, err = tx.Exec(ctx, "DELETE FROM users WHERE tenant_id = $1", b)
			require.NoError(t, err)
			require.Zero(t, tag.RowsAffected())
			tag, err = tx.Exec(ctx, "UPDATE users SET role = 'admin'")
			require.NoError(t, err)
			require.EqualValues(t, 2, tag.RowsAffected(), "an unfiltered UPDATE reaches only A's rows")
			tag, err = tx.Exec(ctx, "UPDATE tenants SET name = name || '!' WHERE id = $1", b)
			require.NoError(t, err)
			require.Zero(t, tag.RowsAffected())
			return nil
		}))
		require.NoError(t, store.WithTenant(ctx, b, func(tx pgx.Tx) error {
			require.Equal(t, 2, count(t, ctx, tx, "SELECT count(*) FROM users WHERE role = 'viewer'"),
				"B's users are untouched")
			require.Equal(t, 1, count(t, ctx, tx, "SELECT count(*) FROM tenants WHERE name = 'tenant-b'"))
			return nil
		}))
	})

	t.Run("insert with other tenant id fails", func(t *testing.T) {
		for _, sql := range []string{
			"INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, 'intruder@example.com', 'h', 'viewer')",
			"INSERT INTO audit_log (tenant_id, actor, action) VALUES ($1, 'intruder', 'forge')",
			"INSERT INTO idempotency_keys (tenant_id, key, request_hash) VALUES ($1, 'k', '\\x00')",
		} {
			err := store.WithTenant(ctx, a, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, sql, b)
				return err
			})
			requireRLSViolation(t, err)
		}
		// Moving one of A's rows to B is a write of a B row as well.
		err := store.WithTenant(ctx, a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "UPDATE users SET tenant_id = $1", b)
			return err
		})
		requireRLSViolation(t, err)
	})

	t.Run("no tenant set sees zero rows", func(t *testing.T) {
		tx, err := pool.Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(ctx) }()
		_, err = tx.Exec(ctx, "SET LOCAL ROLE "+pgstore.AppRole)
		require.NoError(t, err)
		for _, table := range []string{"tenants", "users", "audit_log", "idempotency_keys"} {
			require.Zero(t, count(t, ctx, tx, "SELECT count(*) FROM "+table), table)
		}
		tag, err := tx.Exec(ctx, "UPDATE users SET role = 'admin'")
		require.NoError(t, err)
		require.Zero(t, tag.RowsAffected())
		// An empty setting, as left behind by an earlier transaction of
		// the same session, is no tenant too.
		_, err = tx.Exec(ctx, "SELECT set_config('app.tenant_id', '', true)")
		require.NoError(t, err)
		require.Zero(t, count(t, ctx, tx, "SELECT count(*) FROM users"))
	})

	t.Run("audit log is append-only", func(t *testing.T) {
		err := store.WithTenant(ctx, a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "DELETE FROM audit_log")
			return err
		})
		require.ErrorIs(t, err, pgstore.ErrForbidden)
	})

	t.Run("tenants are created by the system only", func(t *testing.T) {
		err := store.WithTenant(ctx, a, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO tenants (id, name) VALUES ($1, 'sneaky')", uuid.New())
			return err
		})
		require.ErrorIs(t, err, pgstore.ErrForbidden)
	})

	t.Run("catalog", func(t *testing.T) {
		requireCatalogIsolation(t, ctx, pool, []string{"audit_log", "idempotency_keys", "tenants", "users"})
		require.NoError(t, store.CheckRLS(ctx))
	})
}

func requireRLSViolation(t *testing.T, err error) {
	t.Helper()
	require.ErrorIs(t, err, pgstore.ErrForbidden)
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "%v", err)
	require.Equal(t, "42501", pgErr.Code)
	require.Contains(t, pgErr.Message, "row-level security")
}

// requireCatalogIsolation reads the catalog directly, independently of
// CheckRLS: the role's attributes and each table's owner and RLS flags.
func requireCatalogIsolation(t *testing.T, ctx context.Context, pool *pgxpool.Pool, tables []string) {
	t.Helper()
	var super, bypass bool
	require.NoError(t, pool.QueryRow(ctx,
		"SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1", pgstore.AppRole).Scan(&super, &bypass))
	require.False(t, super, "app role is superuser")
	require.False(t, bypass, "app role has BYPASSRLS")
	for _, table := range tables {
		var owner string
		var enabled, forced bool
		require.NoError(t, pool.QueryRow(ctx,
			`SELECT pg_get_userbyid(relowner), relrowsecurity, relforcerowsecurity
			 FROM pg_class WHERE oid = to_regclass($1)`, table).Scan(&owner, &enabled, &forced), table)
		require.NotEqual(t, pgstore.AppRole, owner, table)
		require.True(t, enabled, "%s: RLS not enabled", table)
		require.True(t, forced, "%s: RLS not forced", table)
	}
}

func TestCheckRLSFindsUnprotectedTables(t *testing.T) {
	t.Parallel()
	store, pool, ctx := setup(t)
	require.NoError(t, store.CheckRLS(ctx))

	// A table a later migration forgot to protect.
	_, err := pool.Exec(ctx, `CREATE TABLE forgotten (tenant_id uuid NOT NULL, v int);
		GRANT SELECT ON forgotten TO aos_app`)
	require.NoError(t, err)
	// One enabled but not forced, with a policy that lets everything through.
	_, err = pool.Exec(ctx, `CREATE TABLE leaky (tenant_id uuid NOT NULL, v int);
		ALTER TABLE leaky ENABLE ROW LEVEL SECURITY;
		CREATE POLICY open_door ON leaky USING (true)`)
	require.NoError(t, err)
	// One protected the way migrations must do it: not reported.
	_, err = pool.Exec(ctx, `CREATE TABLE protected (tenant_id uuid NOT NULL, id bigserial, v int);
		SELECT aos_protect_tenant_table('protected')`)
	require.NoError(t, err)

	err = store.CheckRLS(ctx)
	require.ErrorIs(t, err, pgstore.ErrUnprotected)
	var rlsErr *pgstore.RLSError
	require.ErrorAs(t, err, &rlsErr)
	require.Equal(t, []string{"forgotten", "leaky"}, rlsErr.Tables())
	require.Contains(t, rlsErr.Problems, pgstore.RLSProblem{Table: "forgotten", Problem: "row level security is not enabled"})
	require.Contains(t, rlsErr.Problems, pgstore.RLSProblem{Table: "forgotten", Problem: "has no policy"})
	require.Contains(t, rlsErr.Problems, pgstore.RLSProblem{Table: "leaky", Problem: "row level security is not forced"})
	require.Contains(t, rlsErr.Problems, pgstore.RLSProblem{Table: "leaky",
		Problem: `policy "open_door" lets "aos_app" reach rows without an app.tenant_id condition`})
	require.Contains(t, err.Error(), `table "forgotten"`)

	// The protection routine makes the later table usable by tenants,
	// including its sequence.
	tenant := createTenant(t, ctx, store, "t")
	require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO protected (tenant_id, v) VALUES ($1, 1)", tenant)
		return err
	}))
}
