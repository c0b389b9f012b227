package aamtest

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

func snapshot(connection uuid.UUID, object, fingerprint string, at time.Time, nameField string) aam.SchemaSnapshot {
	return aam.SchemaSnapshot{
		ConnectionID: connection,
		Object:       object,
		Fingerprint:  fingerprint,
		Schema: canonical.SourceSchema{
			System: "filesource",
			Object: object,
			Fields: []canonical.SourceField{
				{Name: "Id", Type: canonical.TypeString, Samples: []any{"001", "002"}},
				{Name: nameField, Type: canonical.TypeString, Samples: []any{"Acme", "Globex"}},
				{Name: "Employees", Type: canonical.TypeInteger, Samples: []any{int64(12), int64(9000)}},
				{Name: "Revenue", Type: canonical.TypeNumber, Samples: []any{1.5, 2e6}},
			},
		},
		Records: map[string]map[string]any{
			"001": {"Id": "001", nameField: "Acme", "Employees": int64(12), "Revenue": 1.5},
			"002": {"Id": "002", nameField: "Globex", "Employees": int64(9000), "Revenue": nil},
		},
		ObservedAt: at,
	}
}

func driftEvent(connection uuid.UUID, object, from, to string, breaking bool, at time.Time) *aam.DriftEvent {
	return &aam.DriftEvent{
		ID:              uuid.New(),
		ConnectionID:    connection,
		Object:          object,
		FromFingerprint: from,
		ToFingerprint:   to,
		Breaking:        breaking,
		Changes:         json.RawMessage(`[{"kind": "renamed", "field": "Name", "new_field": "CompanyName", "evidence": {"record_agreement": 1}}]`),
		DetectedAt:      at,
	}
}

func requireSnapshot(t *testing.T, want, got aam.SchemaSnapshot) {
	t.Helper()
	require.Equal(t, want.ConnectionID, got.ConnectionID)
	require.Equal(t, want.Object, got.Object)
	require.Equal(t, want.Fingerprint, got.Fingerprint)
	requireJSONEq(t, want.Schema, got.Schema, "schema")
	requireJSONEq(t, want.Records, got.Records, "records")
	require.True(t, want.ObservedAt.Equal(got.ObservedAt), "observed_at %v, got %v", want.ObservedAt, got.ObservedAt)
}

func requireDrift(t *testing.T, want *aam.DriftEvent, got aam.DriftEvent) {
	t.Helper()
	require.Equal(t, want.ID, got.ID)
	require.Equal(t, want.ConnectionID, got.ConnectionID)
	require.Equal(t, want.Object, got.Object)
	require.Equal(t, want.FromFingerprint, got.FromFingerprint)
	require.Equal(t, want.ToFingerprint, got.ToFingerprint)
	require.Equal(t, want.Breaking, got.Breaking)
	require.JSONEq(t, string(want.Changes), string(got.Changes))
	require.True(t, want.DetectedAt.Equal(got.DetectedAt), "detected_at %v, got %v", want.DetectedAt, got.DetectedAt)
}

