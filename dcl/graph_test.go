package dcl_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/dcl/dcltest"
	"github.com/autonomos/autonomos/internal/testenv"
)

func TestDuckGraphConformance(t *testing.T) {
	t.Parallel()
	dcltest.Run(t, func(t *testing.T) dcl.GraphStore {
		db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "graph.duckdb"))
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, db.Close()) })
		g, err := dcl.NewDuckGraph(testenv.Context(t), db)
		require.NoError(t, err)
		return g
	})
}

func TestEngineGraphThroughOptions(t *testing.T) {
	t.Parallel()
	// an embedder's store (here another DuckGraph) replaces the default
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "graph.duckdb"))
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	g, err := dcl.NewDuckGraph(testenv.Context(t), db)
	require.NoError(t, err)
	f := setup(t, &dcl.Options{Graph: g})
	require.Same(t, g, f.eng.Graph())
	require.NoError(t, f.eng.SyncGraph(f.ctx, nil))
	_, err = g.Neighbours(f.ctx, dcl.FieldNodeID("account", "account_name"), dcl.Both)
	require.NoError(t, err)
}

func TestSyncGraphLineageAndImpact(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	s := newTwoSources(t)
	s.load(t, f)
	_, err := f.eng.Sync(f.ctx, f.src)
	require.NoError(t, err)
	var mvs []aam.MappingVersion
	for _, src := range []*source{s.sf, s.hs} {
		for obj, mp := range src.maps {
			m := mp.Mapping()
			mvs = append(mvs, aam.MappingVersion{TenantID: f.tenant, MappingKey: aam.MappingKey{ConnectionID: uuid.MustParse(src.conn), Object: obj}, Version: m.Version, Mapping: m})
		}
	}
	require.NoError(t, f.eng.SyncGraph(f.ctx, mvs))

	lin, err := f.eng.FieldLineage(f.ctx, "account", "account_name")
	require.NoError(t, err)
	require.Equal(t, []dcl.FieldSource{
		{System: "hubspot", ConnectionID: s.hs.conn, Object: "companies", SourceField: "name", MappingVersion: 1, Origin: "manual", Confidence: 1},
		{System: "salesforce", ConnectionID: s.sf.conn, Object: "Account", SourceField: "Name", MappingVersion: 2, Origin: "manual", Confidence: 1},
	}, lin)
	lin, err = f.eng.FieldLineage(f.ctx, "account", "industry")
	require.NoError(t, err)
	require.Empty(t, lin)
	_, err = f.eng.FieldLineage(f.ctx, "account", "nope")
	require.ErrorIs(t, err, dcl.ErrInvalid)

	imp, err := f.eng.SourceFieldImpact(f.ctx, s.sf.conn, "Account", "Name")
	require.NoError(t, err)
	require.Equal(t, []dcl.ImpactedField{{Entity: "account", Field: "account_name", Required: true, MappingVersion: 2, Breaks: true}}, imp)
	imp, err = f.eng.SourceFieldImpact(f.ctx, s.sf.conn, "Account", "Website")
	require.NoError(t, err)
	require.Equal(t, []dcl.ImpactedField{{Entity: "account", Field: "website", MappingVersion: 2}}, imp)
	_, err = f.eng.SourceFieldImpact(f.ctx, s.sf.conn, "Account", "Nope")
	require.ErrorIs(t, err, dcl.ErrNotFound)

	// the graph holds the unified entities: 6 accounts, 4 contacts
	g, err := f.eng.Graph().Neighbours(f.ctx, "entity:account", dcl.In)
	require.NoError(t, err)
	unified := 0
	for _, n := range g.Nodes {
		if n.Kind == dcl.NodeUnified {
			unified++
		}
	}
	require.Equal(t, 6, unified)

	// a new mapping version replaces the old lineage
	for i := range mvs {
		if mvs[i].Object == "Account" {
			m := mvs[i].Mapping.Clone()
			m.Version = 3
			m.Fields = []canonical.FieldMapping{fm("Id", "account_id"), fm("AccountName", "account_name")}
			mvs[i].Mapping, mvs[i].Version = m, 3
		}
	}
	require.NoError(t, f.eng.SyncGraph(f.ctx, mvs))
	lin, err = f.eng.FieldLineage(f.ctx, "account", "account_name")
	require.NoError(t, err)
	require.Equal(t, "AccountName", lin[1].SourceField)
	require.Equal(t, 3, lin[1].MappingVersion)
	_, err = f.eng.SourceFieldImpact(f.ctx, s.sf.conn, "Account", "Name")
	require.ErrorIs(t, err, dcl.ErrNotFound)

	// mappings of another tenant are refused
	mvs[0].TenantID = uuid.New()
	require.ErrorIs(t, f.eng.SyncGraph(f.ctx, mvs), dcl.ErrInvalid)
}
