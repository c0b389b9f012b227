package dcl

import (
	"context"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/shopspring/decimal"

	"github.com/autonomos/autonomos/canonical"
)

// Op is a filter operator.
type Op string

// The filter operators. Prefix and Contains apply to text columns only;
// In takes a slice value.
const (
	OpEq       Op = "eq"
	OpNe       Op = "ne"
	OpLt       Op = "lt"
	OpLe       Op = "le"
	OpGt       Op = "gt"
	OpGe       Op = "ge"
	OpIn       Op = "in"
	OpPrefix   Op = "prefix"
	OpContains Op = "contains"
)

var comparisons = map[Op]string{OpEq: "=", OpNe: "<>", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}

// Filter restricts a query to rows whose Field compares to Value by Op.
// Value is any Go value that converts to the column's type (text is
// parsed: "2024-03-01" for a date, "1200.50" for a decimal); it is always
// sent as a query parameter, never written into the SQL. A nil Value with
// OpEq or OpNe tests for NULL.
type Filter struct {
	Field string `json:"field"`
	Op    Op     `json:"op"`
	Value any    `json:"value"`
}

// SortKey orders rows by a column.
type SortKey struct {
	Field string `json:"field"`
	Desc  bool   `json:"desc,omitempty"`
}

// QueryOptions selects, filters, sorts and pages a view's rows. Every
// field name must be a column of the view (the whitelist is the canonical
// entity's fields plus the system columns).
type QueryOptions struct {
	// Fields lists the columns to return; empty means all, in view order.
	Fields []string
	// Filters are combined with AND.
	Filters []Filter
	// Sort orders the rows; the record identity (connection id, record id)
	// always breaks ties, so pages are stable.
	Sort []SortKey
	// Limit is the page size: default DefaultQueryLimit, at most
	// MaxQueryLimit.
	Limit int
	// PageToken continues from a previous Page's NextPageToken.
	PageToken string
}

// Row is one view row: column name -> value. Values are string, int64,
// bool, decimal.Decimal (exact), canonical.CivilDate, time.Time (UTC) or
// nil.
type Row map[string]any

// Page is one page of a query.
type Page struct {
	// Fields lists the returned columns, in order.
	Fields []string `json:"fields"`
	Rows   []Row    `json:"rows"`
	// NextPageToken continues the query; empty on the last page.
	NextPageToken string `json:"next_page_token,omitempty"`
}

// whereClause builds the WHERE clause of filters with positional
// parameters; every identifier comes from the view's whitelist.
func (v *View) whereClause(filters []Filter, args []any) (string, []any, error) {
	var parts []string
	for _, f := range filters {
		c, ok := v.Column(f.Field)
		if !ok {
			return "", nil, fmt.Errorf("%w: view %q has no field %q", ErrInvalid, v.Name, f.Field)
		}
		col := quoteIdent(c.Name)
		switch f.Op {
		case OpEq, OpNe, OpLt, OpLe, OpGt, OpGe:
			if f.Value == nil {
				switch f.Op {
				case OpEq:
					parts = append(parts, col+" IS NULL")
				case OpNe:
					parts = append(parts, col+" IS NOT NULL")
				default:
					return "", nil, fmt.Errorf("%w: filter %q %s: nil value", ErrInvalid, f.Field, f.Op)
				}
				continue
			}
			p, err := paramValue(c, f.Value)
			if err != nil {
				return "", nil, err
			}
			args = append(args, p)
			parts = append(parts, fmt.Sprintf("%s %s CAST($%d AS %s)", col, comparisons[f.Op], len(args), c.SQLType))
		case OpIn:
			vals, err := sliceOf(f.Value)
			if err != nil {
				return "", nil, fmt.Errorf("%w: filter %q in: %v", ErrInvalid, f.Field, err)
			}
			if len(vals) == 0 {
				parts = append(parts, "FALSE")
				continue
			}
			ph := make([]string, len(vals))
			for i, x := range vals {
				p, err := paramValue(c, x)
				if err != nil {
					return "", nil, err
				}
				args = append(args, p)
				ph[i] = fmt.Sprintf("CAST($%d AS %s)", len(args), c.SQLType)
			}
			parts = append(parts, col+" IN ("+strings.Join(ph, ", ")+")")
		case OpPrefix, OpContains:
			if c.SQLType != "VARCHAR" {
				return "", nil, fmt.Errorf("%w: filter %q %s: not a text field", ErrInvalid, f.Field, f.Op)
			}
			s, ok := f.Value.(string)
			if !ok {
				return "", nil, fmt.Errorf("%w: filter %q %s: value must be text", ErrInvalid, f.Field, f.Op)
			}
			args = append(args, s)
			fn := "starts_with"
			if f.Op == OpContains {
				fn = "contains"
			}
			parts = append(parts, fmt.Sprintf("%s(%s, $%d)", fn, col, len(args)))
		default:
			return "", nil, fmt.Errorf("%w: filter %q: unknown operator %q", ErrInvalid, f.Field, f.Op)
		}
	}
	if len(parts) == 0 {
		return "", args, nil
	}
	return " WHERE " + strings.Join(parts, " AND "), args, nil
}

func sliceOf(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case []int64:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	case []int:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out, nil
	}
	return nil, fmt.Errorf("value %T is not a list", v)
}

