package pgstore_test

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/pgstore"
)

// aamSetup returns a store with one tenant and one connection of it.
func aamSetup(t *testing.T) (*pgstore.AAM, *pgstore.Store, context.Context, uuid.UUID, uuid.UUID) {
	t.Helper()
	a, store := newAAM(t)
	ctx := t.Context()
	tenant, err := a.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	conn := aam.Connection{ID: uuid.New(), Name: "crm", Type: "filesource"}
	require.NoError(t, a.CreateConnection(ctx, tenant.ID, conn))
	return a, store, ctx, tenant.ID, conn.ID
}

func accountEvent(tenant, conn uuid.UUID, recordID string, data map[string]any) canonical.Event {
	hash := canonical.RecordHash(data)
	return canonical.Event{
		EventID: canonical.EventID(tenant.String(), conn.String(), "Account", recordID, hash),
		Entity:  "account",
		Op:      canonical.OpUpsert,
		Data:    data,
		Meta:    canonical.EventMeta{TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: 1, EmittedAt: time.Now()},
		Source:  canonical.EventSource{ConnectionID: conn.String(), Object: "Account", RecordID: recordID, RecordHash: hash},
	}
}

// TestAAMErrorsWrapBothSentinels: errors match aam's sentinels (for the
// mesh) and this package's (for code that knows the backend).
func TestAAMErrorsWrapBothSentinels(t *testing.T) {
	t.Parallel()
	a, _, ctx, tenant, _ := aamSetup(t)

	_, err := a.Connection(ctx, tenant, uuid.New())
	require.ErrorIs(t, err, aam.ErrNotFound)
	require.ErrorIs(t, err, pgstore.ErrNotFound)

	err = a.CreateConnection(ctx, tenant, aam.Connection{ID: uuid.New(), Name: "crm", Type: "filesource"})
	require.ErrorIs(t, err, aam.ErrConflict)
	require.ErrorIs(t, err, pgstore.ErrConflict)
	require.Contains(t, err.Error(), "pgstore: create connection")

	_, err = a.ReadEvents(ctx, tenant, 0, 0, "")
	require.ErrorIs(t, err, aam.ErrInvalid, "a limit below 1")
}

// TestAAMUnknownConnection: writes that name a connection the tenant does
// not have fail, and take their batch down with them.
func TestAAMUnknownConnection(t *testing.T) {
	t.Parallel()
	a, _, ctx, tenant, conn := aamSetup(t)
	missing := uuid.New()

	_, err := a.PutMapping(ctx, tenant, aam.PutMapping{
		MappingKey: aam.MappingKey{ConnectionID: missing, Object: "Account"},
		Mapping:    canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{{Source: "Id", Target: "account_id", Confidence: 1}}},
		Author:     "user:1",
	})
	require.ErrorIs(t, err, aam.ErrNotFound)

	ev := accountEvent(tenant, conn, "1", map[string]any{"account_id": "1"})
	_, err = a.Append(ctx, tenant, aam.Batch{
		Events:     []canonical.Event{ev},
		Checkpoint: &aam.Checkpoint{ConnectionID: missing, Object: "Account", Cursor: "x"},
	})
	require.ErrorIs(t, err, aam.ErrInvalid)
	evs, err := a.ReadEvents(ctx, tenant, 0, 10, "")
	require.NoError(t, err)
	require.Empty(t, evs)
}

// TestAAMDeleteConnectionCascades: a deleted connection takes its
// mappings, checkpoints, quarantine, snapshots and drift events along; its
// events stay in the stream.
func TestAAMDeleteConnectionCascades(t *testing.T) {
	t.Parallel()
	a, store := newAAM(t)
	ctx := t.Context()
	acme, err := a.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	tenant := acme.ID
	seedAAM(t, ctx, a, tenant)
	list, err := a.Connections(ctx, tenant)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.NoError(t, a.DeleteConnection(ctx, tenant, list[0].ID))
	require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		for _, table := range []string{"mapping_versions", "checkpoints", "quarantine", "schema_snapshots", "drift_events", "connections"} {
			require.Zero(t, count(t, ctx, tx, "SELECT count(*) FROM "+table), table)
		}
		require.Equal(t, 1, count(t, ctx, tx, "SELECT count(*) FROM canonical_streams"))
		return nil
	}))
}

