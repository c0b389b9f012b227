// Package aamtest is the conformance suite of aam.Store: every storage
// adapter of the mesh (PostgreSQL, the local DuckDB store, third-party
// stores) runs it unchanged from a test of its own:
//
//	func TestConformance(t *testing.T) {
//		aamtest.Run(t, func(t *testing.T) aam.Store {
//			return newStoreOnAFreshDatabase(t)
//		})
//	}
//
// Each subtest asks newStore for a store (close it in t.Cleanup) and may run
// in parallel with the others. Subtests work with tenants of their own,
// named uniquely, and never depend on the store being empty, so newStore
// may return a fresh store each time or one store shared by all subtests
// (which also shows isolation holds beside other tenants' data).
//
// # What the suite holds an adapter to
//
// Beyond the method contracts of aam.Store, the suite checks these rules,
// which every adapter shares:
//
//   - Errors wrap aam.ErrNotFound, aam.ErrConflict and aam.ErrInvalid as the
//     contracts say; a nil tenant id, a nil connection id, an empty name or
//     object, or a negative expected version wrap aam.ErrInvalid.
//   - Every tenant-scoped method sees only the given tenant's rows: another
//     tenant's connection, mapping, event, checkpoint, quarantined record,
//     snapshot or drift event is not found, not listed, and not changed.
//   - Append rejects, with aam.ErrInvalid and before writing anything, an
//     event whose event id is not a UUID, whose meta.tenant_id is not the
//     tenant, or whose op is not upsert or delete. A failed Append (invalid
//     event, cancelled context) leaves no trace: no event, no checkpoint, no
//     quarantine change.
//   - Events read back have the JSON of the events appended (data values
//     come back as their JSON values; canonical.Registry.DecodeEvent turns
//     them into typed values again), except that meta.emitted_at, like
//     every time the store keeps, is kept to the microsecond.
//   - A duplicate event id within one batch counts as a duplicate.
//   - Quarantine keeps one entry per source record (connection, object,
//     record id): quarantining a record again replaces its reason, errors,
//     raw record and mapping version and keeps its id.
//   - Offsets of concurrent appenders of one tenant follow commit order: each
//     batch's new events occupy consecutive positions of the stream in batch
//     order, and a reader polling after the last offset it has seen ends with
//     every event exactly once.
//
// Stores are expected to be fast enough for the whole suite to finish in a
// few seconds.
package aamtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// Run runs the conformance suite against stores made by newStore, one fresh
// store per subtest. newStore must fail the test (not skip it) when its
// backend is unavailable.
func Run(t *testing.T, newStore func(t *testing.T) aam.Store) {
	t.Helper()
	groups := []struct {
		name  string
		tests []test
	}{
		{"Tenants", tenantTests},
		{"Connections", connectionTests},
		{"Mappings", mappingTests},
		{"EventLog", eventTests},
		{"LatestVersion", latestTests},
		{"Leases", leaseTests},
		{"Schemas", schemaTests},
		{"Reviews", reviewTests},
		{"Quality", qualityTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.fn(t, setup(t, newStore))
				})
			}
		})
	}
}

// test is one subtest of a group; each gets a fresh fixture.
type test struct {
	name string
	fn   func(t *testing.T, f *fixture)
}

// fixture is a store with two new tenants, A and B.
type fixture struct {
	ctx    context.Context
	s      aam.Store
	a, b   aam.Tenant
	suffix string
}

// name returns a tenant name unique to the fixture, so subtests never
// depend on the store being empty.
func (f *fixture) name(base string) string { return base + "-" + f.suffix }

func setup(t *testing.T, newStore func(t *testing.T) aam.Store) *fixture {
	t.Helper()
	s := newStore(t)
	require.NotNil(t, s, "newStore returned nil")
	ctx := t.Context()
	f := &fixture{ctx: ctx, s: s, suffix: uuid.NewString()[:8]}
	var err error
	f.a, err = s.CreateTenant(ctx, f.name("tenant-a"))
	require.NoError(t, err)
	f.b, err = s.CreateTenant(ctx, f.name("tenant-b"))
	require.NoError(t, err)
	return f
}

// conn creates a connection of tenant named name and returns it as stored.
func (f *fixture) conn(t *testing.T, tenant uuid.UUID, name string) aam.Connection {
	t.Helper()
	c := aam.Connection{
		ID:            uuid.New(),
		Name:          name,
		Type:          "filesource",
		Config:        connectors.Config{"root": "/data/" + name, "format": "csv"},
		SealedSecrets: []byte{0x01, 0x00, 0xff, 0x7f, 'x'},
	}
	require.NoError(t, f.s.CreateConnection(f.ctx, tenant, c))
	got, err := f.s.Connection(f.ctx, tenant, c.ID)
	require.NoError(t, err)
	return got
}

