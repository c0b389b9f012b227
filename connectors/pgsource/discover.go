package pgsource

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// column is one column of a table as the catalog describes it.
type column struct {
	name     string
	sqlType  string // format_type output: valid, quoted SQL type syntax
	typeName string // base type name
	category string // pg_type.typcategory of the base type
	typType  string // pg_type.typtype of the base type
	baseOID  uint32 // OID of the base type
}

// table is one readable table.
type table struct {
	name    string
	columns []column
	pk      []string
	tuples  float64 // planner estimate; -1 when never analyzed
}

func (t *table) column(name string) (column, bool) {
	for _, c := range t.columns {
		if c.name == name {
			return c, true
		}
	}
	return column{}, false
}

// queryer is what the catalog queries need: a pool or a transaction.
type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// loadTables reads the tables of the schema from the catalog; names nil
// means every table.
func (s *Source) loadTables(ctx context.Context, q queryer, names []string) ([]*table, error) {
	rows, err := q.Query(ctx, sqlColumns, s.schema, names)
	if err != nil {
		return nil, s.interpret(ctx, "list columns", err)
	}
	var tables []*table
	byName := map[string]*table{}
	for rows.Next() {
		var tname string
		var c column
		var tuples float64
		if err := rows.Scan(&tname, &c.name, &c.sqlType, &c.typeName, &c.category, &c.typType, &c.baseOID, &tuples); err != nil {
			rows.Close()
			return nil, s.interpret(ctx, "list columns", err)
		}
		t := byName[tname]
		if t == nil {
			t = &table{name: tname, tuples: tuples}
			byName[tname] = t
			tables = append(tables, t)
		}
		t.columns = append(t.columns, c)
	}
	if err := rows.Err(); err != nil {
		return nil, s.interpret(ctx, "list columns", err)
	}

	rows, err = q.Query(ctx, sqlPrimaryKeys, s.schema, names)
	if err != nil {
		return nil, s.interpret(ctx, "list primary keys", err)
	}
	for rows.Next() {
		var tname, col string
		if err := rows.Scan(&tname, &col); err != nil {
			rows.Close()
			return nil, s.interpret(ctx, "list primary keys", err)
		}
		if t := byName[tname]; t != nil {
			t.pk = append(t.pk, col)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, s.interpret(ctx, "list primary keys", err)
	}
	return tables, nil
}

// Discover lists the tables of the schema (or the configured tables) with
// their columns, canonical types, primary keys and up to
// canonical.MaxSamples sample values per column. Tables without columns are
// left out. Errors are translated as in Check.
func (s *Source) Discover(ctx context.Context) (*connectors.Catalog, error) {
	tables, err := s.loadTables(ctx, s.pool, s.tables)
	if err != nil {
		return nil, err
	}
	cat := &connectors.Catalog{Objects: make([]connectors.Object, 0, len(tables))}
	for _, t := range tables {
		samples, err := s.sample(ctx, t)
		if err != nil {
			return nil, err
		}
		obj := connectors.Object{
			Schema:     canonical.SourceSchema{System: System, Object: t.name},
			PrimaryKey: t.pk,
		}
		obj.ChangeModel = s.changeModel(t)
		if obj.ChangeModel == connectors.ChangeIncremental {
			obj.CursorField = s.cursorColumn
		}
		for i, c := range t.columns {
			obj.Schema.Fields = append(obj.Schema.Fields, canonical.SourceField{
				Name:    c.name,
				Type:    fieldType(c),
				Samples: samples[i],
			})
		}
		cat.Objects = append(cat.Objects, obj)
	}
	return cat, nil
}

// sampleLimit is how many rows Discover looks at per table.
const sampleLimit = canonical.MaxSamples

// sample returns up to sampleLimit non-null values per column. Large tables
// are sampled with TABLESAMPLE SYSTEM so the query reads a few pages instead
// of scanning from the start; when that returns nothing the first rows are
// used.
func (s *Source) sample(ctx context.Context, t *table) ([][]any, error) {
	ident := pgx.Identifier{s.schema, t.name}.Sanitize()
	cols := ""
	for i, c := range t.columns {
		if i > 0 {
			cols += ", "
		}
		cols += pgx.Identifier{c.name}.Sanitize()
	}
	out := make([][]any, len(t.columns))
	queries := []string{}
	if t.tuples > 100_000 {
		pct := 100 * 1000 / t.tuples // about a thousand rows
		queries = append(queries, fmt.Sprintf("SELECT %s FROM %s TABLESAMPLE SYSTEM (%g) LIMIT %d", cols, ident, pct, sampleLimit))
	}
	queries = append(queries, fmt.Sprintf("SELECT %s FROM %s LIMIT %d", cols, ident, sampleLimit))
	for _, q := range queries {
		rows, err := s.pool.Query(ctx, q)
		if err != nil {
			return nil, s.interpret(ctx, fmt.Sprintf("sample table %q", t.name), err)
		}
		n := 0
		for rows.Next() {
			n++
			vals, err := rows.Values()
			if err != nil {
				continue // an undecodable row is no sample; reads report it
			}
			for i, v := range vals {
				if v == nil || len(out[i]) >= canonical.MaxSamples {
					continue
				}
				out[i] = append(out[i], sampleValue(v, t.columns[i].typeName == "date"))
			}
		}
		if err := rows.Err(); err != nil {
			return nil, s.interpret(ctx, fmt.Sprintf("sample table %q", t.name), err)
		}
		if n > 0 {
			break
		}
	}
	return out, nil
}

// fieldType maps a PostgreSQL type to the source-schema field types.
func fieldType(c column) canonical.FieldType {
	if c.category == "A" {
		return canonical.TypeArray
	}
	switch c.typeName {
	case "int2", "int4", "int8", "oid":
		return canonical.TypeInteger
	case "float4", "float8", "numeric", "money":
		return canonical.TypeNumber
	case "bool":
		return canonical.TypeBoolean
	case "date":
		return canonical.TypeDate
	case "timestamp", "timestamptz":
		return canonical.TypeDatetime
	case "json", "jsonb", "hstore":
		return canonical.TypeObject
	case "text", "varchar", "bpchar", "char", "name", "uuid", "citext", "xml",
		"inet", "cidr", "macaddr", "macaddr8", "time", "timetz", "interval", "bytea", "bit", "varbit", "tsvector":
		return canonical.TypeString
	}
	switch {
	case c.typType == "e": // enum
		return canonical.TypeString
	case c.category == "S":
		return canonical.TypeString
	case c.category == "N":
		return canonical.TypeNumber
	}
	return canonical.TypeUnknown
}

// changeModel is how t is read under the connection's configuration:
// mode=cdc captures changes; otherwise a table with the cursor column is
// read incrementally and any other table as a full snapshot each sync.
func (s *Source) changeModel(t *table) connectors.ChangeModel {
	switch {
	case s.mode == modeCDC:
		return connectors.ChangeCDC
	case s.cursorColumn != "":
		if _, ok := t.column(s.cursorColumn); ok {
			return connectors.ChangeIncremental
		}
	}
	return connectors.ChangeSnapshot
}
