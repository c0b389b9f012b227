package dcl

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// graphDDL creates the graph tables of DuckGraph.
var graphDDL = []string{
	`CREATE TABLE IF NOT EXISTS dcl_graph_nodes (id VARCHAR NOT NULL, kind VARCHAR NOT NULL, label VARCHAR, props VARCHAR)`,
	`CREATE TABLE IF NOT EXISTS dcl_graph_edges (src VARCHAR NOT NULL, dst VARCHAR NOT NULL, kind VARCHAR NOT NULL, props VARCHAR)`,
}

// DuckGraph is the DuckDB GraphStore: two tables (nodes, edges) in a
// DuckDB database, queried with recursive CTEs. The Engine keeps one in
// each tenant's file. It is safe for concurrent use; each write is one
// transaction.
type DuckGraph struct {
	db *sql.DB
}

var _ GraphStore = (*DuckGraph)(nil)

// NewDuckGraph creates the graph tables in db if missing and returns the
// store. The caller owns db: DuckGraph never closes it. Errors wrap
// ErrInvalid (nil db) or ErrStorage.
func NewDuckGraph(ctx context.Context, db *sql.DB) (*DuckGraph, error) {
	if db == nil {
		return nil, fmt.Errorf("%w: duck graph: nil db", ErrInvalid)
	}
	for _, q := range graphDDL {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, graphErr("create tables", err)
		}
	}
	return &DuckGraph{db: db}, nil
}

// graphErr translates a backend error in one place.
func graphErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrNotFound):
		return fmt.Errorf("dcl: graph: %s: %w", op, err)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("dcl: graph: %s: %w", op, err)
	case errors.Is(err, sql.ErrConnDone), errors.Is(err, sql.ErrTxDone):
		return fmt.Errorf("dcl: graph: %s: %w", op, ErrClosed)
	default:
		return fmt.Errorf("%w: graph: %s: %v", ErrStorage, op, err)
	}
}