var schemaTests = []test{
	{"Snapshots", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "files")
		_, err := f.s.LatestSnapshot(f.ctx, f.a.ID, c.ID, "accounts.csv")
		requireIs(t, err, aam.ErrNotFound, "no snapshot yet")

		t0 := now().Add(-time.Hour)
		s1 := snapshot(c.ID, "accounts.csv", "fp1", t0, "Name")
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID, s1, nil))
		got, err := f.s.LatestSnapshot(f.ctx, f.a.ID, c.ID, "accounts.csv")
		require.NoError(t, err)
		requireSnapshot(t, s1, got)

		s2 := snapshot(c.ID, "accounts.csv", "fp2", t0.Add(time.Minute), "CompanyName")
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID, s2, nil))
		other := snapshot(c.ID, "contacts.csv", "fp9", t0.Add(2*time.Minute), "Name")
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID, other, nil))
		got, err = f.s.LatestSnapshot(f.ctx, f.a.ID, c.ID, "accounts.csv")
		require.NoError(t, err)
		requireSnapshot(t, s2, got)
		got, err = f.s.LatestSnapshot(f.ctx, f.a.ID, c.ID, "contacts.csv")
		require.NoError(t, err)
		requireSnapshot(t, other, got)

		events, err := f.s.DriftEvents(f.ctx, f.a.ID, uuid.Nil)
		require.NoError(t, err)
		require.Empty(t, events, "snapshots without drift record none")
	}},
	{"DriftEvents", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "files")
		c2 := f.conn(t, f.a.ID, "crm")
		t0 := now().Add(-time.Hour)
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID, snapshot(c.ID, "accounts.csv", "fp1", t0, "Name"), nil))

		d1 := driftEvent(c.ID, "accounts.csv", "fp1", "fp2", true, t0.Add(time.Minute))
		s2 := snapshot(c.ID, "accounts.csv", "fp2", t0.Add(time.Minute), "CompanyName")
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID, s2, d1))
		got, err := f.s.LatestSnapshot(f.ctx, f.a.ID, c.ID, "accounts.csv")
		require.NoError(t, err)
		requireSnapshot(t, s2, got)

		d2 := driftEvent(c2.ID, "Account", "fpA", "fpB", false, t0.Add(2*time.Minute))
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID, snapshot(c2.ID, "Account", "fpB", t0.Add(2*time.Minute), "Name"), d2))
		d3 := driftEvent(c.ID, "accounts.csv", "fp2", "fp3", false, t0.Add(3*time.Minute))
		d3.Changes = json.RawMessage(`[]`)
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID, snapshot(c.ID, "accounts.csv", "fp3", t0.Add(3*time.Minute), "Title"), d3))

		all, err := f.s.DriftEvents(f.ctx, f.a.ID, uuid.Nil)
		require.NoError(t, err)
		require.Len(t, all, 3)
		requireDrift(t, d3, all[0])
		requireDrift(t, d2, all[1])
		requireDrift(t, d1, all[2])

		mine, err := f.s.DriftEvents(f.ctx, f.a.ID, c.ID)
		require.NoError(t, err)
		require.Len(t, mine, 2, "connection filter")
		requireDrift(t, d3, mine[0])
		requireDrift(t, d1, mine[1])
	}},
	{"Atomic", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "files")
		t0 := now().Add(-time.Hour)
		d1 := driftEvent(c.ID, "accounts.csv", "fp1", "fp2", true, t0)
		s1 := snapshot(c.ID, "accounts.csv", "fp2", t0, "Name")
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID, s1, d1))

		// A drift event that cannot be stored (its id is taken) takes its
		// snapshot down with it.
		dup := driftEvent(c.ID, "accounts.csv", "fp2", "fp3", false, t0.Add(time.Minute))
		dup.ID = d1.ID
		err := f.s.SaveSnapshot(f.ctx, f.a.ID, snapshot(c.ID, "accounts.csv", "fp3", t0.Add(time.Minute), "Title"), dup)
		require.Error(t, err)
		require.True(t, errors.Is(err, aam.ErrConflict), "a taken drift event id wraps ErrConflict, got %v", err)
		got, err := f.s.LatestSnapshot(f.ctx, f.a.ID, c.ID, "accounts.csv")
		require.NoError(t, err)
		requireSnapshot(t, s1, got)
		all, err := f.s.DriftEvents(f.ctx, f.a.ID, uuid.Nil)
		require.NoError(t, err)
		require.Len(t, all, 1)
	}},
	{"Invalid", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "files")
		s := snapshot(c.ID, "", "fp1", now(), "Name")
		requireIs(t, f.s.SaveSnapshot(f.ctx, f.a.ID, s, nil), aam.ErrInvalid, "empty object")
		s = snapshot(uuid.Nil, "accounts.csv", "fp1", now(), "Name")
		requireIs(t, f.s.SaveSnapshot(f.ctx, f.a.ID, s, nil), aam.ErrInvalid, "nil connection")
		s = snapshot(c.ID, "accounts.csv", "fp1", now(), "Name")
		requireIs(t, f.s.SaveSnapshot(f.ctx, uuid.Nil, s, nil), aam.ErrInvalid, "nil tenant")
		_, err := f.s.LatestSnapshot(f.ctx, f.a.ID, c.ID, "accounts.csv")
		requireIs(t, err, aam.ErrNotFound, "nothing was written")
	}},
	{"Isolation", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "files")
		t0 := now()
		require.NoError(t, f.s.SaveSnapshot(f.ctx, f.a.ID,
			snapshot(c.ID, "accounts.csv", "fp2", t0, "Name"),
			driftEvent(c.ID, "accounts.csv", "fp1", "fp2", true, t0)))

		_, err := f.s.LatestSnapshot(f.ctx, f.b.ID, c.ID, "accounts.csv")
		requireIs(t, err, aam.ErrNotFound, "B reads A's snapshot")
		events, err := f.s.DriftEvents(f.ctx, f.b.ID, uuid.Nil)
		require.NoError(t, err)
		require.Empty(t, events, "B lists A's drift events")
		events, err = f.s.DriftEvents(f.ctx, f.b.ID, c.ID)
		require.NoError(t, err)
		require.Empty(t, events, "B lists A's drift events of A's connection")
		events, err = f.s.DriftEvents(f.ctx, f.a.ID, c.ID)
		require.NoError(t, err)
		require.Len(t, events, 1)
	}},
}
