package dcl_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/dcl/dcltest"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

// The engine reads the canonical stream of the PostgreSQL store (the
// production aam.EventLog) and its mappings, and reaches the same views
// as from the in-memory stream.
func TestSyncFromPostgresEventLog(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	store, err := pgstore.Open(ctx, testenv.PostgresURL(t), nil)
	require.NoError(t, err)
	t.Cleanup(store.Close)
	log, err := pgstore.NewAAM(store)
	require.NoError(t, err)
	tenant, err := log.CreateTenant(ctx, testenv.Name("dcl"))
	require.NoError(t, err)

	// the same events into the in-memory stream and into PostgreSQL
	f := &fixture{ctx: ctx, tenant: tenant.ID, src: dcltest.NewMemorySource()}
	s := newTwoSources(t)
	s.load(t, f)
	mem, err := f.src.ReadEvents(ctx, tenant.ID, 0, 1000, "")
	require.NoError(t, err)
	for _, src := range []*source{s.sf, s.hs} {
		require.NoError(t, log.CreateConnection(ctx, tenant.ID, aam.Connection{ID: uuid.MustParse(src.conn), TenantID: tenant.ID, Name: src.system, Type: "file", Config: connectors.Config{}}))
		for obj, mp := range src.maps {
			_, err := log.PutMapping(ctx, tenant.ID, aam.PutMapping{MappingKey: aam.MappingKey{ConnectionID: uuid.MustParse(src.conn), Object: obj}, Mapping: mp.Mapping(), Author: "test", Reason: "initial"})
			require.NoError(t, err)
		}
	}
	evs := make([]canonical.Event, len(mem))
	for i, e := range mem {
		evs[i] = e.Event
	}
	res, err := log.Append(ctx, tenant.ID, aam.Batch{Events: evs})
	require.NoError(t, err)
	require.Equal(t, len(evs), res.Appended)

	fromPG, err := dcl.Open(ctx, t.TempDir(), tenant.ID, &dcl.Options{BatchSize: 5})
	require.NoError(t, err)
	defer func() { require.NoError(t, fromPG.Close()) }()
	sr, err := fromPG.Sync(ctx, log)
	require.NoError(t, err)
	require.Equal(t, len(evs), sr.Events)

	fromMem, err := dcl.Open(ctx, t.TempDir(), tenant.ID, nil)
	require.NoError(t, err)
	defer func() { require.NoError(t, fromMem.Close()) }()
	_, err = fromMem.Sync(ctx, f.src)
	require.NoError(t, err)

	// the stores number offsets differently; everything else is equal
	strip := func(rows []dcl.Row) []dcl.Row {
		for _, r := range rows {
			delete(r, dcl.ColOffset)
		}
		return rows
	}
	for _, v := range fromPG.Views() {
		require.Equal(t, strip(dump(t, ctx, fromMem, v.Name)), strip(dump(t, ctx, fromPG, v.Name)), "view %s", v.Name)
	}

	// lineage from the stored mappings
	mvs, err := log.Mappings(ctx, tenant.ID)
	require.NoError(t, err)
	require.NoError(t, fromPG.SyncGraph(ctx, mvs))
	lin, err := fromPG.FieldLineage(ctx, "opportunity", "amount")
	require.NoError(t, err)
	require.Len(t, lin, 2)
	require.Equal(t, "amount", lin[0].SourceField) // hubspot deals
	require.Equal(t, "Amount", lin[1].SourceField) // salesforce Opportunity
}