// paramValue turns a filter value into a parameter for CAST(? AS type).
func paramValue(c Column, v any) (any, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case bool:
		return x, nil
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case decimal.Decimal:
		return x.String(), nil
	case canonical.CivilDate:
		return x.String(), nil
	case time.Time:
		return x.UTC().Format("2006-01-02 15:04:05.999999"), nil
	}
	return nil, fmt.Errorf("%w: filter %q: unsupported value type %T", ErrInvalid, c.Name, v)
}

// fromDB converts a scanned DuckDB value to the Row value of a column.
func fromDB(c Column, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case duckdb.Decimal:
		return decimal.NewFromBigInt(x.Value, -int32(x.Scale))
	case time.Time:
		if c.SQLType == "DATE" {
			return canonical.CivilDateOf(x.UTC())
		}
		return x.UTC()
	case int32:
		return int64(x)
	}
	return v
}

type pageToken struct {
	view   string
	offset int
}

func encodeToken(t pageToken) string {
	return base64.RawURLEncoding.EncodeToString([]byte("v1:" + t.view + ":" + strconv.Itoa(t.offset)))
}

func decodeToken(s, view string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return 0, fmt.Errorf("%w: malformed page token", ErrInvalid)
	}
	parts := strings.Split(string(b), ":")
	if len(parts) != 3 || parts[0] != "v1" || parts[1] != view {
		return 0, fmt.Errorf("%w: page token is not for view %q", ErrInvalid, view)
	}
	n, err := strconv.Atoi(parts[2])
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: malformed page token", ErrInvalid)
	}
	return n, nil
}

// Query returns one page of a view's rows. Field names, operators and sort
// keys are checked against the view's whitelist; filter values are query
// parameters. Errors wrap ErrInvalid (unknown view, field, operator, bad
// value, limit or page token), ErrClosed or ErrStorage. Query is safe for
// concurrent use and never sees a half-materialized batch.
func (e *Engine) Query(ctx context.Context, view string, opts QueryOptions) (Page, error) {
	v, err := e.View(view)
	if err != nil {
		return Page{}, fmt.Errorf("dcl: query: %w", err)
	}
	fields := opts.Fields
	if len(fields) == 0 {
		for _, c := range v.Columns {
			fields = append(fields, c.Name)
		}
	}
	cols := make([]Column, len(fields))
	sel := make([]string, len(fields))
	for i, f := range fields {
		c, ok := v.Column(f)
		if !ok {
			return Page{}, fmt.Errorf("dcl: query: %w: view %q has no field %q", ErrInvalid, v.Name, f)
		}
		cols[i], sel[i] = c, quoteIdent(c.Name)
	}
	limit := opts.Limit
	if limit == 0 {
		limit = DefaultQueryLimit
	}
	if limit < 0 || limit > MaxQueryLimit {
		return Page{}, fmt.Errorf("dcl: query: %w: limit %d is outside 1..%d", ErrInvalid, limit, MaxQueryLimit)
	}
	offset := 0
	if opts.PageToken != "" {
		if offset, err = decodeToken(opts.PageToken, v.Name); err != nil {
			return Page{}, fmt.Errorf("dcl: query: %w", err)
		}
	}
	where, args, err := v.whereClause(opts.Filters, nil)
	if err != nil {
		return Page{}, fmt.Errorf("dcl: query: %w", err)
	}
	var order []string
	for _, s := range opts.Sort {
		c, ok := v.Column(s.Field)
		if !ok {
			return Page{}, fmt.Errorf("dcl: query: %w: cannot sort view %q by unknown field %q", ErrInvalid, v.Name, s.Field)
		}
		dir := " ASC NULLS LAST"
		if s.Desc {
			dir = " DESC NULLS LAST"
		}
		order = append(order, quoteIdent(c.Name)+dir)
	}
	order = append(order, quoteIdent(ColConnectionID), quoteIdent(ColRecordID))
	// LIMIT and OFFSET are validated integers written into the SQL (not
	// parameters) so that DuckDB plans a top-N instead of a full sort.
	q := fmt.Sprintf("SELECT %s FROM %s%s ORDER BY %s LIMIT %d OFFSET %d",
		strings.Join(sel, ", "), quoteIdent(v.Name), where, strings.Join(order, ", "), limit+1, offset)

	db, done, err := e.reader()
	if err != nil {
		return Page{}, fmt.Errorf("dcl: query: %w", err)
	}
	defer done()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return Page{}, queryErr(ctx, "query", err)
	}
	defer rows.Close()
	page := Page{Fields: fields, Rows: []Row{}}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if len(page.Rows) == limit {
			page.NextPageToken = encodeToken(pageToken{view: v.Name, offset: offset + limit})
			break
		}
		if err := rows.Scan(ptrs...); err != nil {
			return Page{}, queryErr(ctx, "query", err)
		}
		r := make(Row, len(cols))
		for i, c := range cols {
			r[c.Name] = fromDB(c, vals[i])
		}
		page.Rows = append(page.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return Page{}, queryErr(ctx, "query", err)
	}
	return page, nil
}

// queryErr translates a read error in one place.
func queryErr(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("dcl: %s: %w", op, ctx.Err())
	}
	if err == sql.ErrConnDone {
		return fmt.Errorf("dcl: %s: %w", op, ErrClosed)
	}
	if strings.Contains(err.Error(), "Conversion Error") || strings.Contains(err.Error(), "Could not convert") {
		return fmt.Errorf("%w: %s: %v", ErrInvalid, op, err)
	}
	return fmt.Errorf("%w: %s: %v", ErrStorage, op, err)
}
