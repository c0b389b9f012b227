package dcl

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// CFO is the finance agent: accounts-receivable ageing, days sales
// outstanding and the top overdue customers, from the invoices view. The
// zero value uses the defaults.
//
// An invoice is receivable when its outstanding amount (amount_due, else
// total_amount − amount_paid) is positive, its status is not paid, void,
// draft, cancelled or written off, and it was issued by the as-of date.
// Its days overdue are the days from due_date (else issue_date) to the
// as-of date; ageing buckets are current (not yet due, or no dates),
// 1–30, 31–60, 61–90 and 90+ days overdue. DSO = receivables ÷ amounts
// invoiced in the last DSOPeriodDays days × DSOPeriodDays.
type CFO struct {
	// DSOPeriodDays: default 90.
	DSOPeriodDays int
	// TopN customers: default 5.
	TopN int
}

// AgeingBucket is the receivables of one ageing bucket.
type AgeingBucket struct {
	Bucket   string          `json:"bucket"`
	Invoices int64           `json:"invoices"`
	Amount   decimal.Decimal `json:"amount"`
}

// OverdueCustomer is a customer's overdue receivables.
type OverdueCustomer struct {
	UnifiedID      string          `json:"unified_id,omitempty"`
	AccountName    string          `json:"account_name"`
	Invoices       int64           `json:"invoices"`
	Overdue        decimal.Decimal `json:"overdue"`
	MaxDaysOverdue int64           `json:"max_days_overdue"`
}

// CFOMetrics is the CFO agent's result.
type CFOMetrics struct {
	Receivables      decimal.Decimal   `json:"receivables"`
	Overdue          decimal.Decimal   `json:"overdue"`
	Ageing           []AgeingBucket    `json:"ageing"`
	DSOPeriodDays    int               `json:"dso_period_days"`
	InvoicedInPeriod decimal.Decimal   `json:"invoiced_in_period"`
	DSO              *decimal.Decimal  `json:"dso"`
	TopOverdue       []OverdueCustomer `json:"top_overdue"`
}

// The ageing buckets, in order.
var ageingBuckets = []string{"current", "1-30", "31-60", "61-90", "90+"}

// Name returns "cfo".
func (a *CFO) Name() string { return "cfo" }

