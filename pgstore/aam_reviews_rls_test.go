package pgstore_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/pgstore"
)

// TestReviewsRowLevelSecurity is the isolation contract of the review
// queue table of migration 0004_reviews: under a tenant only its proposals
// are visible and an unfiltered write reaches only them; with no tenant set,
// zero rows; a row of another tenant cannot be inserted; the catalog checks
// pass.
func TestReviewsRowLevelSecurity(t *testing.T) {
	t.Parallel()
	a, store := newAAM(t)
	ctx := t.Context()
	var tenants []uuid.UUID
	for _, name := range []string{"review-a", "review-b"} {
		tn, err := a.CreateTenant(ctx, name)
		require.NoError(t, err)
		conn := aam.Connection{ID: uuid.New(), Name: "crm", Type: "filesource"}
		require.NoError(t, a.CreateConnection(ctx, tn.ID, conn))
		_, err = a.AddProposal(ctx, tn.ID, aam.Proposal{ConnectionID: conn.ID, Object: "contacts.csv", Kind: aam.ProposalRepair,
			SourceField: "surname", Target: "last_name", Entity: "contact", Confidence: 0.7, Decision: "review", Status: aam.StatusPending})
		require.NoError(t, err)
		tenants = append(tenants, tn.ID)
	}
	const table = "mapping_proposals"
	for _, tenant := range tenants {
		require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
			require.Equal(t, []uuid.UUID{tenant}, tenantIDs(t, ctx, tx, table), "only own rows visible")
			return nil
		}))
	}
	require.NoError(t, store.WithSystem(ctx, func(tx pgx.Tx) error {
		require.ElementsMatch(t, tenants, tenantIDs(t, ctx, tx, table), "both tenants have rows")
		return nil
	}))

	t.Run("no tenant set", func(t *testing.T) {
		tx, err := store.Pool().Begin(ctx)
		require.NoError(t, err)
		defer func() { _ = tx.Rollback(ctx) }()
		_, err = tx.Exec(ctx, "SET LOCAL ROLE "+pgstore.AppRole)
		require.NoError(t, err)
		require.Zero(t, count(t, ctx, tx, "SELECT count(*) FROM "+table))
	})

	t.Run("writes reach own rows only", func(t *testing.T) {
		require.NoError(t, store.WithTenant(ctx, tenants[0], func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, "UPDATE mapping_proposals SET status = 'rejected', decided_by = 'x'")
			require.NoError(t, err)
			require.EqualValues(t, 1, tag.RowsAffected())
			return nil
		}))
		pending, err := a.Proposals(ctx, tenants[1], aam.StatusPending)
		require.NoError(t, err)
		require.Len(t, pending, 1, "other tenant's proposal untouched")
	})

	t.Run("insert with other tenant id fails", func(t *testing.T) {
		err := store.WithTenant(ctx, tenants[0], func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO mapping_proposals (tenant_id, id, connection_id, object, kind, target, entity,
confidence, status, base_version, created_at) VALUES ($1, $2, $3, 'o', 'repair', 't', 'contact', 0.5, 'pending', 0, now())`,
				tenants[1], uuid.New(), uuid.New())
			return err
		})
		requireRLSViolation(t, err)
	})

	t.Run("catalog", func(t *testing.T) {
		requireCatalogIsolation(t, ctx, store.Pool(), []string{table})
		require.NoError(t, store.CheckRLS(ctx))
	})
}
