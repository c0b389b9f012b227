package duckstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/aam/aamtest"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/internal/testenv"
)

// newAAM opens a store on a fresh data directory, closed at cleanup.
func newAAM(t testing.TB) (*duckstore.AAM, *duckstore.Store) {
	t.Helper()
	s, err := duckstore.Open(testenv.Context(t), testenv.DataDir(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	a, err := duckstore.NewAAM(s)
	require.NoError(t, err)
	return a, s
}

func TestAAMConformance(t *testing.T) {
	t.Parallel()
	aamtest.Run(t, func(t *testing.T) aam.Store {
		a, _ := newAAM(t)
		return a
	})
}

func TestNewAAMNilStore(t *testing.T) {
	t.Parallel()
	_, err := duckstore.NewAAM(nil)
	require.ErrorIs(t, err, aam.ErrInvalid)
}

// fixture is a store with tenant A, B and a connection of A.
type fixture struct {
	ctx  context.Context
	a    *duckstore.AAM
	s    *duckstore.Store
	ta   aam.Tenant
	tb   aam.Tenant
	conn aam.Connection
}

func setup(t *testing.T) *fixture {
	t.Helper()
	a, s := newAAM(t)
	f := &fixture{ctx: testenv.Context(t), a: a, s: s}
	var err error
	f.ta, err = a.CreateTenant(f.ctx, "tenant-a")
	require.NoError(t, err)
	f.tb, err = a.CreateTenant(f.ctx, "tenant-b")
	require.NoError(t, err)
	f.conn = aam.Connection{ID: uuid.New(), Name: "crm", Type: "filesource", Config: connectors.Config{"root": "/data"}}
	require.NoError(t, a.CreateConnection(f.ctx, f.ta.ID, f.conn))
	return f
}

// event builds a small account event of tenant for connection.
func event(tenant, connection uuid.UUID, recordID string, rev int) canonical.Event {
	source := map[string]any{"Id": recordID, "Name": fmt.Sprintf("Acme %s %d", recordID, rev)}
	hash := canonical.RecordHash(source)
	return canonical.Event{
		EventID: canonical.EventID(tenant.String(), connection.String(), "Account", recordID, hash),
		Entity:  "account",
		Op:      canonical.OpUpsert,
		Data:    map[string]any{"account_id": recordID, "account_name": source["Name"], "employee_count": int64(rev)},
		Extras:  map[string]any{"Big": int64(1) << 60, "Ratio": 0.125},
		Meta: canonical.EventMeta{
			TenantID: tenant.String(), TraceID: "trace", MappingVersion: 1, SchemaVersion: canonical.SchemaVersion,
			EmittedAt: time.Now().UTC().Truncate(time.Microsecond),
		},
		Source: canonical.EventSource{
			System: "filesource", ConnectionID: connection.String(), Object: "Account", RecordID: recordID, RecordHash: hash,
		},
	}
}

func events(tenant, connection uuid.UUID, n, rev int) []canonical.Event {
	out := make([]canonical.Event, n)
	for i := range out {
		out[i] = event(tenant, connection, fmt.Sprintf("001%05d", i), rev)
	}
	return out
}

func TestAAMSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := testenv.DataDir(t)
	ctx := testenv.Context(t)
	s, err := duckstore.Open(ctx, dir)
	require.NoError(t, err)
	a, err := duckstore.NewAAM(s)
	require.NoError(t, err)
	tn, err := a.CreateTenant(ctx, "acme")
	require.NoError(t, err)
	conn := aam.Connection{ID: uuid.New(), Name: "crm", Type: "filesource", SealedSecrets: []byte{1, 2, 3}}
	require.NoError(t, a.CreateConnection(ctx, tn.ID, conn))
	key := aam.MappingKey{ConnectionID: conn.ID, Object: "Account"}
	mv, err := a.PutMapping(ctx, tn.ID, aam.PutMapping{
		MappingKey: key, Author: "user:1", Reason: "first",
		Mapping: canonical.Mapping{Entity: "account", Object: "Account",
			Fields: []canonical.FieldMapping{{Source: "Id", Target: "account_id", Confidence: 1}}},
	})
	require.NoError(t, err)
	evs := events(tn.ID, conn.ID, 10, 0)
	res, err := a.Append(ctx, tn.ID, aam.Batch{
		Events:     evs,
		Quarantine: []aam.QuarantinedRecord{{ConnectionID: conn.ID, Object: "Account", RecordID: "bad", Raw: map[string]any{"Id": "bad"}, Reason: "no name", MappingVersion: 1}},
		Checkpoint: &aam.Checkpoint{ConnectionID: conn.ID, Object: "Account", Cursor: "line:11"},
	})
	require.NoError(t, err)
	require.Equal(t, 10, res.Appended)
	require.NoError(t, s.Close())

	s, err = duckstore.Open(ctx, dir)
	require.NoError(t, err)
	defer s.Close()
	a, err = duckstore.NewAAM(s)
	require.NoError(t, err)
	got, err := a.ReadEvents(ctx, tn.ID, 0, 100, "")
	require.NoError(t, err)
	require.Len(t, got, 10)
	for i, e := range got {
		require.Equal(t, evs[i].EventID, e.EventID)
		require.Equal(t, int64(i+1), e.Offset)
	}
	cur, err := a.Checkpoint(ctx, tn.ID, conn.ID, "Account")
	require.NoError(t, err)
	require.Equal(t, connectors.Cursor("line:11"), cur)
	active, err := a.ActiveMapping(ctx, tn.ID, key)
	require.NoError(t, err)
	require.Equal(t, mv.Version, active.Version)
	require.Equal(t, "first", active.Reason)
	q, err := a.Quarantined(ctx, tn.ID, conn.ID, "")
	require.NoError(t, err)
	require.Len(t, q, 1)
	c, err := a.Connection(ctx, tn.ID, conn.ID)
	require.NoError(t, err)
	require.Equal(t, []byte{1, 2, 3}, c.SealedSecrets)

	// The stream continues after the offsets written before the restart.
	more, err := a.Append(ctx, tn.ID, aam.Batch{Events: events(tn.ID, conn.ID, 12, 0)})
	require.NoError(t, err)
	require.Equal(t, 2, more.Appended)
	require.Equal(t, 10, more.Duplicates)
	got, err = a.ReadEvents(ctx, tn.ID, 10, 100, "")
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Greater(t, got[0].Offset, int64(10))
	require.Equal(t, got[1].Offset, more.LastOffset)
}

func TestAAMAppendLastOffsetWithDuplicatesInside(t *testing.T) {
	t.Parallel()
	f := setup(t)
	first := events(f.ta.ID, f.conn.ID, 5, 0)
	res, err := f.a.Append(f.ctx, f.ta.ID, aam.Batch{Events: first[1:4]})
	require.NoError(t, err)
	require.Equal(t, int64(3), res.LastOffset)

	// New, duplicate, new, duplicate: the last new one ends the stream.
	res, err = f.a.Append(f.ctx, f.ta.ID, aam.Batch{Events: []canonical.Event{first[0], first[1], first[4], first[3]}})
	require.NoError(t, err)
	require.Equal(t, 2, res.Appended)
	require.Equal(t, 2, res.Duplicates)
	all, err := f.a.ReadEvents(f.ctx, f.ta.ID, 0, 100, "")
	require.NoError(t, err)
	require.Len(t, all, 5)
	require.Equal(t, all[4].Offset, res.LastOffset)
	require.Equal(t, first[4].EventID, all[4].EventID)

	// All duplicates: the head stays.
	again, err := f.a.Append(f.ctx, f.ta.ID, aam.Batch{Events: first})
	require.NoError(t, err)
	require.Zero(t, again.Appended)
	require.Equal(t, res.LastOffset, again.LastOffset)
}

func TestAAMAppendLargeBatchRoundTrips(t *testing.T) {
	t.Parallel()
	f := setup(t)
	evs := events(f.ta.ID, f.conn.ID, 10_000, 0)
	res, err := f.a.Append(f.ctx, f.ta.ID, aam.Batch{Events: evs})
	require.NoError(t, err)
	require.Equal(t, len(evs), res.Appended)
	require.Equal(t, int64(len(evs)), res.LastOffset)
	got, err := f.a.ReadEvents(f.ctx, f.ta.ID, 9_990, 100, "account")
	require.NoError(t, err)
	require.Len(t, got, 10)
	for i, e := range got {
		want := evs[9_990+i]
		require.Equal(t, want.EventID, e.EventID)
		require.Equal(t, int64(1)<<60, e.Extras["Big"], "large integers survive")
		require.Equal(t, want.Data["employee_count"], e.Data["employee_count"])
		require.True(t, want.Meta.EmittedAt.Equal(e.Meta.EmittedAt))
	}
}

func TestAAMAppendCancelledMidwayLeavesNothing(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx, cancel := context.WithCancel(f.ctx)
	evs := events(f.ta.ID, f.conn.ID, 50_000, 0)
	// An event whose data cannot be encoded stops the Appender midway,
	// after many rows were appended.
	evs[40_000].Data = map[string]any{"bad": make(chan int)}
	_, err := f.a.Append(ctx, f.ta.ID, aam.Batch{
		Events:     evs,
		Checkpoint: &aam.Checkpoint{ConnectionID: f.conn.ID, Object: "Account", Cursor: "x"},
	})
	cancel()
	require.ErrorIs(t, err, aam.ErrInvalid, "data that cannot be encoded is invalid")
	got, err := f.a.ReadEvents(f.ctx, f.ta.ID, 0, 10, "")
	require.NoError(t, err)
	require.Empty(t, got)
	cur, err := f.a.Checkpoint(f.ctx, f.ta.ID, f.conn.ID, "Account")
	require.NoError(t, err)
	require.Empty(t, cur)
	// The connection that failed is usable again: a good batch goes in.
	res, err := f.a.Append(f.ctx, f.ta.ID, aam.Batch{Events: events(f.ta.ID, f.conn.ID, 3, 0)})
	require.NoError(t, err)
	require.Equal(t, 3, res.Appended)
	require.Equal(t, int64(3), res.LastOffset)
}

func TestAAMResolveAndQuarantineAgainInOneBatch(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rec := aam.QuarantinedRecord{ConnectionID: f.conn.ID, Object: "Account", RecordID: "r1", Raw: map[string]any{"Id": "r1"}, Reason: "one", MappingVersion: 1}
	_, err := f.a.Append(f.ctx, f.ta.ID, aam.Batch{Quarantine: []aam.QuarantinedRecord{rec}})
	require.NoError(t, err)
	q, err := f.a.Quarantined(f.ctx, f.ta.ID, f.conn.ID, "Account")
	require.NoError(t, err)
	require.Len(t, q, 1)

	rec.Reason = "two"
	_, err = f.a.Append(f.ctx, f.ta.ID, aam.Batch{Resolved: []int64{q[0].ID}, Quarantine: []aam.QuarantinedRecord{rec, rec}})
	require.NoError(t, err)
	again, err := f.a.Quarantined(f.ctx, f.ta.ID, f.conn.ID, "Account")
	require.NoError(t, err)
	require.Len(t, again, 1, "one entry per source record")
	require.Equal(t, "two", again[0].Reason)
}

// TestAAMTenantIsolation covers what the conformance suite leaves out:
// writes of tenant B that name A's connection.
func TestAAMTenantIsolation(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := aam.MappingKey{ConnectionID: f.conn.ID, Object: "Account"}
	_, err := f.a.PutMapping(f.ctx, f.ta.ID, aam.PutMapping{
		MappingKey: key, Author: "user:a", Mapping: canonical.Mapping{Entity: "account", Object: "Account"},
	})
	require.NoError(t, err)
	now := time.Now().UTC()
	require.NoError(t, f.a.SaveSnapshot(f.ctx, f.ta.ID,
		aam.SchemaSnapshot{ConnectionID: f.conn.ID, Object: "Account", Fingerprint: "fp1", ObservedAt: now},
		&aam.DriftEvent{ConnectionID: f.conn.ID, Object: "Account", FromFingerprint: "fp0", ToFingerprint: "fp1"}))
	_, err = f.a.Append(f.ctx, f.ta.ID, aam.Batch{
		Quarantine: []aam.QuarantinedRecord{{ConnectionID: f.conn.ID, Object: "Account", RecordID: "r", Raw: map[string]any{}, Reason: "x"}},
		Checkpoint: &aam.Checkpoint{ConnectionID: f.conn.ID, Object: "Account", Cursor: "a"},
	})
	require.NoError(t, err)

	// B cannot write rows under A's connection.
	_, err = f.a.PutMapping(f.ctx, f.tb.ID, aam.PutMapping{
		MappingKey: key, Author: "user:b", Mapping: canonical.Mapping{Entity: "account", Object: "Account"},
	})
	require.ErrorIs(t, err, aam.ErrNotFound)
	_, err = f.a.Append(f.ctx, f.tb.ID, aam.Batch{Checkpoint: &aam.Checkpoint{ConnectionID: f.conn.ID, Object: "Account", Cursor: "b"}})
	require.ErrorIs(t, err, aam.ErrInvalid)
	_, err = f.a.Append(f.ctx, f.tb.ID, aam.Batch{
		Quarantine: []aam.QuarantinedRecord{{ConnectionID: f.conn.ID, Object: "Account", RecordID: "r", Raw: map[string]any{}, Reason: "b"}},
	})
	require.ErrorIs(t, err, aam.ErrInvalid)
	err = f.a.SaveSnapshot(f.ctx, f.tb.ID, aam.SchemaSnapshot{ConnectionID: f.conn.ID, Object: "Account", Fingerprint: "fpB"}, nil)
	require.ErrorIs(t, err, aam.ErrInvalid)

	// B's connection of the same name, deleted, takes none of A's rows.
	cb := aam.Connection{ID: uuid.New(), Name: "crm", Type: "filesource"}
	require.NoError(t, f.a.CreateConnection(f.ctx, f.tb.ID, cb))
	require.NoError(t, f.a.DeleteConnection(f.ctx, f.tb.ID, cb.ID))

	hist, err := f.a.MappingHistory(f.ctx, f.ta.ID, key)
	require.NoError(t, err)
	require.Len(t, hist, 1)
	snap, err := f.a.LatestSnapshot(f.ctx, f.ta.ID, f.conn.ID, "Account")
	require.NoError(t, err)
	require.Equal(t, "fp1", snap.Fingerprint)
	drift, err := f.a.DriftEvents(f.ctx, f.ta.ID, uuid.Nil)
	require.NoError(t, err)
	require.Len(t, drift, 1)
	cur, err := f.a.Checkpoint(f.ctx, f.ta.ID, f.conn.ID, "Account")
	require.NoError(t, err)
	require.Equal(t, connectors.Cursor("a"), cur)
	q, err := f.a.Quarantined(f.ctx, f.ta.ID, f.conn.ID, "")
	require.NoError(t, err)
	require.Len(t, q, 1)
	require.Equal(t, "x", q[0].Reason)
}

func TestAAMDeleteConnectionTakesItsRows(t *testing.T) {
	t.Parallel()
	f := setup(t)
	key := aam.MappingKey{ConnectionID: f.conn.ID, Object: "Account"}
	_, err := f.a.PutMapping(f.ctx, f.ta.ID, aam.PutMapping{
		MappingKey: key, Author: "user:a", Mapping: canonical.Mapping{Entity: "account", Object: "Account"},
	})
	require.NoError(t, err)
	require.NoError(t, f.a.SaveSnapshot(f.ctx, f.ta.ID,
		aam.SchemaSnapshot{ConnectionID: f.conn.ID, Object: "Account", Fingerprint: "fp1"},
		&aam.DriftEvent{ConnectionID: f.conn.ID, Object: "Account", FromFingerprint: "fp0", ToFingerprint: "fp1"}))
	evs := events(f.ta.ID, f.conn.ID, 2, 0)
	_, err = f.a.Append(f.ctx, f.ta.ID, aam.Batch{
		Events:     evs,
		Quarantine: []aam.QuarantinedRecord{{ConnectionID: f.conn.ID, Object: "Account", RecordID: "r", Raw: map[string]any{}, Reason: "x"}},
		Checkpoint: &aam.Checkpoint{ConnectionID: f.conn.ID, Object: "Account", Cursor: "a"},
	})
	require.NoError(t, err)

	require.NoError(t, f.a.DeleteConnection(f.ctx, f.ta.ID, f.conn.ID))
	// Recreated under the same id, the connection starts empty.
	require.NoError(t, f.a.CreateConnection(f.ctx, f.ta.ID, f.conn))
	_, err = f.a.ActiveMapping(f.ctx, f.ta.ID, key)
	require.ErrorIs(t, err, aam.ErrNotFound)
	_, err = f.a.LatestSnapshot(f.ctx, f.ta.ID, f.conn.ID, "Account")
	require.ErrorIs(t, err, aam.ErrNotFound)
	drift, err := f.a.DriftEvents(f.ctx, f.ta.ID, f.conn.ID)
	require.NoError(t, err)
	require.Empty(t, drift)
	cur, err := f.a.Checkpoint(f.ctx, f.ta.ID, f.conn.ID, "Account")
	require.NoError(t, err)
	require.Empty(t, cur)
	q, err := f.a.Quarantined(f.ctx, f.ta.ID, f.conn.ID, "")
	require.NoError(t, err)
	require.Empty(t, q)
	// The stream is history: the events stay.
	got, err := f.a.ReadEvents(f.ctx, f.ta.ID, 0, 10, "")
	require.NoError(t, err)
	require.Len(t, got, 2)
}

// TestAAMTwoAdaptersOnOneStore checks that appends through two AAMs of one
// store (each with its own lock and head cache) still give every event one
// offset, in commit order.
func TestAAMTwoAdaptersOnOneStore(t *testing.T) {
	t.Parallel()
	f := setup(t)
	other, err := duckstore.NewAAM(f.s)
	require.NoError(t, err)
	var last int64
	for i := range 6 {
		st := f.a
		if i%2 == 1 {
			st = other
		}
		res, err := st.Append(f.ctx, f.ta.ID, aam.Batch{Events: []canonical.Event{event(f.ta.ID, f.conn.ID, fmt.Sprintf("r%d", i), 0)}})
		require.NoError(t, err)
		require.Equal(t, 1, res.Appended)
		require.Greater(t, res.LastOffset, last)
		last = res.LastOffset
	}
	got, err := f.a.ReadEvents(f.ctx, f.ta.ID, 0, 100, "")
	require.NoError(t, err)
	require.Len(t, got, 6)
}