func encodeProps(p map[string]string) (any, error) {
	if len(p) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

func decodeProps(s sql.NullString) map[string]string {
	if !s.Valid || s.String == "" {
		return nil
	}
	var p map[string]string
	if json.Unmarshal([]byte(s.String), &p) != nil {
		return nil
	}
	return p
}

func (g *DuckGraph) inTx(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return graphErr(op, err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return graphErr(op, err)
	}
	return graphErr(op, tx.Commit())
}

// graphStagingDDL creates the per-connection staging tables of bulk
// upserts.
var graphStagingDDL = []string{
	`CREATE TEMP TABLE IF NOT EXISTS dcl_graph_stage_nodes (id VARCHAR, kind VARCHAR, label VARCHAR, props VARCHAR)`,
	`CREATE TEMP TABLE IF NOT EXISTS dcl_graph_stage_edges (src VARCHAR, dst VARCHAR, kind VARCHAR, props VARCHAR)`,
	`DELETE FROM dcl_graph_stage_nodes`,
	`DELETE FROM dcl_graph_stage_edges`,
}

// bulk runs fn in one transaction on a dedicated connection whose
// staging tables are empty.
func (g *DuckGraph) bulk(ctx context.Context, op string, fn func(conn driver.Conn) error) error {
	conn, err := g.db.Conn(ctx)
	if err != nil {
		return graphErr(op, err)
	}
	defer conn.Close()
	return graphErr(op, conn.Raw(func(dc any) error {
		dconn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		for _, q := range graphStagingDDL {
			if err := execDriver(ctx, dconn, q); err != nil {
				return err
			}
		}
		if err := execDriver(ctx, dconn, "BEGIN TRANSACTION"); err != nil {
			return err
		}
		if err := fn(dconn); err != nil {
			_ = execDriver(context.WithoutCancel(ctx), dconn, "ROLLBACK")
			return err
		}
		return execDriver(ctx, dconn, "COMMIT")
	}))
}

// UpsertNodes inserts or replaces nodes in one transaction, bulk-loaded
// through the Appender; the last of two nodes with the same id wins.
func (g *DuckGraph) UpsertNodes(ctx context.Context, nodes []Node) error {
	if err := validateNodes(nodes); err != nil {
		return fmt.Errorf("dcl: graph: upsert nodes: %w", err)
	}
	if len(nodes) == 0 {
		return nil
	}
	last := map[string]int{}
	for i, n := range nodes {
		last[n.ID] = i
	}
	return g.bulk(ctx, "upsert nodes", func(conn driver.Conn) error {
		err := appendRows(conn, "dcl_graph_stage_nodes", func(add func(...driver.Value) error) error {
			for i, n := range nodes {
				if last[n.ID] != i {
					continue
				}
				props, err := encodeProps(n.Props)
				if err != nil {
					return err
				}
				if err := add(n.ID, string(n.Kind), n.Label, props); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := execDriver(ctx, conn, `DELETE FROM dcl_graph_nodes USING dcl_graph_stage_nodes s WHERE dcl_graph_nodes.id = s.id`); err != nil {
			return err
		}
		return execDriver(ctx, conn, `INSERT INTO dcl_graph_nodes SELECT id, kind, label, props FROM dcl_graph_stage_nodes`)
	})
}

// UpsertEdges inserts or replaces edges in one transaction, bulk-loaded
// through the Appender; both endpoints must exist (ErrNotFound otherwise,
// and nothing is written).
func (g *DuckGraph) UpsertEdges(ctx context.Context, edges []Edge) error {
	if err := validateEdges(edges); err != nil {
		return fmt.Errorf("dcl: graph: upsert edges: %w", err)
	}
	if len(edges) == 0 {
		return nil
	}
	type key struct{ from, to, kind string }
	last := map[key]int{}
	for i, e := range edges {
		last[key{e.From, e.To, string(e.Kind)}] = i
	}
	return g.bulk(ctx, "upsert edges", func(conn driver.Conn) error {
		err := appendRows(conn, "dcl_graph_stage_edges", func(add func(...driver.Value) error) error {
			for i, e := range edges {
				if last[key{e.From, e.To, string(e.Kind)}] != i {
					continue
				}
				props, err := encodeProps(e.Props)
				if err != nil {
					return err
				}
				if err := add(e.From, e.To, string(e.Kind), props); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		var src, dst string
		err = queryRowDriver(ctx, conn, `SELECT s.src, s.dst FROM dcl_graph_stage_edges s
			WHERE NOT EXISTS (SELECT 1 FROM dcl_graph_nodes n WHERE n.id = s.src)
			   OR NOT EXISTS (SELECT 1 FROM dcl_graph_nodes n WHERE n.id = s.dst)
			ORDER BY 1, 2 LIMIT 1`, &src, &dst)
		switch {
		case err == nil:
			return fmt.Errorf("%w: edge %q -> %q: endpoint does not exist", ErrNotFound, src, dst)
		case !errors.Is(err, io.EOF):
			return err
		}
		if err := execDriver(ctx, conn, `DELETE FROM dcl_graph_edges USING dcl_graph_stage_edges s
			WHERE dcl_graph_edges.src = s.src AND dcl_graph_edges.dst = s.dst AND dcl_graph_edges.kind = s.kind`); err != nil {
			return err
		}
		return execDriver(ctx, conn, `INSERT INTO dcl_graph_edges SELECT src, dst, kind, props FROM dcl_graph_stage_edges`)
	})
}

// queryRowDriver scans the first row of a query on a raw driver
// connection into string destinations; io.EOF when there is none.
func queryRowDriver(ctx context.Context, conn driver.Conn, q string, dest ...*string) error {
	qc, ok := conn.(driver.QueryerContext)
	if !ok {
		return fmt.Errorf("driver connection cannot query")
	}
	rows, err := qc.QueryContext(ctx, q, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(vals); err != nil {
		return err
	}
	for i, d := range dest {
		s, _ := vals[i].(string)
		*d = s
	}
	return nil
}

// ResetGraph removes every node and edge.
func (g *DuckGraph) ResetGraph(ctx context.Context) error {
	return g.inTx(ctx, "reset", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM dcl_graph_edges`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM dcl_graph_nodes`)
		return err
	})
}

// Neighbours returns the nodes adjacent to id and the linking edges.
func (g *DuckGraph) Neighbours(ctx context.Context, id string, dir Direction) (Subgraph, error) {
	var cond string
	switch dir {
	case Out:
		cond = `src = $1`
	case In:
		cond = `dst = $1`
	case Both:
		cond = `(src = $1 OR dst = $1)`
	default:
		return Subgraph{}, fmt.Errorf("%w: graph: neighbours: unknown direction %d", ErrInvalid, dir)
	}
	set := `SELECT CASE WHEN src = $1 THEN dst ELSE src END AS id FROM dcl_graph_edges WHERE ` + cond
	edges := `SELECT src, dst, kind, props FROM dcl_graph_edges WHERE ` + cond
	return g.subgraph(ctx, "neighbours", id, set, edges)
}

// Lineage returns the transitive upstream of id.
func (g *DuckGraph) Lineage(ctx context.Context, id string) (Subgraph, error) {
	cte := `WITH RECURSIVE r(id) AS (SELECT $1::VARCHAR UNION SELECT e.src FROM dcl_graph_edges e JOIN r ON e.dst = r.id) `
	set := cte + `SELECT id FROM r WHERE id <> $1`
	edges := cte + `SELECT src, dst, kind, props FROM dcl_graph_edges WHERE dst IN (SELECT id FROM r) AND src IN (SELECT id FROM r)`
	return g.subgraph(ctx, "lineage", id, set, edges)
}

// Impact returns the transitive downstream of id.
func (g *DuckGraph) Impact(ctx context.Context, id string) (Subgraph, error) {
	cte := `WITH RECURSIVE r(id) AS (SELECT $1::VARCHAR UNION SELECT e.dst FROM dcl_graph_edges e JOIN r ON e.src = r.id) `
	set := cte + `SELECT id FROM r WHERE id <> $1`
	edges := cte + `SELECT src, dst, kind, props FROM dcl_graph_edges WHERE dst IN (SELECT id FROM r) AND src IN (SELECT id FROM r)`
	return g.subgraph(ctx, "impact", id, set, edges)
}

// subgraph runs a node-set query and an edge query in one snapshot.
func (g *DuckGraph) subgraph(ctx context.Context, op, id, setQuery, edgeQuery string) (Subgraph, error) {
	var out Subgraph
	if id == "" {
		return out, fmt.Errorf("%w: graph: %s: empty id", ErrInvalid, op)
	}
	err := g.inTx(ctx, op, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM dcl_graph_nodes WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: node %q", ErrNotFound, id)
		}
		rows, err := tx.QueryContext(ctx, `SELECT id, kind, label, props FROM dcl_graph_nodes WHERE id IN (`+setQuery+`)`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var nd Node
			var kind string
			var label, props sql.NullString
			if err := rows.Scan(&nd.ID, &kind, &label, &props); err != nil {
				rows.Close()
				return err
			}
			nd.Kind, nd.Label, nd.Props = NodeKind(kind), label.String, decodeProps(props)
			out.Nodes = append(out.Nodes, nd)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, edgeQuery, id)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e Edge
			var kind string
			var props sql.NullString
			if err := rows.Scan(&e.From, &e.To, &kind, &props); err != nil {
				return err
			}
			e.Kind, e.Props = EdgeKind(kind), decodeProps(props)
			out.Edges = append(out.Edges, e)
		}
		return rows.Err()
	})
	if err != nil {
		return Subgraph{}, err
	}
	out.Sort()
	return out, nil
}
