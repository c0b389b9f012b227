package pgstore_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/pgstore"
	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/tenancytest"
)

func TestTenancyConformance(t *testing.T) {
	t.Parallel()
	store, _, _ := setup(t)
	tn, err := pgstore.NewTenancy(store)
	require.NoError(t, err)
	tenancytest.RunStore(t, func(t *testing.T) tenancy.Store { return tn })
}

// tenancyTables are the tables the tenancy adapter writes.
var tenancyTables = []string{"tenants", "users", "tenant_settings", "audit_log", "idempotency_keys"}

// TestTenancyCatalog: every tenancy table is under ENABLE + FORCE row-level
// security, the whole catalog passes CheckRLS, and with no tenant set the
// application role sees no row of any of them and may write none.
func TestTenancyCatalog(t *testing.T) {
	t.Parallel()
	store, pool, ctx := setup(t)
	require.NoError(t, store.CheckRLS(ctx))
	requireCatalogIsolation(t, ctx, pool, tenancyTables)

	tn, err := pgstore.NewTenancy(store)
	require.NoError(t, err)
	tenant := tenancy.Tenant{ID: uuid.New(), Name: "catalog", RateLimit: 30, CreatedAt: time.Now().UTC()}
	admin := tenancy.User{ID: uuid.New(), TenantID: tenant.ID, Email: "a@example.com", Role: tenancy.RoleAdmin, PasswordHash: "h", CreatedAt: time.Now().UTC()}
	require.NoError(t, tn.Register(ctx, tenant, admin))
	require.NoError(t, tn.AppendAudit(ctx, tenancy.AuditEntry{TenantID: tenant.ID, Action: "x", At: time.Now()}))
	_, err = tn.ClaimIdempotencyKey(ctx, tenancy.IdempotencyClaim{TenantID: tenant.ID, Key: "k", Hash: []byte("h"), Now: time.Now()})
	require.NoError(t, err)

	tx, err := pool.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, "SET LOCAL ROLE "+pgstore.AppRole)
	require.NoError(t, err)
	for _, table := range tenancyTables {
		require.Zero(t, count(t, ctx, tx, "SELECT count(*) FROM "+table), "%s shows rows with no tenant set", table)
	}
	_, err = tx.Exec(ctx, "INSERT INTO tenant_settings (tenant_id, rate_limit) VALUES ($1, 1)", tenant.ID)
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	require.Equal(t, "42501", pgErr.Code)
	require.Contains(t, pgErr.Message, "row-level security", "a write with no tenant set fails closed")
}

// TestAuditLogAppendOnly: the application role may insert audit rows of its
// tenant but neither update nor delete any, even its own.
func TestAuditLogAppendOnly(t *testing.T) {
	t.Parallel()
	store, _, ctx := setup(t)
	tn, err := pgstore.NewTenancy(store)
	require.NoError(t, err)
	tenant := tenancy.Tenant{ID: uuid.New(), Name: "audit", CreatedAt: time.Now().UTC()}
	require.NoError(t, tn.CreateTenant(ctx, tenant))
	require.NoError(t, tn.AppendAudit(ctx, tenancy.AuditEntry{TenantID: tenant.ID, Action: "POST /x", Outcome: "success", At: time.Now()}))
	for _, sql := range []string{
		"UPDATE audit_log SET outcome = 'forged'",
		"DELETE FROM audit_log",
	} {
		err := store.WithTenant(ctx, tenant.ID, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, sql)
			return err
		})
		require.ErrorIs(t, err, pgstore.ErrForbidden, sql)
		var pgErr *pgconn.PgError
		require.ErrorAs(t, err, &pgErr)
		require.Equal(t, "42501", pgErr.Code, "permission denied")
	}
	entries, err := tn.AuditEntries(ctx, tenant.ID, 0, 10)
	require.NoError(t, err)
	require.Len(t, entries, 1)
	require.Equal(t, "success", entries[0].Outcome)
}