// requireIs fails unless err wraps target.
func requireIs(t *testing.T, err, target error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.Truef(t, errors.Is(err, target), "error %q does not wrap %q: %s", err, target, fmt.Sprint(msgAndArgs...))
}

// now returns the current time in UTC at the microsecond precision stores
// keep.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// opportunity builds an upsert event of tenant for one source record of
// connection/object, with values of every JSON-relevant Go type in data and
// extras. rev changes the content (and so the record hash and event id).
func opportunity(tenant, connection uuid.UUID, object, recordID string, rev int) canonical.Event {
	source := map[string]any{
		"Id": recordID, "Name": fmt.Sprintf("Deal %s rev %d", recordID, rev),
		"Amount": fmt.Sprintf("%d.50", 1000+rev), "Nested": map[string]any{"k": []any{1.5, "two", true, nil}},
	}
	hash := canonical.RecordHash(source)
	return canonical.Event{
		EventID: canonical.EventID(tenant.String(), connection.String(), object, recordID, hash),
		Entity:  "opportunity",
		Op:      canonical.OpUpsert,
		Data: map[string]any{
			"opportunity_id":   recordID,
			"opportunity_name": fmt.Sprintf("Deal %s rev %d", recordID, rev),
			"amount":           decimal.RequireFromString(fmt.Sprintf("%d.50", 1000+rev)),
			"probability":      decimal.RequireFromString("45.5"),
			"close_date":       canonical.CivilDate{Year: 2024, Month: time.March, Day: 1 + rev%28},
			"is_closed":        rev%2 == 1,
			"created_at":       time.Date(2024, 3, 1, 10, 22, 11, 123456789, time.UTC),
		},
		Extras: map[string]any{"Nested": map[string]any{"k": []any{1.5, "two", true, nil}}, "Big": int64(1) << 53, "Ratio": 0.25},
		Meta: canonical.EventMeta{
			TenantID:       tenant.String(),
			TraceID:        "trace-" + recordID,
			MappingVersion: 1 + rev%3,
			SchemaVersion:  canonical.SchemaVersion,
			EmittedAt:      now(),
		},
		Source: canonical.EventSource{
			System:       "salesforce",
			ConnectionID: connection.String(),
			Object:       object,
			RecordID:     recordID,
			RecordHash:   hash,
		},
	}
}

// account builds a minimal account event (another entity, for filters).
func account(tenant, connection uuid.UUID, recordID string) canonical.Event {
	source := map[string]any{"Id": recordID, "Name": "Acme " + recordID, "Employees": 12}
	hash := canonical.RecordHash(source)
	return canonical.Event{
		EventID: canonical.EventID(tenant.String(), connection.String(), "Account", recordID, hash),
		Entity:  "account",
		Op:      canonical.OpUpsert,
		Data:    map[string]any{"account_id": recordID, "account_name": "Acme " + recordID, "employee_count": int64(12)},
		Meta: canonical.EventMeta{
			TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: canonical.SchemaVersion, EmittedAt: now(),
		},
		Source: canonical.EventSource{
			System: "salesforce", ConnectionID: connection.String(), Object: "Account", RecordID: recordID, RecordHash: hash,
		},
	}
}

// requireSameEvent checks that got has the JSON of want, and that it
// decodes back into typed values.
func requireSameEvent(t *testing.T, want canonical.Event, got canonical.Event) {
	t.Helper()
	wb, err := json.Marshal(want)
	require.NoError(t, err)
	gb, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(wb), string(gb))
	reg, err := canonical.NewRegistry()
	require.NoError(t, err)
	decoded, err := reg.DecodeEvent(gb)
	require.NoError(t, err)
	db, err := json.Marshal(decoded)
	require.NoError(t, err)
	require.JSONEq(t, string(wb), string(db))
}

// requireJSONEq compares two JSON documents given as any JSON-marshalable
// values.
func requireJSONEq(t *testing.T, want, got any, msgAndArgs ...any) {
	t.Helper()
	wb, err := json.Marshal(want)
	require.NoError(t, err)
	gb, err := json.Marshal(got)
	require.NoError(t, err)
	require.JSONEq(t, string(wb), string(gb), msgAndArgs...)
}
