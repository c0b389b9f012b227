package pgstore_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/pgstore"
)

// aamTables are the tables of migration 0002_aam.
var aamTables = []string{
	"canonical_streams", "checkpoints", "connections", "drift_events",
	"mapping_versions", "quarantine", "schema_snapshots", "full_passes",
}

// seedAAM gives a tenant one row in every aam table, through the AAM API.
func seedAAM(t *testing.T, ctx context.Context, a *pgstore.AAM, tenant uuid.UUID) {
	t.Helper()
	conn := aam.Connection{ID: uuid.New(), Name: "crm", Type: "filesource", SealedSecrets: []byte("sealed")}
	require.NoError(t, a.CreateConnection(ctx, tenant, conn))
	key := aam.MappingKey{ConnectionID: conn.ID, Object: "Account"}
	_, err := a.PutMapping(ctx, tenant, aam.PutMapping{
		MappingKey: key,
		Mapping:    canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{{Source: "Id", Target: "account_id", Confidence: 1}}},
		Author:     "user:1",
	})
	require.NoError(t, err)
	hash := canonical.RecordHash(map[string]any{"Id": "1"})
	_, err = a.Append(ctx, tenant, aam.Batch{
		Events: []canonical.Event{{
			EventID: canonical.EventID(tenant.String(), conn.ID.String(), "Account", "1", hash),
			Entity:  "account",
			Op:      canonical.OpUpsert,
			Data:    map[string]any{"account_id": "1"},
			Meta:    canonical.EventMeta{TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: 1, EmittedAt: time.Now()},
			Source:  canonical.EventSource{ConnectionID: conn.ID.String(), Object: "Account", RecordID: "1", RecordHash: hash},
		}},
		Quarantine: []aam.QuarantinedRecord{{ConnectionID: conn.ID, Object: "Account", RecordID: "2", Raw: map[string]any{"Id": "2"}, Reason: "bad"}},
		Checkpoint: &aam.Checkpoint{ConnectionID: conn.ID, Object: "Account", Cursor: "1"},
	})
	require.NoError(t, err)
	require.NoError(t, a.SaveSnapshot(ctx, tenant,
		aam.SchemaSnapshot{ConnectionID: conn.ID, Object: "Account", Fingerprint: "fp",
			Schema: canonical.SourceSchema{Object: "Account", Fields: []canonical.SourceField{{Name: "Id", Type: canonical.TypeString}}}},
		&aam.DriftEvent{ConnectionID: conn.ID, Object: "Account", FromFingerprint: "fp0", ToFingerprint: "fp", Changes: json.RawMessage(`[]`)}))
}

// TestAAMRowLevelSecurity is the isolation contract of every aam table: rows
// of two tenants; under tenant A only A's rows are visible and an unfiltered
// write reaches only them; with no tenant set, zero rows; the catalog checks
// pass.
func TestAAMRowLevelSecurity(t *testing.T) {
	t.Parallel()
	a, store := newAAM(t)
	ctx := t.Context()
	ta, err := a.CreateTenant(ctx, "tenant-a")
	require.NoError(t, err)
	tb, err := a.CreateTenant(ctx, "tenant-b")
	require.NoError(t, err)
	seedAAM(t, ctx, a, ta.ID)
	seedAAM(t, ctx, a, tb.ID)

	for _, table := range aamTables {
		t.Run(table, func(t *testing.T) {
			for _, tenant := range []uuid.UUID{ta.ID, tb.ID} {
				require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
					require.Equal(t, []uuid.UUID{tenant}, tenantIDs(t, ctx, tx, table), "only own rows visible")
					return nil
				}))
			}
			require.NoError(t, store.WithSystem(ctx, func(tx pgx.Tx) error {
				require.ElementsMatch(t, []uuid.UUID{ta.ID, tb.ID}, tenantIDs(t, ctx, tx, table), "both tenants have rows")
				return nil
			}))

			// No tenant set: nothing, even for the application role.
			tx, err := store.Pool().Begin(ctx)
			require.NoError(t, err)
			defer func() { _ = tx.Rollback(ctx) }()
			_, err = tx.Exec(ctx, "SET LOCAL ROLE "+pgstore.AppRole)
			require.NoError(t, err)
			require.Zero(t, count(t, ctx, tx, "SELECT count(*) FROM "+pgx.Identifier{table}.Sanitize()))
		})
	}

	t.Run("writes reach own rows only", func(t *testing.T) {
		require.NoError(t, store.WithTenant(ctx, ta.ID, func(tx pgx.Tx) error {
			tag, err := tx.Exec(ctx, "UPDATE connections SET name = 'renamed'")
			require.NoError(t, err)
			require.EqualValues(t, 1, tag.RowsAffected())
			tag, err = tx.Exec(ctx, "DELETE FROM quarantine")
			require.NoError(t, err)
			require.EqualValues(t, 1, tag.RowsAffected())
			return nil
		}))
		c, err := a.Connections(ctx, tb.ID)
		require.NoError(t, err)
		require.Equal(t, "crm", c[0].Name)
		q, err := a.Quarantined(ctx, tb.ID, c[0].ID, "")
		require.NoError(t, err)
		require.Len(t, q, 1)
	})

	t.Run("stream is append-only", func(t *testing.T) {
		for _, sql := range []string{"UPDATE canonical_streams SET op = 'delete'", "DELETE FROM canonical_streams"} {
			err := store.WithTenant(ctx, ta.ID, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, sql)
				return err
			})
			require.ErrorIs(t, err, pgstore.ErrForbidden, sql)
		}
	})

	t.Run("insert with other tenant id fails", func(t *testing.T) {
		err := store.WithTenant(ctx, ta.ID, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO connections (tenant_id, id, name, type) VALUES ($1, $2, 'x', 'y')", tb.ID, uuid.New())
			return err
		})
		requireRLSViolation(t, err)
	})

	t.Run("catalog", func(t *testing.T) {
		requireCatalogIsolation(t, ctx, store.Pool(), aamTables)
		require.NoError(t, store.CheckRLS(ctx))
	})
}
