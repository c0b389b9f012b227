package dcl

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
)

// Node ids of the knowledge graph the engine writes.
func systemNodeID(system string) string       { return "system:" + system }
func connectionNodeID(conn string) string     { return "connection:" + conn }
func objectNodeID(conn, object string) string { return "object:" + conn + "/" + object }
func sourceFieldNodeID(conn, object, field string) string {
	return "source_field:" + conn + "/" + object + "/" + field
}
func entityNodeID(entity string) string { return "entity:" + entity }

// FieldNodeID returns the graph node id of a canonical field.
func FieldNodeID(entity, field string) string { return "field:" + entity + "." + field }

// SourceFieldNodeID returns the graph node id of a source field of one
// connection's object.
func SourceFieldNodeID(connectionID, object, field string) string {
	return sourceFieldNodeID(connectionID, object, field)
}

func unifiedNodeID(entity, id string) string { return "unified:" + entity + "/" + id }

// SyncGraph rewrites the tenant's knowledge graph from the active mapping
// versions (aam.MappingStore.Mappings) and the unified entities: source
// systems, connections, objects and source fields; canonical entities and
// fields; which source field maps to which canonical field through which
// mapping version; and the unified accounts and contacts. Errors wrap
// those of the GraphStore, ErrClosed or ErrStorage.
func (e *Engine) SyncGraph(ctx context.Context, mappings []aam.MappingVersion) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed || e.db == nil {
		return ErrClosed
	}
	var nodes []Node
	var edges []Edge
	for _, ent := range e.opts.Registry.Entities() {
		nodes = append(nodes, Node{ID: entityNodeID(ent.Name), Kind: NodeEntity, Label: ent.Name})
		for _, f := range ent.Fields {
			nodes = append(nodes, Node{ID: FieldNodeID(ent.Name, f.Name), Kind: NodeField, Label: ent.Name + "." + f.Name,
				Props: map[string]string{"entity": ent.Name, "field": f.Name, "type": string(f.Type), "required": strconv.FormatBool(f.Required)}})
			edges = append(edges, Edge{From: FieldNodeID(ent.Name, f.Name), To: entityNodeID(ent.Name), Kind: EdgeFieldOf})
		}
	}
	seen := map[string]bool{}
	addNode := func(n Node) {
		if !seen[n.ID] {
			seen[n.ID] = true
			nodes = append(nodes, n)
		}
	}
	for _, mv := range mappings {
		if mv.TenantID != uuid.Nil && mv.TenantID != e.tenant {
			return fmt.Errorf("%w: sync graph: mapping of tenant %q", ErrInvalid, mv.TenantID)
		}
		m := mv.Mapping
		if _, ok := e.byEnt[m.Entity]; !ok {
			return fmt.Errorf("%w: sync graph: mapping of unknown entity %q", ErrInvalid, m.Entity)
		}
		system := m.System
		if system == "" {
			system = "unknown"
		}
		conn, obj := mv.ConnectionID.String(), mv.Object
		version := strconv.Itoa(mv.Version)
		addNode(Node{ID: systemNodeID(system), Kind: NodeSourceSystem, Label: system})
		addNode(Node{ID: connectionNodeID(conn), Kind: NodeConnection, Label: conn, Props: map[string]string{"system": system}})
		addNode(Node{ID: objectNodeID(conn, obj), Kind: NodeSourceObject, Label: obj, Props: map[string]string{"connection_id": conn, "system": system}})
		edges = append(edges,
			Edge{From: systemNodeID(system), To: connectionNodeID(conn), Kind: EdgeHasConnection},
			Edge{From: connectionNodeID(conn), To: objectNodeID(conn, obj), Kind: EdgeHasObject},
			Edge{From: objectNodeID(conn, obj), To: entityNodeID(m.Entity), Kind: EdgeFeeds, Props: map[string]string{"mapping_version": version}},
		)
		for _, f := range m.Fields {
			sid := sourceFieldNodeID(conn, obj, f.Source)
			addNode(Node{ID: sid, Kind: NodeSourceField, Label: f.Source,
				Props: map[string]string{"system": system, "connection_id": conn, "object": obj, "field": f.Source}})
			origin := string(f.Origin)
			if origin == "" {
				origin = "manual"
			}
			edges = append(edges,
				Edge{From: objectNodeID(conn, obj), To: sid, Kind: EdgeHasField},
				Edge{From: sid, To: FieldNodeID(m.Entity, f.Target), Kind: EdgeMapsTo, Props: map[string]string{
					"mapping_version": version, "transform": string(f.Transform), "origin": origin,
					"confidence": strconv.FormatFloat(f.Confidence, 'f', -1, 64),
				}},
			)
		}
	}
	rows, err := e.db.QueryContext(ctx, `SELECT c.entity, c.unified_id, count(*) FROM dcl_unified_clusters c GROUP BY ALL ORDER BY 1, 2`)
	if err != nil {
		return queryErr(ctx, "sync graph", err)
	}
	// member counts come from the views, joined in Go to keep the SQL simple
	counts := map[string]int{}
	for _, ent := range []string{"account", "contact"} {
		v := e.byEnt[ent]
		r, err := e.db.QueryContext(ctx, fmt.Sprintf(`SELECT %s, count(*) FROM %s GROUP BY 1`, quoteIdent(ColUnifiedID), quoteIdent(v.Name)))
		if err != nil {
			rows.Close()
			return queryErr(ctx, "sync graph", err)
		}
		for r.Next() {
			var id string
			var n int
			if err := r.Scan(&id, &n); err != nil {
				r.Close()
				rows.Close()
				return queryErr(ctx, "sync graph", err)
			}
			counts[ent+"/"+id] = n
		}
		r.Close()
	}
	for rows.Next() {
		var ent, id string
		var n int
		if err := rows.Scan(&ent, &id, &n); err != nil {
			rows.Close()
			return queryErr(ctx, "sync graph", err)
		}
		nodes = append(nodes, Node{ID: unifiedNodeID(ent, id), Kind: NodeUnified, Label: id,
			Props: map[string]string{"entity": ent, "members": strconv.Itoa(counts[ent+"/"+id])}})
		edges = append(edges, Edge{From: unifiedNodeID(ent, id), To: entityNodeID(ent), Kind: EdgeInstanceOf})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return queryErr(ctx, "sync graph", err)
	}
	if r, ok := e.graph.(GraphResetter); ok {
		if err := r.ResetGraph(ctx); err != nil {
			return fmt.Errorf("dcl: sync graph: %w", err)
		}
	}
	if err := e.graph.UpsertNodes(ctx, nodes); err != nil {
		return fmt.Errorf("dcl: sync graph: %w", err)
	}
	if err := e.graph.UpsertEdges(ctx, edges); err != nil {
		return fmt.Errorf("dcl: sync graph: %w", err)
	}
	return nil
}

