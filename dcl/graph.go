package dcl

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// NodeKind is the kind of a knowledge-graph node.
type NodeKind string

// The node kinds the engine writes. Stores accept any non-empty kind.
const (
	NodeSourceSystem NodeKind = "source_system"
	NodeConnection   NodeKind = "connection"
	NodeSourceObject NodeKind = "source_object"
	NodeSourceField  NodeKind = "source_field"
	NodeEntity       NodeKind = "canonical_entity"
	NodeField        NodeKind = "canonical_field"
	NodeUnified      NodeKind = "unified_entity"
)

// EdgeKind is the kind of a knowledge-graph edge. Edges point the way data
// flows (a source field maps to a canonical field), so the lineage of a
// node is what reaches it and its impact is what it reaches.
type EdgeKind string

// The edge kinds the engine writes. Stores accept any non-empty kind.
const (
	EdgeHasConnection EdgeKind = "has_connection" // source_system -> connection
	EdgeHasObject     EdgeKind = "has_object"     // connection -> source_object
	EdgeHasField      EdgeKind = "has_field"      // source_object -> source_field
	EdgeMapsTo        EdgeKind = "maps_to"        // source_field -> canonical_field (props: mapping_version, transform, confidence, origin)
	EdgeFieldOf       EdgeKind = "field_of"       // canonical_field -> canonical_entity
	EdgeFeeds         EdgeKind = "feeds"          // source_object -> canonical_entity (props: mapping_version)
	EdgeInstanceOf    EdgeKind = "instance_of"    // unified_entity -> canonical_entity
)

// Node is a knowledge-graph node. ID is unique in the graph.
type Node struct {
	ID    string            `json:"id"`
	Kind  NodeKind          `json:"kind"`
	Label string            `json:"label,omitempty"`
	Props map[string]string `json:"props,omitempty"`
}

// Edge is a directed knowledge-graph edge; (From, To, Kind) is unique.
type Edge struct {
	From  string            `json:"from"`
	To    string            `json:"to"`
	Kind  EdgeKind          `json:"kind"`
	Props map[string]string `json:"props,omitempty"`
}

// Subgraph is the answer to a graph query: nodes sorted by id, edges by
// (from, to, kind).
type Subgraph struct {
	Nodes []Node `json:"nodes"`
	Edges []Edge `json:"edges"`
}

// Sort orders the nodes by id and the edges by (from, to, kind).
func (g *Subgraph) Sort() {
	sort.Slice(g.Nodes, func(i, j int) bool { return g.Nodes[i].ID < g.Nodes[j].ID })
	sort.Slice(g.Edges, func(i, j int) bool {
		a, b := g.Edges[i], g.Edges[j]
		if a.From != b.From {
			return a.From < b.From
		}
		if a.To != b.To {
			return a.To < b.To
		}
		return a.Kind < b.Kind
	})
}

// Direction selects the edges Neighbours follows.
type Direction int

// The directions of Neighbours.
const (
	// Both follows edges in either direction.
	Both Direction = iota
	// Out follows edges leaving the node.
	Out
	// In follows edges entering the node.
	In
)

// GraphStore stores one tenant's knowledge graph. It is a public
// extension point: dcl/dcltest holds the conformance suite every
// implementation must pass, and implementations must be safe for
// concurrent use. Embed UnimplementedGraphStore to stay compatible when
// methods are added.
//
// Errors: empty ids or kinds wrap ErrInvalid; an edge whose endpoint does
// not exist, and a query about a node that does not exist, wrap
// ErrNotFound.
type GraphStore interface {
	// UpsertNodes inserts nodes, or replaces the kind, label and props of
	// existing ones, atomically.
	UpsertNodes(ctx context.Context, nodes []Node) error
	// UpsertEdges inserts edges, or replaces the props of existing ones,
	// atomically; both endpoints must exist.
	UpsertEdges(ctx context.Context, edges []Edge) error
	// Neighbours returns the nodes adjacent to id in the given direction
	// and the edges linking them to id.
	Neighbours(ctx context.Context, id string, dir Direction) (Subgraph, error)
	// Lineage returns every node from which id can be reached (its
	// transitive upstream, not id itself) and the edges among them and id.
	Lineage(ctx context.Context, id string) (Subgraph, error)
	// Impact returns every node reachable from id (its transitive
	// downstream, not id itself) and the edges among them and id.
	Impact(ctx context.Context, id string) (Subgraph, error)
}

// GraphResetter is an optional ability of a GraphStore: removing every
// node and edge, so a graph can be rewritten from scratch. SyncGraph uses
// it when present.
type GraphResetter interface {
	ResetGraph(ctx context.Context) error
}

// UnimplementedGraphStore answers every GraphStore method with an error
// wrapping errors.ErrUnsupported. Embed it in an implementation so that
// methods added to GraphStore later do not break it.
type UnimplementedGraphStore struct{}

// UpsertNodes returns an error wrapping errors.ErrUnsupported.
func (UnimplementedGraphStore) UpsertNodes(context.Context, []Node) error {
	return fmt.Errorf("dcl: upsert nodes: %w", errors.ErrUnsupported)
}

// UpsertEdges returns an error wrapping errors.ErrUnsupported.
func (UnimplementedGraphStore) UpsertEdges(context.Context, []Edge) error {
	return fmt.Errorf("dcl: upsert edges: %w", errors.ErrUnsupported)
}

// Neighbours returns an error wrapping errors.ErrUnsupported.
func (UnimplementedGraphStore) Neighbours(context.Context, string, Direction) (Subgraph, error) {
	return Subgraph{}, fmt.Errorf("dcl: neighbours: %w", errors.ErrUnsupported)
}

// Lineage returns an error wrapping errors.ErrUnsupported.
func (UnimplementedGraphStore) Lineage(context.Context, string) (Subgraph, error) {
	return Subgraph{}, fmt.Errorf("dcl: lineage: %w", errors.ErrUnsupported)
}

// Impact returns an error wrapping errors.ErrUnsupported.
func (UnimplementedGraphStore) Impact(context.Context, string) (Subgraph, error) {
	return Subgraph{}, fmt.Errorf("dcl: impact: %w", errors.ErrUnsupported)
}

func validateNodes(nodes []Node) error {
	for i, n := range nodes {
		if n.ID == "" {
			return fmt.Errorf("%w: node %d: empty id", ErrInvalid, i)
		}
		if n.Kind == "" {
			return fmt.Errorf("%w: node %q: empty kind", ErrInvalid, n.ID)
		}
	}
	return nil
}

func validateEdges(edges []Edge) error {
	for i, e := range edges {
		if e.From == "" || e.To == "" {
			return fmt.Errorf("%w: edge %d: empty endpoint", ErrInvalid, i)
		}
		if e.Kind == "" {
			return fmt.Errorf("%w: edge %q -> %q: empty kind", ErrInvalid, e.From, e.To)
		}
	}
	return nil
}
