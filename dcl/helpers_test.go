package dcl_test

import (
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/dcl/dcltest"
	"github.com/autonomos/autonomos/internal/testenv"
)

var registry = func() *canonical.Registry {
	r, err := canonical.NewRegistry()
	if err != nil {
		panic(err)
	}
	return r
}()

type fixture struct {
	ctx    context.Context
	dir    string
	tenant uuid.UUID
	src    *dcltest.MemorySource
	eng    *dcl.Engine
}

// setup opens an engine for a fresh tenant in a fresh data directory.
func setup(t *testing.T, opts *dcl.Options) *fixture {
	t.Helper()
	f := &fixture{ctx: testenv.Context(t), dir: testenv.DataDir(t), tenant: uuid.New(), src: dcltest.NewMemorySource()}
	eng, err := dcl.Open(f.ctx, f.dir, f.tenant, opts)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, eng.Close()) })
	f.eng = eng
	return f
}

// source is one source system: a connection and its mappings by object.
type source struct {
	system string
	conn   string
	maps   map[string]*canonical.Mapper
}

func newSource(t *testing.T, system string, mappings ...canonical.Mapping) *source {
	t.Helper()
	s := &source{system: system, conn: uuid.NewSHA1(uuid.NameSpaceOID, []byte(system)).String(), maps: map[string]*canonical.Mapper{}}
	for _, m := range mappings {
		m.System = system
		mp, err := canonical.NewMapper(registry, m, &canonical.MapperOptions{DropExtras: true})
		require.NoError(t, err)
		s.maps[m.Object] = mp
	}
	return s
}

var emitted = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// events maps the rows of a CSV document of one object to events.
func (s *source) events(t *testing.T, tenant uuid.UUID, object, doc string, op canonical.Op) []canonical.Event {
	t.Helper()
	r := csv.NewReader(strings.NewReader(strings.TrimSpace(doc)))
	r.TrimLeadingSpace = true
	recs, err := r.ReadAll()
	require.NoError(t, err)
	head := recs[0]
	var out []canonical.Event
	for _, row := range recs[1:] {
		rec := map[string]any{}
		for i, h := range head {
			if row[i] != "" {
				rec[h] = row[i]
			}
		}
		ev, ferrs := s.maps[object].Apply(rec, canonical.RecordMeta{Op: op, TenantID: tenant.String(), ConnectionID: s.conn, EmittedAt: emitted})
		require.Empty(t, ferrs, "record %v", rec)
		out = append(out, ev)
	}
	return out
}

func fm(src, target string) canonical.FieldMapping {
	return canonical.FieldMapping{Source: src, Target: target, Confidence: 1}
}

// dump returns every row of a view, sorted by record identity.
func dump(t *testing.T, ctx context.Context, eng *dcl.Engine, view string) []dcl.Row {
	t.Helper()
	var out []dcl.Row
	opts := dcl.QueryOptions{Limit: 1000}
	for {
		p, err := eng.Query(ctx, view, opts)
		require.NoError(t, err)
		out = append(out, p.Rows...)
		if p.NextPageToken == "" {
			return out
		}
		opts.PageToken = p.NextPageToken
	}
}

// event builds an upsert event of entity directly (values already
// normalized), for tests that need many.
func event(tenant uuid.UUID, conn, entity, rec string, data map[string]any) canonical.Event {
	return canonical.Event{
		EventID: uuid.NewSHA1(uuid.NameSpaceURL, []byte(conn+entity+rec+time.Now().String())).String(),
		Entity:  entity, Op: canonical.OpUpsert, Data: data,
		Meta:   canonical.EventMeta{TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: 1, EmittedAt: emitted},
		Source: canonical.EventSource{System: "test", ConnectionID: conn, Object: entity, RecordID: rec},
	}
}

const (
	testTimeout  = 30 * time.Second
	pollInterval = time.Millisecond
)