// FieldSource is one source of a canonical field: which source field feeds
// it, through which mapping version.
type FieldSource struct {
	System         string  `json:"system"`
	ConnectionID   string  `json:"connection_id"`
	Object         string  `json:"object"`
	SourceField    string  `json:"source_field"`
	MappingVersion int     `json:"mapping_version"`
	Transform      string  `json:"transform,omitempty"`
	Origin         string  `json:"origin,omitempty"`
	Confidence     float64 `json:"confidence"`
}

// FieldLineage returns the sources of a canonical field, from the
// knowledge graph (see SyncGraph), sorted by system, connection, object
// and field. Errors wrap ErrInvalid (unknown entity or field) or those of
// the GraphStore.
func (e *Engine) FieldLineage(ctx context.Context, entity, field string) ([]FieldSource, error) {
	v, ok := e.byEnt[entity]
	if !ok {
		return nil, fmt.Errorf("dcl: lineage: %w: unknown entity %q", ErrInvalid, entity)
	}
	if c, ok := v.Column(field); !ok || c.System {
		return nil, fmt.Errorf("dcl: lineage: %w: entity %q has no field %q", ErrInvalid, entity, field)
	}
	g, err := e.Graph().Lineage(ctx, FieldNodeID(entity, field))
	if err != nil {
		return nil, fmt.Errorf("dcl: lineage: %w", err)
	}
	byID := map[string]Node{}
	for _, n := range g.Nodes {
		byID[n.ID] = n
	}
	out := []FieldSource{}
	target := FieldNodeID(entity, field)
	for _, ed := range g.Edges {
		if ed.Kind != EdgeMapsTo || ed.To != target {
			continue
		}
		n := byID[ed.From]
		ver, _ := strconv.Atoi(ed.Props["mapping_version"])
		conf, _ := strconv.ParseFloat(ed.Props["confidence"], 64)
		out = append(out, FieldSource{
			System: n.Props["system"], ConnectionID: n.Props["connection_id"], Object: n.Props["object"],
			SourceField: n.Props["field"], MappingVersion: ver, Transform: ed.Props["transform"],
			Origin: ed.Props["origin"], Confidence: conf,
		})
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.System != b.System {
			return a.System < b.System
		}
		if a.ConnectionID != b.ConnectionID {
			return a.ConnectionID < b.ConnectionID
		}
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.SourceField < b.SourceField
	})
	return out, nil
}

// ImpactedField is a canonical field fed by a source field. Breaks is true
// when the canonical field is required and the source field is its only
// source: its records would fail validation if the source field
// disappeared.
type ImpactedField struct {
	Entity         string `json:"entity"`
	Field          string `json:"field"`
	Required       bool   `json:"required"`
	MappingVersion int    `json:"mapping_version"`
	OtherSources   int    `json:"other_sources"`
	Breaks         bool   `json:"breaks"`
}

// SourceFieldImpact returns the canonical fields a source field feeds,
// from the knowledge graph: what is affected if it disappears. An unknown
// source field wraps ErrNotFound.
func (e *Engine) SourceFieldImpact(ctx context.Context, connectionID, object, field string) ([]ImpactedField, error) {
	g, err := e.Graph().Impact(ctx, sourceFieldNodeID(connectionID, object, field))
	if err != nil {
		return nil, fmt.Errorf("dcl: impact: %w", err)
	}
	src := sourceFieldNodeID(connectionID, object, field)
	out := []ImpactedField{}
	for _, ed := range g.Edges {
		if ed.Kind != EdgeMapsTo || ed.From != src {
			continue
		}
		var target Node
		for _, n := range g.Nodes {
			if n.ID == ed.To {
				target = n
			}
		}
		ver, _ := strconv.Atoi(ed.Props["mapping_version"])
		f := ImpactedField{Entity: target.Props["entity"], Field: target.Props["field"], Required: target.Props["required"] == "true", MappingVersion: ver}
		// other sources of the same canonical field within the same object
		// keep it fed; sources of other objects feed other records
		lin, err := e.Graph().Neighbours(ctx, ed.To, In)
		if err != nil {
			return nil, fmt.Errorf("dcl: impact: %w", err)
		}
		for _, n := range lin.Nodes {
			if n.Kind == NodeSourceField && n.ID != src && n.Props["connection_id"] == connectionID && n.Props["object"] == object {
				f.OtherSources++
			}
		}
		f.Breaks = f.Required && f.OtherSources == 0
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Entity != out[j].Entity {
			return out[i].Entity < out[j].Entity
		}
		return out[i].Field < out[j].Field
	})
	return out, nil
}
