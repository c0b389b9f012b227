package dcl

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// AggFunc is an aggregate function.
type AggFunc string

// The aggregate functions.
const (
	AggSum   AggFunc = "sum"
	AggCount AggFunc = "count"
	AggAvg   AggFunc = "avg"
)

// TimeBucket truncates a date or timestamp column to a period.
type TimeBucket string

// The time buckets. Weeks start on Monday (ISO 8601).
const (
	BucketDay   TimeBucket = "day"
	BucketWeek  TimeBucket = "week"
	BucketMonth TimeBucket = "month"
)

// AggregateOptions describes an aggregate query. Field names must be
// columns of the view.
type AggregateOptions struct {
	// Func is sum, count or avg. Sum and avg need a numeric Field; count
	// counts non-null values of Field, or rows when Field is empty.
	Func  AggFunc
	Field string
	// GroupBy groups by a column; optional.
	GroupBy string
	// TimeBucket groups by the period of TimeField (a date or timestamp
	// column); both or neither must be set.
	TimeBucket TimeBucket
	TimeField  string
	// Filters restrict the rows, as in QueryOptions.
	Filters []Filter
}

// AggregateRow is one group of an aggregate: the group value and period
// (when grouped), the aggregate value (exact; avg is rounded to 6
// decimals) and the number of values aggregated.
type AggregateRow struct {
	Group  any             `json:"group,omitempty"`
	Period string          `json:"period,omitempty"`
	Value  decimal.Decimal `json:"value"`
	Count  int64           `json:"count"`
}

// Aggregate computes sum, count or avg of a view column, optionally
// grouped by a column and by a time bucket, ordered by group then period.
// Errors wrap ErrInvalid (unknown view, field, function or bucket; a sum
// of a non-numeric field), ErrClosed or ErrStorage.
func (e *Engine) Aggregate(ctx context.Context, view string, opts AggregateOptions) ([]AggregateRow, error) {
	v, err := e.View(view)
	if err != nil {
		return nil, fmt.Errorf("dcl: aggregate: %w", err)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("dcl: aggregate: %w: "+format, append([]any{ErrInvalid}, a...)...)
	}
	var valueExpr, countExpr string
	switch opts.Func {
	case AggSum, AggAvg:
		c, ok := v.Column(opts.Field)
		if !ok {
			return nil, bad("view %q has no field %q", v.Name, opts.Field)
		}
		if c.SQLType != "BIGINT" && c.SQLType != decimalSQL {
			return nil, bad("field %q is not numeric", opts.Field)
		}
		valueExpr = "CAST(coalesce(sum(" + quoteIdent(c.Name) + "), 0) AS VARCHAR)"
		countExpr = "count(" + quoteIdent(c.Name) + ")"
	case AggCount:
		countExpr = "count(*)"
		if opts.Field != "" {
			c, ok := v.Column(opts.Field)
			if !ok {
				return nil, bad("view %q has no field %q", v.Name, opts.Field)
			}
			countExpr = "count(" + quoteIdent(c.Name) + ")"
		}
		valueExpr = "CAST(" + countExpr + " AS VARCHAR)"
	default:
		return nil, bad("unknown aggregate function %q", opts.Func)
	}
	var groupCol *Column
	var sel, group []string
	if opts.GroupBy != "" {
		c, ok := v.Column(opts.GroupBy)
		if !ok {
			return nil, bad("cannot group view %q by unknown field %q", v.Name, opts.GroupBy)
		}
		groupCol = &c
		sel = append(sel, quoteIdent(c.Name))
		group = append(group, "1")
	} else {
		sel = append(sel, "NULL")
	}
	if (opts.TimeBucket == "") != (opts.TimeField == "") {
		return nil, bad("time bucket and time field go together")
	}
	if opts.TimeBucket != "" {
		switch opts.TimeBucket {
		case BucketDay, BucketWeek, BucketMonth:
		default:
			return nil, bad("unknown time bucket %q", opts.TimeBucket)
		}
		c, ok := v.Column(opts.TimeField)
		if !ok {
			return nil, bad("view %q has no field %q", v.Name, opts.TimeField)
		}
		if c.SQLType != "DATE" && c.SQLType != "TIMESTAMP" {
			return nil, bad("field %q is not a date or timestamp", opts.TimeField)
		}
		sel = append(sel, fmt.Sprintf("CAST(CAST(date_trunc('%s', %s) AS DATE) AS VARCHAR)", opts.TimeBucket, quoteIdent(c.Name)))
		group = append(group, "2")
	} else {
		sel = append(sel, "NULL")
	}
	where, args, err := v.whereClause(opts.Filters, nil)
	if err != nil {
		return nil, fmt.Errorf("dcl: aggregate: %w", err)
	}
	q := "SELECT " + strings.Join(sel, ", ") + ", " + valueExpr + ", " + countExpr + " FROM " + quoteIdent(v.Name) + where
	if len(group) > 0 {
		q += " GROUP BY " + strings.Join(group, ", ") + " ORDER BY " + strings.Join(group, " NULLS LAST, ") + " NULLS LAST"
	}
	db, done, err := e.reader()
	if err != nil {
		return nil, fmt.Errorf("dcl: aggregate: %w", err)
	}
	defer done()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, queryErr(ctx, "aggregate", err)
	}
	defer rows.Close()
	out := []AggregateRow{}
	for rows.Next() {
		var g any
		var period sql.NullString
		var val string
		var n int64
		if err := rows.Scan(&g, &period, &val, &n); err != nil {
			return nil, queryErr(ctx, "aggregate", err)
		}
		d, err := decimal.NewFromString(val)
		if err != nil {
			return nil, fmt.Errorf("%w: aggregate: value %q: %v", ErrStorage, val, err)
		}
		if opts.Func == AggAvg {
			if n == 0 {
				d = decimal.Zero
			} else {
				d = d.DivRound(decimal.NewFromInt(n), decimalScale)
			}
		}
		r := AggregateRow{Period: period.String, Value: d, Count: n}
		if groupCol != nil {
			r.Group = fromDB(*groupCol, g)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, queryErr(ctx, "aggregate", err)
	}
	return out, nil
}
