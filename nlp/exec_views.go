package nlp

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
)

// MaxScanRows bounds the rows one answer reads from a view.
const MaxScanRows = 2_000_000

// viewSpec says how a metric's dimensions map onto a view's columns.
type viewSpec struct {
	view    string
	columns map[string]string // dimension → column
}

var (
	cloudSpec = viewSpec{"cloud_costs", map[string]string{"service": "service", "provider": "provider", "region": "region",
		"cloud_account": "cloud_account_id", "currency": "currency"}}
	oppSpec = viewSpec{"opportunities", map[string]string{"stage": "stage", "owner": "owner_id", "account": "account_id",
		"currency": "currency"}}
	acctSpec = viewSpec{"accounts", map[string]string{"industry": "industry", "country": "billing_country", "owner": "owner_id"}}
	invSpec  = viewSpec{"invoices", map[string]string{"account": "account_id", "currency": "currency", "status": "status"}}
)

// scan reads every row of a view matching filters, the given fields only.
func scan(ctx context.Context, eng *dcl.Engine, view string, fields []string, filters []dcl.Filter, each func(dcl.Row)) error {
	opts := dcl.QueryOptions{Fields: fields, Filters: filters, Limit: dcl.MaxQueryLimit}
	read := 0
	for {
		page, err := eng.Query(ctx, view, opts)
		if err != nil {
			return err
		}
		for _, r := range page.Rows {
			each(r)
		}
		read += len(page.Rows)
		if page.NextPageToken == "" {
			return nil
		}
		if read >= MaxScanRows {
			return fmt.Errorf("nlp: %w: view %q has more than %d matching rows; narrow the question", ErrUnavailable, view, MaxScanRows)
		}
		opts.PageToken = page.NextPageToken
	}
}

// toDecimal reads a money or number cell; nil is zero and not present.
func toDecimal(v any) (decimal.Decimal, bool) {
	switch x := v.(type) {
	case decimal.Decimal:
		return x, true
	case *decimal.Decimal:
		if x == nil {
			return decimal.Zero, false
		}
		return *x, true
	case string:
		d, err := decimal.NewFromString(x)
		return d, err == nil
	case int64:
		return decimal.NewFromInt(x), true
	case int:
		return decimal.NewFromInt(int64(x)), true
	case float64:
		return decimal.NewFromFloat(x), true
	case fmt.Stringer:
		d, err := decimal.NewFromString(x.String())
		return d, err == nil
	}
	return decimal.Zero, false
}

// toDate reads a DATE or TIMESTAMP cell as a UTC calendar day.
func toDate(v any) (time.Time, bool) {
	switch x := v.(type) {
	case canonical.CivilDate:
		return x.Time(), true
	case time.Time:
		x = x.UTC()
		return time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC), true
	case string:
		if t, err := time.Parse(time.DateOnly, x); err == nil {
			return t, true
		}
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return toDate(t)
		}
	}
	return time.Time{}, false
}

func toText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func toBool(v any) bool {
	b, ok := v.(bool)
	return ok && b
}

// periodKey names the grain period containing d.
func periodKey(grain string, d time.Time, weekStart time.Weekday) string {
	switch grain {
	case "week":
		off := (int(d.Weekday()) - int(weekStart) + 7) % 7
		return d.AddDate(0, 0, -off).Format(time.DateOnly)
	case "month":
		return d.Format("2006-01")
	case "quarter":
		return fmt.Sprintf("%d-Q%d", d.Year(), (int(d.Month())-1)/3+1)
	}
	return d.Format(time.DateOnly)
}

// group accumulates a metric per group key.
type group struct {
	key    []string
	count  int64
	amount decimal.Decimal
	extra  decimal.Decimal // a second amount (won of closed, ...)
	n2     int64
}

// groups keeps groups in first-seen order.
type groups struct {
	dims  []string
	byKey map[string]*group
	order []*group
}

func newGroups(dims []string) *groups { return &groups{dims: dims, byKey: map[string]*group{}} }

func (g *groups) get(key []string) *group {
	k := strings.Join(key, "\x00")
	if x, ok := g.byKey[k]; ok {
		return x
	}
	x := &group{key: key}
	g.byKey[k] = x
	g.order = append(g.order, x)
	return x
}

// sorted returns the groups by descending value (then key), at most limit
// when limit > 0; a time grain alone keeps chronological order.
func (g *groups) sorted(value func(*group) decimal.Decimal, limit int) []*group {
	out := append([]*group(nil), g.order...)
	chrono := len(g.dims) == 1 && isGrain(g.dims[0])
	sort.SliceStable(out, func(i, j int) bool {
		if chrono {
			return strings.Join(out[i].key, "|") < strings.Join(out[j].key, "|")
		}
		a, b := value(out[i]), value(out[j])
		if !a.Equal(b) {
			return a.GreaterThan(b)
		}
		return strings.Join(out[i].key, "|") < strings.Join(out[j].key, "|")
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

func money(d decimal.Decimal) string { return d.StringFixed(2) }
