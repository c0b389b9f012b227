package nlp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/autonomos/autonomos/dcl"
)

// result is an executed query before it is worded.
type result struct {
	rows    []map[string]any
	totals  map[string]any
	sources []Source
	notes   []string
}

// closedStatuses are invoice statuses that are not receivable.
var closedStatuses = map[string]bool{"paid": true, "void": true, "draft": true, "cancelled": true, "canceled": true,
	"written_off": true, "uncollectible": true}

// viewMetric describes a metric computed by scanning one view.
type viewMetric struct {
	spec      viewSpec
	timeField string   // filtered by the timeframe and grouped by grains
	fields    []string // read besides dimensions and timeField
	filters   []dcl.Filter
	accept    func(r dcl.Row) bool
	add       func(r dcl.Row, g *group)
	// value orders groups and is the headline number.
	value func(g *group) decimal.Decimal
	// row writes a group's measures.
	row func(g *group, out map[string]any)
}

func (x *executor) runView(ctx context.Context, vm viewMetric, q *Query) (result, error) {
	if x.t.Views == nil {
		return result{}, fmt.Errorf("nlp: %w: the tenant's views are not open", ErrUnavailable)
	}
	var res result
	filters := append([]dcl.Filter(nil), vm.filters...)
	if q.Timeframe != nil && vm.timeField != "" {
		start, end, err := q.Timeframe.Range()
		if err != nil {
			return result{}, fmt.Errorf("nlp: %w: timeframe: %v", ErrInvalid, err)
		}
		filters = append(filters, dcl.Filter{Field: vm.timeField, Op: dcl.OpGe, Value: start},
			dcl.Filter{Field: vm.timeField, Op: dcl.OpLt, Value: end})
	}
	for dim, val := range q.Filters {
		col, ok := vm.spec.columns[dim]
		if !ok {
			res.notes = append(res.notes, fmt.Sprintf("filter %s=%q does not apply to %s and was not used", dim, val, q.Metric))
			continue
		}
		if dim == "account" {
			ids, err := x.accountIDs(ctx, val)
			if err != nil {
				return result{}, err
			}
			filters = append(filters, dcl.Filter{Field: col, Op: dcl.OpIn, Value: ids})
			continue
		}
		filters = append(filters, dcl.Filter{Field: col, Op: dcl.OpEq, Value: val})
	}
	fields := append([]string(nil), vm.fields...)
	if vm.timeField != "" {
		fields = append(fields, vm.timeField)
	}
	var dims []string
	for _, d := range q.GroupBy {
		if isGrain(d) {
			if vm.timeField == "" {
				res.notes = append(res.notes, fmt.Sprintf("%s has no time field to group by %s", q.Metric, d))
				continue
			}
			dims = append(dims, d)
			continue
		}
		col, ok := vm.spec.columns[d]
		if !ok {
			res.notes = append(res.notes, fmt.Sprintf("%s cannot be grouped by %s", q.Metric, d))
			continue
		}
		dims = append(dims, d)
		fields = append(fields, col)
	}
	curCol := vm.spec.columns["currency"]
	if curCol != "" {
		fields = append(fields, curCol)
	}
	fields = dedupe(fields)
	gs := newGroups(dims)
	total := &group{}
	currencies := map[string]bool{}
	err := scan(ctx, x.t.Views, vm.spec.view, fields, filters, func(r dcl.Row) {
		if vm.accept != nil && !vm.accept(r) {
			return
		}
		if curCol != "" {
			currencies[toText(r[curCol])] = true
		}
		key := make([]string, len(dims))
		for i, d := range dims {
			if isGrain(d) {
				if t, ok := toDate(r[vm.timeField]); ok {
					key[i] = periodKey(d, t, x.weekStart)
				}
				continue
			}
			key[i] = toText(r[vm.spec.columns[d]])
		}
		vm.add(r, total)
		if len(dims) > 0 {
			vm.add(r, gs.get(key))
		}
	})
	if err != nil {
		return result{}, fmt.Errorf("nlp: %s: %w", q.Metric, err)
	}
	res.sources = []Source{{Kind: "view", Name: vm.spec.view}}
	var names map[string]string
	if contains(dims, "account") {
		if names, err = x.accountNames(ctx); err != nil {
			return result{}, err
		}
		res.sources = append(res.sources, Source{Kind: "view", Name: "accounts"})
	}
	res.totals = map[string]any{}
	vm.row(total, res.totals)
	if len(currencies) == 1 {
		for c := range currencies {
			if c != "" {
				res.totals["currency"] = c
			}
		}
	} else if len(currencies) > 1 && !contains(dims, "currency") {
		var cs []string
		for c := range currencies {
			cs = append(cs, orNone(c))
		}
		sort.Strings(cs)
		res.notes = append(res.notes, "amounts add up several currencies ("+strings.Join(cs, ", ")+"); ask by currency to split them")
	}
	res.rows = []map[string]any{}
	if len(dims) == 0 {
		row := map[string]any{}
		vm.row(total, row)
		res.rows = append(res.rows, row)
		return res, nil
	}
	for _, g := range gs.sorted(vm.value, q.Limit) {
		row := map[string]any{}
		for i, d := range dims {
			row[d] = g.key[i]
			if d == "account" && names[g.key[i]] != "" {
				row[d] = names[g.key[i]]
			}
		}
		vm.row(g, row)
		res.rows = append(res.rows, row)
	}
	return res, nil
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	out := xs[:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// accountIDs returns the ids of the accounts named name.
func (x *executor) accountIDs(ctx context.Context, name string) ([]string, error) {
	ids := []string{}
	err := scan(ctx, x.t.Views, "accounts", []string{"account_id"}, []dcl.Filter{{Field: "account_name", Op: dcl.OpEq, Value: name}}, func(r dcl.Row) {
		ids = append(ids, toText(r["account_id"]))
	})
	return ids, err
}

// accountNames maps account ids to names.
func (x *executor) accountNames(ctx context.Context) (map[string]string, error) {
	m := map[string]string{}
	err := scan(ctx, x.t.Views, "accounts", []string{"account_id", "account_name"}, nil, func(r dcl.Row) {
		m[toText(r["account_id"])] = toText(r["account_name"])
	})
	return m, err
}

// executor runs typed queries for one tenant.
type executor struct {
	t         Tenant
	asOf      time.Time // the as-of day
	weekStart time.Weekday
	opts      *GatewayOptions
}

func sumAmount(field string) func(r dcl.Row, g *group) {
	return func(r dcl.Row, g *group) {
		g.count++
		if d, ok := toDecimal(r[field]); ok {
			g.amount = g.amount.Add(d)
		}
	}
}

func amountRow(g *group, out map[string]any) {
	out["amount"] = money(g.amount)
	out["count"] = g.count
}

func countRow(g *group, out map[string]any) { out["count"] = g.count }

func byAmount(g *group) decimal.Decimal { return g.amount }
func byCount(g *group) decimal.Decimal  { return decimal.NewFromInt(g.count) }

// isOpen reports an opportunity neither closed nor won.
func isOpen(r dcl.Row) bool {
	stage := strings.ToLower(toText(r["stage"]))
	return !toBool(r["is_closed"]) && !toBool(r["is_won"]) && !strings.HasPrefix(stage, "closed")
}

func isClosed(r dcl.Row) bool {
	return toBool(r["is_closed"]) || toBool(r["is_won"]) || strings.HasPrefix(strings.ToLower(toText(r["stage"])), "closed")
}

// outstanding is what is still due on an invoice: amount_due, else total
// minus paid.
func outstanding(r dcl.Row) decimal.Decimal {
	if d, ok := toDecimal(r["amount_due"]); ok {
		return d
	}
	total, _ := toDecimal(r["total_amount"])
	paid, _ := toDecimal(r["amount_paid"])
	return total.Sub(paid)
}

// receivable reports an invoice with money due as of day.
func receivable(r dcl.Row, day time.Time) bool {
	if closedStatuses[strings.ToLower(toText(r["status"]))] || !outstanding(r).IsPositive() {
		return false
	}
	if d, ok := toDate(r["issue_date"]); ok && d.After(day) {
		return false
	}
	return true
}

// daysOverdue is the days from due_date (else issue_date) to day.
func daysOverdue(r dcl.Row, day time.Time) int {
	d, ok := toDate(r["due_date"])
	if !ok {
		if d, ok = toDate(r["issue_date"]); !ok {
			return 0
		}
	}
	return int(day.Sub(d).Hours() / 24)
}

var invFields = []string{"amount_due", "total_amount", "amount_paid", "status", "issue_date", "due_date"}

// snapshotDay is the day a snapshot metric is evaluated: the as-of day,
// or the last day of an earlier timeframe.
func (x *executor) snapshotDay(q *Query) time.Time {
	if q.Timeframe != nil {
		if _, end, err := q.Timeframe.Range(); err == nil && !end.After(x.asOf) {
			return end.AddDate(0, 0, -1)
		}
	}
	return x.asOf
}

// run executes q.
func (x *executor) run(ctx context.Context, q *Query) (result, error) {
	switch q.Metric {
	case "cloud_spend":
		return x.runView(ctx, viewMetric{spec: cloudSpec, timeField: "usage_date", fields: []string{"cost", "currency"},
			add: sumAmount("cost"), value: byAmount, row: amountRow}, q)
	case "cloud_cost_anomalies":
		return x.anomalies(ctx, q)
	case "pipeline_value", "open_opportunities":
		tf := ""
		if q.Timeframe != nil {
			tf = "close_date"
		}
		value, row := byAmount, amountRow
		if q.Metric == "open_opportunities" {
			value, row = byCount, func(g *group, out map[string]any) { out["count"] = g.count; out["amount"] = money(g.amount) }
		}
		return x.runView(ctx, viewMetric{spec: oppSpec, timeField: tf, fields: []string{"amount", "is_closed", "is_won", "stage"},
			accept: isOpen, add: sumAmount("amount"), value: value, row: row}, q)
	case "won_deals", "avg_deal_size":
		row := amountRow
		value := byAmount
		if q.Metric == "avg_deal_size" {
			value = avgOf
			row = func(g *group, out map[string]any) {
				out["average"] = money(avgOf(g))
				out["count"] = g.count
				out["amount"] = money(g.amount)
			}
		}
		return x.runView(ctx, viewMetric{spec: oppSpec, timeField: "close_date", fields: []string{"amount", "is_won"},
			accept: func(r dcl.Row) bool { return toBool(r["is_won"]) }, add: sumAmount("amount"), value: value, row: row}, q)
	case "win_rate":
		return x.runView(ctx, viewMetric{spec: oppSpec, timeField: "close_date", fields: []string{"is_won", "is_closed", "stage"},
			accept: isClosed,
			add: func(r dcl.Row, g *group) {
				g.count++
				if toBool(r["is_won"]) {
					g.n2++
				}
			},
			value: rateOf,
			row: func(g *group, out map[string]any) {
				out["won"] = g.n2
				out["closed"] = g.count
				if g.count > 0 {
					out["win_rate"] = rateOf(g).StringFixed(4)
				} else {
					out["win_rate"] = nil
				}
			}}, q)
	case "new_accounts":
		return x.runView(ctx, viewMetric{spec: acctSpec, timeField: "created_at", fields: []string{"account_id"},
			add: countAdd, value: byCount, row: countRow}, q)
	case "account_count":
		vm := viewMetric{spec: acctSpec, fields: []string{"account_id", "_unified_id", "_connection_id", "_record_id"},
			value: byCount, row: countRow}
		if q.Timeframe != nil {
			// Accounts that existed by the end of the timeframe.
			_, end, _ := q.Timeframe.Range()
			vm.filters = []dcl.Filter{{Field: "created_at", Op: dcl.OpLt, Value: end}}
		}
		seen := map[*group]map[string]bool{}
		vm.add = func(r dcl.Row, g *group) {
			// Accounts unified across sources count once.
			id := toText(r["_unified_id"])
			if id == "" {
				id = toText(r["_connection_id"]) + "/" + toText(r["_record_id"])
			}
			if seen[g] == nil {
				seen[g] = map[string]bool{}
			}
			if !seen[g][id] {
				seen[g][id] = true
				g.count++
			}
		}
		qq := *q
		qq.Timeframe = nil
		res, err := x.runView(ctx, vm, &qq)
		return res, err
	case "invoiced_revenue":
		return x.runView(ctx, viewMetric{spec: invSpec, timeField: "issue_date", fields: []string{"total_amount", "status"},
			accept: func(r dcl.Row) bool {
				s := strings.ToLower(toText(r["status"]))
				return s != "void" && s != "draft" && s != "cancelled" && s != "canceled"
			},
			add: sumAmount("total_amount"), value: byAmount, row: amountRow}, q)
	case "ar_outstanding", "overdue_invoices", "ar_ageing":
		return x.receivables(ctx, q)
	case "dso":
		return x.dso(ctx, q)
	case "cash_collected":
		return x.runView(ctx, viewMetric{spec: invSpec, timeField: "paid_at", fields: []string{"amount_paid", "total_amount", "status"},
			add: func(r dcl.Row, g *group) {
				g.count++
				d, ok := toDecimal(r["amount_paid"])
				if !ok && strings.EqualFold(toText(r["status"]), "paid") {
					d, _ = toDecimal(r["total_amount"])
				}
				g.amount = g.amount.Add(d)
			}, value: byAmount, row: amountRow}, q)
	case "drift_events", "quarantined_records", "sync_health", "pending_reviews":
		return x.platform(ctx, q)
	}
	return result{}, fmt.Errorf("nlp: %w: metric %q has no executor", ErrInvalid, q.Metric)
}

func countAdd(_ dcl.Row, g *group) { g.count++ }

func avgOf(g *group) decimal.Decimal {
	if g.count == 0 {
		return decimal.Zero
	}
	return g.amount.DivRound(decimal.NewFromInt(g.count), 2)
}

func rateOf(g *group) decimal.Decimal {
	if g.count == 0 {
		return decimal.Zero
	}
	return decimal.NewFromInt(g.n2).DivRound(decimal.NewFromInt(g.count), 4)
}

// receivables computes ar_outstanding, overdue_invoices and ar_ageing as
// of the snapshot day.
func (x *executor) receivables(ctx context.Context, q *Query) (result, error) {
	day := x.snapshotDay(q)
	vm := viewMetric{spec: invSpec, fields: invFields, value: byAmount}
	switch q.Metric {
	case "ar_outstanding":
		vm.accept = func(r dcl.Row) bool { return receivable(r, day) }
		vm.add = func(r dcl.Row, g *group) { g.count++; g.amount = g.amount.Add(outstanding(r)) }
		vm.row = amountRow
	case "overdue_invoices":
		vm.accept = func(r dcl.Row) bool { return receivable(r, day) && daysOverdue(r, day) > 0 }
		vm.add = func(r dcl.Row, g *group) { g.count++; g.amount = g.amount.Add(outstanding(r)) }
		vm.row = amountRow
	case "ar_ageing":
		vm.accept = func(r dcl.Row) bool { return receivable(r, day) }
		buckets := map[*group]*[4]decimal.Decimal{}
		counts := map[*group]*[4]int64{}
		vm.add = func(r dcl.Row, g *group) {
			if buckets[g] == nil {
				buckets[g], counts[g] = &[4]decimal.Decimal{}, &[4]int64{}
			}
			b := ageBucket(daysOverdue(r, day))
			amt := outstanding(r)
			buckets[g][b] = buckets[g][b].Add(amt)
			counts[g][b]++
			g.count++
			g.amount = g.amount.Add(amt)
		}
		vm.row = func(g *group, out map[string]any) {
			out["amount"] = money(g.amount)
			out["count"] = g.count
			for i, name := range AgeingBuckets {
				a, n := decimal.Zero, int64(0)
				if buckets[g] != nil {
					a, n = buckets[g][i], counts[g][i]
				}
				out[name] = map[string]any{"amount": money(a), "count": n}
			}
		}
	}
	qq := *q
	qq.Timeframe = nil
	res, err := x.runView(ctx, vm, &qq)
	if err != nil {
		return res, err
	}
	res.totals["as_of"] = day.Format(time.DateOnly)
	return res, nil
}

// AgeingBuckets are ar_ageing's buckets of days past due; invoices not yet
// due are in the first.
var AgeingBuckets = []string{"0-30", "31-60", "61-90", "90+"}

func ageBucket(days int) int {
	switch {
	case days <= 30:
		return 0
	case days <= 60:
		return 1
	case days <= 90:
		return 2
	}
	return 3
}

// DefaultDSOPeriodDays is the dso period when the question names none.
const DefaultDSOPeriodDays = 90

// dso = receivables on the snapshot day ÷ amounts invoiced in the period
// ending that day × the period's days.
func (x *executor) dso(ctx context.Context, q *Query) (result, error) {
	day := x.snapshotDay(q)
	period := DefaultDSOPeriodDays
	if q.Timeframe != nil {
		if start, end, err := q.Timeframe.Range(); err == nil {
			period = int(end.Sub(start).Hours() / 24)
		}
	}
	from := day.AddDate(0, 0, -period+1)
	var recv, invoiced decimal.Decimal
	filters := []dcl.Filter{}
	notes := []string{}
	for dim, val := range q.Filters {
		switch dim {
		case "currency":
			filters = append(filters, dcl.Filter{Field: "currency", Op: dcl.OpEq, Value: val})
		case "account":
			ids, err := x.accountIDs(ctx, val)
			if err != nil {
				return result{}, err
			}
			filters = append(filters, dcl.Filter{Field: "account_id", Op: dcl.OpIn, Value: ids})
		default:
			notes = append(notes, fmt.Sprintf("filter %s=%q does not apply to dso and was not used", dim, val))
		}
	}
	if x.t.Views == nil {
		return result{}, fmt.Errorf("nlp: %w: the tenant's views are not open", ErrUnavailable)
	}
	err := scan(ctx, x.t.Views, "invoices", invFields, filters, func(r dcl.Row) {
		if receivable(r, day) {
			recv = recv.Add(outstanding(r))
		}
		s := strings.ToLower(toText(r["status"]))
		if d, ok := toDate(r["issue_date"]); ok && !d.Before(from) && !d.After(day) && s != "void" && s != "draft" && s != "cancelled" && s != "canceled" {
			t, _ := toDecimal(r["total_amount"])
			invoiced = invoiced.Add(t)
		}
	})
	if err != nil {
		return result{}, fmt.Errorf("nlp: dso: %w", err)
	}
	row := map[string]any{"receivables": money(recv), "invoiced_in_period": money(invoiced), "period_days": period,
		"period_start": from.Format(time.DateOnly), "as_of": day.Format(time.DateOnly), "dso": nil}
	if invoiced.IsPositive() {
		row["dso"] = recv.Div(invoiced).Mul(decimal.NewFromInt(int64(period))).StringFixed(1)
	} else {
		notes = append(notes, "nothing was invoiced in the period, so DSO is undefined")
	}
	totals := map[string]any{}
	for k, v := range row {
		totals[k] = v
	}
	return result{rows: []map[string]any{row}, totals: totals, sources: []Source{{Kind: "view", Name: "invoices"}}, notes: notes}, nil
}

var errNoPlatform = errors.New("the platform store is not configured")
