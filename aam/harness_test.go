package aam_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

// storeKinds are the aam.Store adapters the end-to-end tests run on.
var storeKinds = []string{"postgres", "duckdb"}

// newStore returns a fresh, migrated store of kind.
func newStore(t *testing.T, kind string) aam.Store {
	t.Helper()
	ctx := testenv.Context(t)
	switch kind {
	case "postgres":
		pool := testenv.Postgres(t)
		s, err := pgstore.New(pool, nil)
		require.NoError(t, err)
		t.Cleanup(s.Close)
		require.NoError(t, s.Migrate(ctx))
		a, err := pgstore.NewAAM(s)
		require.NoError(t, err)
		return a
	case "duckdb":
		s, err := duckstore.Open(ctx, testenv.DataDir(t))
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		a, err := duckstore.NewAAM(s)
		require.NoError(t, err)
		return a
	}
	t.Fatalf("unknown store kind %q", kind)
	return nil
}

// forEachStore runs fn as a parallel subtest per store kind.
func forEachStore(t *testing.T, fn func(t *testing.T, kind string)) {
	t.Helper()
	for _, kind := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			fn(t, kind)
		})
	}
}

// env is one mesh on one store with one tenant and a CSV directory.
type env struct {
	t      *testing.T
	ctx    context.Context
	store  aam.Store
	mesh   *aam.Mesh
	bus    *aam.MemoryBus
	conns  *connectors.Registry
	canon  *canonical.Registry
	tenant uuid.UUID
	dir    string
}

// setup makes an env; opts may be nil. The connector registry has the
// filesource type; extra registers more before the mesh is made.
func setup(t *testing.T, kind string, opts *aam.Options, extra ...func(*connectors.Registry)) *env {
	t.Helper()
	e := &env{t: t, ctx: testenv.Context(t), store: newStore(t, kind), dir: t.TempDir()}
	var err error
	e.canon, err = canonical.NewRegistry()
	require.NoError(t, err)
	e.conns = connectors.NewRegistry()
	require.NoError(t, registerFiles(e.conns))
	for _, f := range extra {
		f(e.conns)
	}
	var o aam.Options
	if opts != nil {
		o = *opts
	}
	if o.FlowBus == nil {
		e.bus = aam.NewMemoryBus(&aam.MemoryBusOptions{Buffer: 4096})
		o.FlowBus = e.bus
	}
	e.mesh, err = aam.New(e.canon, e.conns, e.store, &o)
	require.NoError(t, err)
	e.tenant = e.newTenant()
	return e
}

func (e *env) newTenant() uuid.UUID {
	e.t.Helper()
	tn, err := e.store.CreateTenant(e.ctx, testenv.Name("tenant"))
	require.NoError(e.t, err)
	return tn.ID
}

// write writes a file of the CSV directory.
func (e *env) write(name string, lines ...string) {
	e.t.Helper()
	require.NoError(e.t, os.WriteFile(filepath.Join(e.dir, name), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
}

// appendLines appends lines to a file of the CSV directory.
func (e *env) appendLines(name string, lines ...string) {
	e.t.Helper()
	f, err := os.OpenFile(filepath.Join(e.dir, name), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(e.t, err)
	_, err = f.WriteString(strings.Join(lines, "\n") + "\n")
	require.NoError(e.t, err)
	require.NoError(e.t, f.Close())
}

// fileConnection creates a filesource connection on the CSV directory.
func (e *env) fileConnection(tenant uuid.UUID) aam.Connection {
	e.t.Helper()
	c, err := e.mesh.CreateConnection(e.ctx, tenant, testenv.Name("files"), filesource.Name, connectors.Config{"root": e.dir})
	require.NoError(e.t, err)
	return c
}

// contactMapping maps contacts.csv to the contact entity; withEmail adds
// the email field.
func contactMapping(withEmail bool) canonical.Mapping {
	m := canonical.Mapping{Entity: "contact", Fields: []canonical.FieldMapping{
		{Source: "id", Target: "contact_id", Confidence: 1},
		{Source: "first_name", Target: "first_name", Confidence: 1},
		{Source: "last_name", Target: "last_name", Confidence: 1},
	}}
	if withEmail {
		m.Fields = append(m.Fields, canonical.FieldMapping{Source: "email", Target: "email", Confidence: 1})
	}
	return m
}

func (e *env) putMapping(tenant, conn uuid.UUID, object string, expected int, m canonical.Mapping) aam.MappingVersion {
	e.t.Helper()
	v, err := e.mesh.PutMapping(e.ctx, tenant, aam.PutMapping{
		MappingKey:      aam.MappingKey{ConnectionID: conn, Object: object},
		ExpectedVersion: expected, Mapping: m, Author: "test", Reason: "test mapping",
	})
	require.NoError(e.t, err)
	return v
}

// events returns every event of the tenant's stream.
func (e *env) events(tenant uuid.UUID) []aam.StoredEvent {
	e.t.Helper()
	var all []aam.StoredEvent
	after := int64(0)
	for {
		page, err := e.mesh.Events(e.ctx, tenant, after, 1000, "")
		require.NoError(e.t, err)
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Offset
	}
}

// identities returns "record_id/record_hash" of events, sorted, failing on
// repeats.
func identities(t *testing.T, evs []aam.StoredEvent) []string {
	t.Helper()
	seen := make(map[string]bool, len(evs))
	out := make([]string, 0, len(evs))
	for _, ev := range evs {
		k := ev.Source.Object + "/" + ev.Source.RecordID + "/" + ev.Source.RecordHash
		require.False(t, seen[k], "event %s appears twice", k)
		seen[k] = true
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// contactRows returns n CSV rows id,first_name,last_name,email.
func contactRows(from, n int) []string {
	rows := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		rows = append(rows, fmt.Sprintf("%d,First%d,Last%d,USER%d@Example.com", i, i, i, i))
	}
	return rows
}

// byRecord indexes events by record id (the latest wins).
func byRecord(evs []aam.StoredEvent) map[string]aam.StoredEvent {
	m := make(map[string]aam.StoredEvent, len(evs))
	for _, ev := range evs {
		m[ev.Source.RecordID] = ev
	}
	return m
}

// drain returns the flow events the bus subscription has buffered.
func drain(ch <-chan aam.FlowEvent) []aam.FlowEvent {
	var out []aam.FlowEvent
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				return out
			}
			out = append(out, e)
		default:
			return out
		}
	}
}
