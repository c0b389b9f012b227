package dcl

import (
	"fmt"
	"strings"

	"github.com/autonomos/autonomos/canonical"
)

// System columns every view has after the canonical fields. They start
// with an underscore so they never clash with a canonical field name.
const (
	ColSourceSystem   = "_source_system"
	ColConnectionID   = "_connection_id"
	ColSourceObject   = "_source_object"
	ColRecordID       = "_record_id"
	ColUnifiedID      = "_unified_id"
	ColMappingVersion = "_mapping_version"
	ColOffset         = "_offset"
	ColUpdatedAt      = "_updated_at"
)

// Column is one column of a view: a canonical field or a system column.
type Column struct {
	// Name is the column name (the canonical field name, or one of the
	// Col... system columns).
	Name string `json:"name"`
	// Type is the canonical type of a field column; empty for system
	// columns.
	Type canonical.Type `json:"type,omitempty"`
	// SQLType is the DuckDB type of the column.
	SQLType string `json:"sql_type"`
	// System marks the system columns.
	System bool `json:"system,omitempty"`

	kind colKind
}

// colKind is the storage class of a column, for fast row conversion.
type colKind uint8

const (
	kindVarchar colKind = iota
	kindBigint
	kindDecimal
	kindBoolean
	kindDate
	kindTimestamp
)

func kindOf(sqlType string) colKind {
	switch sqlType {
	case "BIGINT":
		return kindBigint
	case decimalSQL:
		return kindDecimal
	case "BOOLEAN":
		return kindBoolean
	case "DATE":
		return kindDate
	case "TIMESTAMP":
		return kindTimestamp
	}
	return kindVarchar
}

// View describes one materialized view: the typed table of one canonical
// entity.
type View struct {
	// Name is the view's name: the entity's plural (accounts, contacts,
	// opportunities, invoices, cloud_costs).
	Name string `json:"name"`
	// Entity is the canonical entity the view holds.
	Entity string `json:"entity"`
	// Columns lists the canonical fields in entity order, then the system
	// columns.
	Columns []Column `json:"columns"`

	index map[string]int
}

// Column returns the column named name, if the view has one.
func (v *View) Column(name string) (Column, bool) {
	i, ok := v.index[name]
	if !ok {
		return Column{}, false
	}
	return v.Columns[i], true
}

// ViewName returns the view name of an entity: its plural
// (opportunity -> opportunities, cloud_cost -> cloud_costs).
func ViewName(entity string) string {
	if strings.HasSuffix(entity, "y") && !strings.HasSuffix(entity, "ay") && !strings.HasSuffix(entity, "ey") {
		return entity[:len(entity)-1] + "ies"
	}
	if strings.HasSuffix(entity, "s") {
		return entity + "es"
	}
	return entity + "s"
}

// sqlType is the DuckDB type of a canonical type. Money and percentages
// are exact DECIMAL(38,18) (see decimalSQL); timestamps are UTC TIMESTAMP.
func sqlType(t canonical.Type) string {
	switch t {
	case canonical.Integer:
		return "BIGINT"
	case canonical.Decimal, canonical.Percent:
		return decimalSQL
	case canonical.Boolean:
		return "BOOLEAN"
	case canonical.Date:
		return "DATE"
	case canonical.Timestamp:
		return "TIMESTAMP"
	default:
		return "VARCHAR"
	}
}

// decimalSQL is the type of every decimal column: the widest exact DuckDB
// decimal, with 18 places after the point (a FOCUS unit price of
// 0.0000004 or a billed cost of 0.00000080000 stays what it is) and 20
// before. A value needing more is refused with an error, never rounded.
const decimalSQL = "DECIMAL(38,18)"

// decimalScale is the scale of every DECIMAL column.
const decimalScale = 18

// buildViews derives one view per registry entity.
func buildViews(reg *canonical.Registry) (map[string]*View, map[string]*View, error) {
	byName := map[string]*View{}
	byEntity := map[string]*View{}
	for _, ent := range reg.Entities() {
		v := &View{Name: ViewName(ent.Name), Entity: ent.Name, index: map[string]int{}}
		for _, f := range ent.Fields {
			v.Columns = append(v.Columns, Column{Name: f.Name, Type: f.Type, SQLType: sqlType(f.Type)})
		}
		for _, c := range []Column{
			{Name: ColSourceSystem, SQLType: "VARCHAR"},
			{Name: ColConnectionID, SQLType: "VARCHAR"},
			{Name: ColSourceObject, SQLType: "VARCHAR"},
			{Name: ColRecordID, SQLType: "VARCHAR"},
			{Name: ColUnifiedID, SQLType: "VARCHAR"},
			{Name: ColMappingVersion, SQLType: "BIGINT"},
			{Name: ColOffset, SQLType: "BIGINT"},
			{Name: ColUpdatedAt, SQLType: "TIMESTAMP"},
		} {
			c.System = true
			v.Columns = append(v.Columns, c)
		}
		for i, c := range v.Columns {
			v.Columns[i].kind = kindOf(c.SQLType)
			v.index[c.Name] = i
		}
		if _, dup := byName[v.Name]; dup {
			return nil, nil, fmt.Errorf("%w: two entities share the view name %q", ErrInvalid, v.Name)
		}
		byName[v.Name] = v
		byEntity[ent.Name] = v
	}
	return byName, byEntity, nil
}

// quoteIdent quotes an identifier taken from the registry (never from
// user input, which is only ever matched against the whitelist).
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// createTableSQL is the DDL of a view's table.
func (v *View) createTableSQL() string { return v.CreateTableSQL(v.Name) }

// CreateTableSQL returns the DuckDB DDL of a table with the view's
// columns and types, named table ("CREATE TABLE IF NOT EXISTS ..."), for
// example to build an identical table elsewhere.
func (v *View) CreateTableSQL(table string) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS ")
	b.WriteString(quoteIdent(table))
	b.WriteString(" (")
	for i, c := range v.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quoteIdent(c.Name))
		b.WriteByte(' ')
		b.WriteString(c.SQLType)
	}
	b.WriteString(")")
	return b.String()
}

// stateDDL creates the engine's own tables.
var stateDDL = []string{
	`CREATE TABLE IF NOT EXISTS dcl_state (id INTEGER PRIMARY KEY, tenant_id VARCHAR NOT NULL, stream_offset BIGINT NOT NULL)`,
	`CREATE TABLE IF NOT EXISTS dcl_unified_clusters (entity VARCHAR, unified_id VARCHAR, created_offset BIGINT)`,
	`CREATE TABLE IF NOT EXISTS dcl_unify_log (entity VARCHAR, unified_id VARCHAR, action VARCHAR, member_connection_id VARCHAR, member_record_id VARCHAR, matched_connection_id VARCHAR, matched_record_id VARCHAR, absorbed_id VARCHAR, matched_keys VARCHAR, stream_offset BIGINT, seq BIGINT)`,
}

// stagingDDL creates the per-connection temporary staging tables of the
// writer connection.
var stagingDDL = []string{
	`CREATE TEMP TABLE IF NOT EXISTS dcl_stage_keys (connection_id VARCHAR, record_id VARCHAR)`,
	`CREATE TEMP TABLE IF NOT EXISTS dcl_stage_unified (connection_id VARCHAR, record_id VARCHAR, unified_id VARCHAR)`,
}