// Run computes the CFO metrics as of asOf's date.
func (a *CFO) Run(ctx context.Context, e *Engine, asOf time.Time) (Result, error) {
	period, topN := a.DSOPeriodDays, a.TopN
	if period <= 0 {
		period = 90
	}
	if topN <= 0 {
		topN = 5
	}
	d := asOfDate(asOf)
	day := d.Time()
	const outstanding = `coalesce(i.amount_due, i.total_amount - coalesce(i.amount_paid, 0))`
	const billable = `lower(coalesce(i.status, '')) NOT IN ('paid', 'void', 'draft', 'cancelled', 'canceled', 'written_off', 'uncollectible')`
	const overdueDays = `date_diff('day', coalesce(i.due_date, i.issue_date), CAST($1 AS DATE))`
	receivable := outstanding + ` > 0 AND ` + billable + ` AND (i.issue_date IS NULL OR i.issue_date <= CAST($1 AS DATE))`
	m := CFOMetrics{DSOPeriodDays: period, TopOverdue: []OverdueCustomer{}}
	byBucket := map[string]*AgeingBucket{}
	for _, b := range ageingBuckets {
		bb := &AgeingBucket{Bucket: b}
		byBucket[b] = bb
	}
	err := e.queryAll(ctx, `SELECT CASE
			WHEN `+overdueDays+` IS NULL OR `+overdueDays+` <= 0 THEN 'current'
			WHEN `+overdueDays+` <= 30 THEN '1-30'
			WHEN `+overdueDays+` <= 60 THEN '31-60'
			WHEN `+overdueDays+` <= 90 THEN '61-90'
			ELSE '90+' END, count(*), CAST(sum(`+outstanding+`) AS VARCHAR)
		FROM invoices i WHERE `+receivable+` GROUP BY 1`, []any{day}, func(scan func(...any) error) error {
		var name string
		var n int64
		var amt *string
		if err := scan(&name, &n, &amt); err != nil {
			return err
		}
		byBucket[name].Invoices, byBucket[name].Amount = n, dec(amt)
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	for _, b := range ageingBuckets {
		bb := byBucket[b]
		m.Ageing = append(m.Ageing, *bb)
		m.Receivables = m.Receivables.Add(bb.Amount)
		if b != "current" {
			m.Overdue = m.Overdue.Add(bb.Amount)
		}
	}
	err = e.queryAll(ctx, `SELECT CAST(coalesce(sum(i.total_amount), 0) AS VARCHAR) FROM invoices i
		WHERE lower(coalesce(i.status, '')) NOT IN ('void', 'draft', 'cancelled', 'canceled')
		AND i.issue_date > CAST($1 AS DATE) AND i.issue_date <= CAST($2 AS DATE)`,
		[]any{day.AddDate(0, 0, -period), day}, func(scan func(...any) error) error {
			var s *string
			if err := scan(&s); err != nil {
				return err
			}
			m.InvoicedInPeriod = dec(s)
			return nil
		})
	if err != nil {
		return Result{}, err
	}
	if m.InvoicedInPeriod.IsPositive() {
		dso := m.Receivables.Mul(decimal.NewFromInt(int64(period))).DivRound(m.InvoicedInPeriod, 1)
		m.DSO = &dso
	}
	err = e.queryAll(ctx, `SELECT coalesce(a._unified_id, ''), coalesce(min(a.account_name), any_value(i.account_id), '(no account)'),
			count(*), CAST(sum(`+outstanding+`) AS VARCHAR), max(`+overdueDays+`)
		FROM invoices i LEFT JOIN accounts a ON a._connection_id = i._connection_id AND a._record_id = i.account_id
		WHERE `+receivable+` AND `+overdueDays+` > 0
		GROUP BY coalesce(a._unified_id, i._connection_id || '/' || coalesce(i.account_id, '')), a._unified_id
		ORDER BY sum(`+outstanding+`) DESC, 2 LIMIT $2`, []any{day, int64(topN)}, func(scan func(...any) error) error {
		var c OverdueCustomer
		var amt *string
		if err := scan(&c.UnifiedID, &c.AccountName, &c.Invoices, &amt, &c.MaxDaysOverdue); err != nil {
			return err
		}
		c.Overdue = dec(amt)
		m.TopOverdue = append(m.TopOverdue, c)
		return nil
	})
	if err != nil {
		return Result{}, err
	}

	var b strings.Builder
	fmt.Fprintf(&b, "As of %s receivables total %s, of which %s is overdue", d, money(m.Receivables), money(m.Overdue))
	var parts []string
	for _, bk := range m.Ageing[1:] {
		if bk.Invoices > 0 {
			parts = append(parts, fmt.Sprintf("%s in %s days", money(bk.Amount), bk.Bucket))
		}
	}
	if len(parts) > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(parts, ", "))
	}
	b.WriteString(". ")
	if m.DSO != nil {
		fmt.Fprintf(&b, "DSO over the last %d days is %s days. ", period, m.DSO.StringFixed(1))
	} else {
		fmt.Fprintf(&b, "Nothing was invoiced in the last %d days, so DSO is undefined. ", period)
	}
	if len(m.TopOverdue) > 0 {
		fmt.Fprintf(&b, "The largest overdue customer is %s with %s up to %d days late.", m.TopOverdue[0].AccountName, money(m.TopOverdue[0].Overdue), m.TopOverdue[0].MaxDaysOverdue)
	} else {
		b.WriteString("No customer is overdue.")
	}
	return Result{Agent: a.Name(), AsOf: d.String(), Metrics: m, Summary: b.String()}, nil
}
