package dcltest

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/dcl"
)

// Run runs the GraphStore conformance suite. newStore must return an
// empty store for each call; the suite runs subtests in parallel.
func Run(t *testing.T, newStore func(t *testing.T) dcl.GraphStore) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s dcl.GraphStore)
	}{
		{"UpsertNodesReplaces", testUpsertNodesReplaces},
		{"UpsertEdgesNeedsEndpoints", testUpsertEdgesNeedsEndpoints},
		{"UpsertEdgesReplacesProps", testUpsertEdgesReplacesProps},
		{"InvalidArguments", testInvalidArguments},
		{"Neighbours", testNeighbours},
		{"UnknownNode", testUnknownNode},
		{"LineageTransitive", testLineageTransitive},
		{"ImpactTransitive", testImpactTransitive},
		{"Cycles", testCycles},
		{"ConcurrentUpserts", testConcurrentUpserts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, newStore(t))
		})
	}
}

func ids(g dcl.Subgraph) []string {
	out := []string{}
	for _, n := range g.Nodes {
		out = append(out, n.ID)
	}
	return out
}

func edgeKeys(g dcl.Subgraph) []string {
	out := []string{}
	for _, e := range g.Edges {
		out = append(out, e.From+">"+e.To+":"+string(e.Kind))
	}
	return out
}

// lineageGraph is the mapping lineage of one canonical field from two
// sources:
//
//	sys:sf -> conn:1 -> obj:1 -> sf:1.Name --maps_to--> field:account.account_name -> entity:account
//	sys:hs -> conn:2 -> obj:2 -> sf:2.name --maps_to--^
//	obj:1 -> sf:1.Phone (not mapped)
func lineageGraph(t *testing.T, s dcl.GraphStore) {
	t.Helper()
	ctx := context.Background()
	nodes := []dcl.Node{
		{ID: "sys:sf", Kind: dcl.NodeSourceSystem, Label: "salesforce"},
		{ID: "sys:hs", Kind: dcl.NodeSourceSystem, Label: "hubspot"},
		{ID: "conn:1", Kind: dcl.NodeConnection},
		{ID: "conn:2", Kind: dcl.NodeConnection},
		{ID: "obj:1", Kind: dcl.NodeSourceObject, Label: "Account"},
		{ID: "obj:2", Kind: dcl.NodeSourceObject, Label: "companies"},
		{ID: "sf:1.Name", Kind: dcl.NodeSourceField},
		{ID: "sf:1.Phone", Kind: dcl.NodeSourceField},
		{ID: "sf:2.name", Kind: dcl.NodeSourceField},
		{ID: "field:account.account_name", Kind: dcl.NodeField},
		{ID: "entity:account", Kind: dcl.NodeEntity},
	}
	edges := []dcl.Edge{
		{From: "sys:sf", To: "conn:1", Kind: dcl.EdgeHasConnection},
		{From: "sys:hs", To: "conn:2", Kind: dcl.EdgeHasConnection},
		{From: "conn:1", To: "obj:1", Kind: dcl.EdgeHasObject},
		{From: "conn:2", To: "obj:2", Kind: dcl.EdgeHasObject},
		{From: "obj:1", To: "sf:1.Name", Kind: dcl.EdgeHasField},
		{From: "obj:1", To: "sf:1.Phone", Kind: dcl.EdgeHasField},
		{From: "obj:2", To: "sf:2.name", Kind: dcl.EdgeHasField},
		{From: "sf:1.Name", To: "field:account.account_name", Kind: dcl.EdgeMapsTo, Props: map[string]string{"mapping_version": "3"}},
		{From: "sf:2.name", To: "field:account.account_name", Kind: dcl.EdgeMapsTo, Props: map[string]string{"mapping_version": "1"}},
		{From: "field:account.account_name", To: "entity:account", Kind: dcl.EdgeFieldOf},
	}
	require.NoError(t, s.UpsertNodes(ctx, nodes))
	require.NoError(t, s.UpsertEdges(ctx, edges))
}

