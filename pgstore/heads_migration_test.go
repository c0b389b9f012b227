package pgstore

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/internal/testenv"
)

// TestChangeCaptureMigrationBackfillsLatestVersions: a stream written
// before migration 0005 gets each record's latest version, so the first
// appends after it deduplicate against that version.
func TestChangeCaptureMigrationBackfillsLatestVersions(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	migs, err := Migrations()
	require.NoError(t, err)
	var before []Migration
	for _, m := range migs {
		if m.Version < 5 {
			before = append(before, m)
		}
	}
	require.NoError(t, migrate(ctx, pool, before))

	s, err := New(pool, nil)
	require.NoError(t, err)
	tenant, conn := uuid.New(), uuid.New()
	event := func(rec, hash, op string) canonical.Event {
		return canonical.Event{
			EventID: canonical.EventID(tenant.String(), conn.String(), "Account", rec, hash),
			Entity:  "account", Op: canonical.Op(op), Data: map[string]any{"account_id": rec},
			Meta:   canonical.EventMeta{TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: 1, EmittedAt: time.Now().UTC()},
			Source: canonical.EventSource{System: "crm", ConnectionID: conn.String(), Object: "Account", RecordID: rec, RecordHash: hash},
		}
	}
	old := []canonical.Event{event("r1", "A", "upsert"), event("r1", "B", "upsert"), event("r2", "A", "upsert"), event("r2", "", "delete")}
	require.NoError(t, s.WithSystem(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO tenants (id, name) VALUES ($1, $2)", tenant, testenv.Name("t")); err != nil {
			return err
		}
		for i, e := range old {
			if _, err := tx.Exec(ctx, `INSERT INTO canonical_streams (tenant_id, "offset", event_id, entity, op, connection_id, object,
    record_id, record_hash, mapping_version, schema_version, emitted_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, 1, now(), '{}')`,
				tenant, i+1, e.EventID, e.Entity, string(e.Op), conn, e.Source.Object, e.Source.RecordID, e.Source.RecordHash); err != nil {
				return err
			}
		}
		return nil
	}))
	require.NoError(t, Migrate(ctx, pool))

	a, err := NewAAM(s)
	require.NoError(t, err)
	live, err := a.LiveRecords(ctx, tenant, conn, "Account", "", 10)
	require.NoError(t, err)
	require.Equal(t, []string{"r1"}, live, "r2's latest event is a delete")
	res, err := a.Append(ctx, tenant, aam.Batch{Events: []canonical.Event{event("r1", "B", "upsert"), event("r2", "", "delete")}})
	require.NoError(t, err)
	require.Zero(t, res.Appended, "the latest versions came through the migration")
	res, err = a.Append(ctx, tenant, aam.Batch{Events: []canonical.Event{event("r1", "A", "upsert"), event("r2", "A", "upsert")}})
	require.NoError(t, err)
	require.Equal(t, 2, res.Appended, "A after B, and a deleted record back")
}