// TestAAMStoresNUL: PostgreSQL cannot keep NUL in jsonb; a value holding
// one is stored with U+FFFD in its place rather than failing its batch,
// and an escaped backslash before "u0000" is left alone.
func TestAAMStoresNUL(t *testing.T) {
	t.Parallel()
	a, _, ctx, tenant, conn := aamSetup(t)
	ev := accountEvent(tenant, conn, "1", map[string]any{"account_id": "1", "account_name": "Acme\x00Corp", "description": `literal \u0000`})
	ev.Extras = map[string]any{"Note": "\x00"}
	_, err := a.Append(ctx, tenant, aam.Batch{
		Events:     []canonical.Event{ev},
		Quarantine: []aam.QuarantinedRecord{{ConnectionID: conn, Object: "Account", RecordID: "2", Raw: map[string]any{"Name": "a\x00"}, Reason: "bad"}},
	})
	require.NoError(t, err)
	evs, err := a.ReadEvents(ctx, tenant, 0, 10, "")
	require.NoError(t, err)
	require.Len(t, evs, 1)
	require.Equal(t, "Acme\uFFFDCorp", evs[0].Data["account_name"])
	require.Equal(t, `literal \u0000`, evs[0].Data["description"])
	require.Equal(t, "\uFFFD", evs[0].Extras["Note"])
	q, err := a.Quarantined(ctx, tenant, conn, "")
	require.NoError(t, err)
	require.Equal(t, "a\uFFFD", q[0].Raw["Name"])
}

// TestAAMNumbersKeepPrecision: integral numbers in data, extras, raw
// records and snapshots come back as int64, exactly.
func TestAAMNumbersKeepPrecision(t *testing.T) {
	t.Parallel()
	a, _, ctx, tenant, conn := aamSetup(t)
	const big = int64(1)<<62 + 1
	ev := accountEvent(tenant, conn, "1", map[string]any{"account_id": "1", "employee_count": big})
	ev.Extras = map[string]any{"n": []any{big, 0.5}}
	_, err := a.Append(ctx, tenant, aam.Batch{Events: []canonical.Event{ev}})
	require.NoError(t, err)
	evs, err := a.ReadEvents(ctx, tenant, 0, 10, "")
	require.NoError(t, err)
	require.Equal(t, big, evs[0].Data["employee_count"])
	require.Equal(t, []any{big, 0.5}, evs[0].Extras["n"])

	snap := aam.SchemaSnapshot{
		ConnectionID: conn, Object: "Account", Fingerprint: "fp",
		Schema:  canonical.SourceSchema{Object: "Account", Fields: []canonical.SourceField{{Name: "n", Type: canonical.TypeInteger, Samples: []any{big}}}},
		Records: map[string]map[string]any{"1": {"n": big}},
	}
	drift := &aam.DriftEvent{ConnectionID: conn, Object: "Account", Changes: json.RawMessage(`[]`)}
	require.NoError(t, a.SaveSnapshot(ctx, tenant, snap, drift))
	require.NotEqual(t, uuid.Nil, drift.ID, "a nil drift id is assigned")
	require.False(t, drift.DetectedAt.IsZero())
	got, err := a.LatestSnapshot(ctx, tenant, conn, "Account")
	require.NoError(t, err)
	require.Equal(t, []any{big}, got.Schema.Fields[0].Samples)
	require.Equal(t, big, got.Records["1"]["n"])
	require.False(t, got.ObservedAt.IsZero(), "a zero observed_at is stored as now")
}

// TestAAMAppendLargeBatch: a batch larger than a staging chunk keeps batch
// order and consecutive offsets across chunks, skips what is already in the
// stream, and an event that cannot be encoded late in the batch fails all of
// it.
func TestAAMAppendLargeBatch(t *testing.T) {
	t.Parallel()
	a, _, ctx, tenant, conn := aamSetup(t)
	evs := benchBatch(tenant, conn, 1, 20_000)
	first, err := a.Append(ctx, tenant, aam.Batch{Events: evs[5_000:6_000]})
	require.NoError(t, err)
	require.Equal(t, int64(1000), first.LastOffset)

	res, err := a.Append(ctx, tenant, aam.Batch{Events: evs})
	require.NoError(t, err)
	require.Equal(t, 19_000, res.Appended)
	require.Equal(t, 1_000, res.Duplicates)
	require.Equal(t, int64(1_000+20_000), res.LastOffset, "offsets of the skipped events stay unused")

	stored, err := a.ReadEvents(ctx, tenant, first.LastOffset, 1<<20, "")
	require.NoError(t, err)
	require.Len(t, stored, 19_000)
	for i, e := range stored {
		pos := i
		if i >= 5_000 {
			pos += 1_000
		}
		require.Equal(t, evs[pos].EventID, e.EventID)
		require.Equal(t, first.LastOffset+int64(pos)+1, e.Offset)
	}

	more := benchBatch(tenant, conn, 2, 20_000)
	more[15_000].Data["probability"] = math.NaN()
	_, err = a.Append(ctx, tenant, aam.Batch{
		Events:     more,
		Checkpoint: &aam.Checkpoint{ConnectionID: conn, Object: "Opportunity", Cursor: "x"},
	})
	require.ErrorIs(t, err, aam.ErrInvalid)
	after, err := a.ReadEvents(ctx, tenant, res.LastOffset, 10, "")
	require.NoError(t, err)
	require.Empty(t, after, "no chunk of a failed batch stays")
	cur, err := a.Checkpoint(ctx, tenant, conn, "Opportunity")
	require.NoError(t, err)
	require.Empty(t, cur)
}