func testUpsertNodesReplaces(t *testing.T, s dcl.GraphStore) {
	ctx := context.Background()
	require.NoError(t, s.UpsertNodes(ctx, []dcl.Node{
		{ID: "a", Kind: dcl.NodeEntity, Label: "one", Props: map[string]string{"x": "1"}},
		{ID: "b", Kind: dcl.NodeEntity},
	}))
	require.NoError(t, s.UpsertNodes(ctx, []dcl.Node{{ID: "a", Kind: dcl.NodeField, Label: "two"}}))
	require.NoError(t, s.UpsertEdges(ctx, []dcl.Edge{{From: "b", To: "a", Kind: dcl.EdgeFieldOf}}))
	g, err := s.Neighbours(ctx, "b", dcl.Out)
	require.NoError(t, err)
	require.Len(t, g.Nodes, 1)
	require.Equal(t, "a", g.Nodes[0].ID)
	require.Equal(t, dcl.NodeField, g.Nodes[0].Kind)
	require.Equal(t, "two", g.Nodes[0].Label)
	require.Empty(t, g.Nodes[0].Props)
	// an empty batch is fine
	require.NoError(t, s.UpsertNodes(ctx, nil))
	require.NoError(t, s.UpsertEdges(ctx, nil))
}

func testUpsertEdgesNeedsEndpoints(t *testing.T, s dcl.GraphStore) {
	ctx := context.Background()
	require.NoError(t, s.UpsertNodes(ctx, []dcl.Node{{ID: "a", Kind: dcl.NodeEntity}, {ID: "b", Kind: dcl.NodeEntity}}))
	err := s.UpsertEdges(ctx, []dcl.Edge{
		{From: "a", To: "b", Kind: dcl.EdgeFeeds},
		{From: "a", To: "missing", Kind: dcl.EdgeFeeds},
	})
	require.ErrorIs(t, err, dcl.ErrNotFound)
	// nothing of the failed batch was written
	g, err := s.Neighbours(ctx, "a", dcl.Both)
	require.NoError(t, err)
	require.Empty(t, g.Nodes)
	require.Empty(t, g.Edges)
}

func testUpsertEdgesReplacesProps(t *testing.T, s dcl.GraphStore) {
	ctx := context.Background()
	require.NoError(t, s.UpsertNodes(ctx, []dcl.Node{{ID: "a", Kind: dcl.NodeSourceField}, {ID: "b", Kind: dcl.NodeField}}))
	require.NoError(t, s.UpsertEdges(ctx, []dcl.Edge{{From: "a", To: "b", Kind: dcl.EdgeMapsTo, Props: map[string]string{"mapping_version": "1"}}}))
	require.NoError(t, s.UpsertEdges(ctx, []dcl.Edge{{From: "a", To: "b", Kind: dcl.EdgeMapsTo, Props: map[string]string{"mapping_version": "2"}}}))
	require.NoError(t, s.UpsertEdges(ctx, []dcl.Edge{{From: "a", To: "b", Kind: dcl.EdgeFeeds}}))
	g, err := s.Neighbours(ctx, "a", dcl.Out)
	require.NoError(t, err)
	require.Equal(t, []string{"a>b:feeds", "a>b:maps_to"}, edgeKeys(g))
	require.Equal(t, "2", g.Edges[1].Props["mapping_version"])
}

func testInvalidArguments(t *testing.T, s dcl.GraphStore) {
	ctx := context.Background()
	require.ErrorIs(t, s.UpsertNodes(ctx, []dcl.Node{{ID: "", Kind: dcl.NodeEntity}}), dcl.ErrInvalid)
	require.ErrorIs(t, s.UpsertNodes(ctx, []dcl.Node{{ID: "x"}}), dcl.ErrInvalid)
	require.ErrorIs(t, s.UpsertEdges(ctx, []dcl.Edge{{From: "x", To: "", Kind: dcl.EdgeFeeds}}), dcl.ErrInvalid)
	require.ErrorIs(t, s.UpsertEdges(ctx, []dcl.Edge{{From: "x", To: "y"}}), dcl.ErrInvalid)
	_, err := s.Lineage(ctx, "")
	require.ErrorIs(t, err, dcl.ErrInvalid)
}

func testNeighbours(t *testing.T, s dcl.GraphStore) {
	lineageGraph(t, s)
	ctx := context.Background()
	g, err := s.Neighbours(ctx, "obj:1", dcl.Out)
	require.NoError(t, err)
	require.Equal(t, []string{"sf:1.Name", "sf:1.Phone"}, ids(g))
	require.Equal(t, []string{"obj:1>sf:1.Name:has_field", "obj:1>sf:1.Phone:has_field"}, edgeKeys(g))
	g, err = s.Neighbours(ctx, "obj:1", dcl.In)
	require.NoError(t, err)
	require.Equal(t, []string{"conn:1"}, ids(g))
	g, err = s.Neighbours(ctx, "obj:1", dcl.Both)
	require.NoError(t, err)
	require.Equal(t, []string{"conn:1", "sf:1.Name", "sf:1.Phone"}, ids(g))
	require.Len(t, g.Edges, 3)
}

func testUnknownNode(t *testing.T, s dcl.GraphStore) {
	ctx := context.Background()
	_, err := s.Neighbours(ctx, "nope", dcl.Both)
	require.ErrorIs(t, err, dcl.ErrNotFound)
	_, err = s.Lineage(ctx, "nope")
	require.ErrorIs(t, err, dcl.ErrNotFound)
	_, err = s.Impact(ctx, "nope")
	require.ErrorIs(t, err, dcl.ErrNotFound)
}

func testLineageTransitive(t *testing.T, s dcl.GraphStore) {
	lineageGraph(t, s)
	g, err := s.Lineage(context.Background(), "field:account.account_name")
	require.NoError(t, err)
	// every upstream node, and nothing downstream or beside the path
	// (entity:account is downstream; sf:1.Phone does not feed the field)
	require.Equal(t, []string{"conn:1", "conn:2", "obj:1", "obj:2", "sf:1.Name", "sf:2.name", "sys:hs", "sys:sf"}, ids(g))
	require.Equal(t, []string{
		"conn:1>obj:1:has_object", "conn:2>obj:2:has_object",
		"obj:1>sf:1.Name:has_field", "obj:2>sf:2.name:has_field",
		"sf:1.Name>field:account.account_name:maps_to", "sf:2.name>field:account.account_name:maps_to",
		"sys:hs>conn:2:has_connection", "sys:sf>conn:1:has_connection",
	}, edgeKeys(g))
	require.Equal(t, "3", g.Edges[4].Props["mapping_version"])
	require.Equal(t, "1", g.Edges[5].Props["mapping_version"])
}

func testImpactTransitive(t *testing.T, s dcl.GraphStore) {
	lineageGraph(t, s)
	ctx := context.Background()
	g, err := s.Impact(ctx, "sf:1.Name")
	require.NoError(t, err)
	require.Equal(t, []string{"entity:account", "field:account.account_name"}, ids(g))
	require.Equal(t, []string{"field:account.account_name>entity:account:field_of", "sf:1.Name>field:account.account_name:maps_to"}, edgeKeys(g))
	g, err = s.Impact(ctx, "sf:1.Phone")
	require.NoError(t, err)
	require.Empty(t, g.Nodes)
	require.Empty(t, g.Edges)
}

func testCycles(t *testing.T, s dcl.GraphStore) {
	ctx := context.Background()
	require.NoError(t, s.UpsertNodes(ctx, []dcl.Node{{ID: "a", Kind: "k"}, {ID: "b", Kind: "k"}, {ID: "c", Kind: "k"}}))
	require.NoError(t, s.UpsertEdges(ctx, []dcl.Edge{
		{From: "a", To: "b", Kind: "e"}, {From: "b", To: "c", Kind: "e"}, {From: "c", To: "a", Kind: "e"}, {From: "a", To: "a", Kind: "self"},
	}))
	g, err := s.Lineage(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, []string{"b", "c"}, ids(g))
	require.Len(t, g.Edges, 4)
	g, err = s.Impact(ctx, "b")
	require.NoError(t, err)
	require.Equal(t, []string{"a", "c"}, ids(g))
}

func testConcurrentUpserts(t *testing.T, s dcl.GraphStore) {
	ctx := context.Background()
	require.NoError(t, s.UpsertNodes(ctx, []dcl.Node{{ID: "hub", Kind: "k"}}))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := string(rune('a' + i))
			if err := s.UpsertNodes(ctx, []dcl.Node{{ID: id, Kind: "k"}}); err != nil {
				errs <- err
				return
			}
			if err := s.UpsertEdges(ctx, []dcl.Edge{{From: "hub", To: id, Kind: "e"}}); err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	g, err := s.Neighbours(ctx, "hub", dcl.Out)
	require.NoError(t, err)
	require.Len(t, g.Nodes, 8)
	require.Len(t, g.Edges, 8)
}
