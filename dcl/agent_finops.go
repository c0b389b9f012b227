package dcl

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/autonomos/autonomos/canonical"
)

// FinOps is the cloud-cost agent: spend month-to-date, by service, cloud
// account and region, day-over-day anomalies and an end-of-month
// forecast. The zero value uses the defaults.
//
// Anomalies use the modified z-score of Iglewicz and Hoaglin, which is
// robust to the outliers it looks for: each day's total x, from the
// (MinBaseline+1)-th day of the window on, is compared with the days
// before it in the window (days without cost count as zero, from the first
// day with cost on): z = 0.6745 × (x − median) / MAD, where MAD is the
// median absolute deviation from the median. When MAD is 0, 1.253314 ×
// the mean absolute deviation stands in; when that is 0 too, any
// departure from the median is an anomaly. A day is flagged when |z| >
// Threshold.
//
// The forecast is month-to-date spend plus the median daily spend of the
// last 7 days (up to the as-of date) times the days left in the month.
type FinOps struct {
	// WindowDays is the anomaly window ending on the as-of date: default 30.
	WindowDays int
	// MinBaseline is the fewest earlier days a day is judged against:
	// default 7.
	MinBaseline int
	// Threshold on |z|: default 3.5.
	Threshold float64
}

// SpendGroup is the month-to-date spend of one group.
type SpendGroup struct {
	Key  string          `json:"key"`
	Cost decimal.Decimal `json:"cost"`
}

// DailySpend is one day's total.
type DailySpend struct {
	Date string          `json:"date"`
	Cost decimal.Decimal `json:"cost"`
}

// CostAnomaly is a day whose spend departs from its baseline.
type CostAnomaly struct {
	Date           string          `json:"date"`
	Cost           decimal.Decimal `json:"cost"`
	PreviousDay    decimal.Decimal `json:"previous_day"`
	DayOverDay     decimal.Decimal `json:"day_over_day"`
	BaselineMedian decimal.Decimal `json:"baseline_median"`
	// RobustZ is the modified z-score, rounded to 2 decimals; ±1e9 stands
	// for an unbounded score (a flat baseline).
	RobustZ float64 `json:"robust_z"`
}

// FinOpsMetrics is the FinOps agent's result.
type FinOpsMetrics struct {
	MonthStart       string          `json:"month_start"`
	MonthToDate      decimal.Decimal `json:"month_to_date"`
	ByService        []SpendGroup    `json:"by_service"`
	ByAccount        []SpendGroup    `json:"by_account"`
	ByRegion         []SpendGroup    `json:"by_region"`
	Daily            []DailySpend    `json:"daily"`
	Anomalies        []CostAnomaly   `json:"anomalies"`
	DailyRunRate     decimal.Decimal `json:"daily_run_rate"`
	DaysRemaining    int             `json:"days_remaining"`
	ForecastMonthEnd decimal.Decimal `json:"forecast_month_end"`
}

// Name returns "finops".
func (a *FinOps) Name() string { return "finops" }

// Run computes the FinOps metrics as of asOf's date.
func (a *FinOps) Run(ctx context.Context, e *Engine, asOf time.Time) (Result, error) {
	window, minBase, threshold := a.WindowDays, a.MinBaseline, a.Threshold
	if window <= 0 {
		window = 30
	}
	if minBase <= 0 {
		minBase = 7
	}
	if threshold <= 0 {
		threshold = 3.5
	}
	d := asOfDate(asOf)
	day := d.Time()
	monthStart := time.Date(d.Year, d.Month, 1, 0, 0, 0, 0, time.UTC)
	m := FinOpsMetrics{MonthStart: canonical.CivilDateOf(monthStart).String(), Anomalies: []CostAnomaly{}, Daily: []DailySpend{}}

	group := func(col string) ([]SpendGroup, error) {
		out := []SpendGroup{}
		err := e.queryAll(ctx, `SELECT coalesce(`+col+`, '(none)'), CAST(sum(cost) AS VARCHAR) FROM cloud_costs
			WHERE usage_date >= CAST($1 AS DATE) AND usage_date <= CAST($2 AS DATE) GROUP BY 1 ORDER BY sum(cost) DESC, 1`,
			[]any{monthStart, day}, func(scan func(...any) error) error {
				var g SpendGroup
				var c *string
				if err := scan(&g.Key, &c); err != nil {
					return err
				}
				g.Cost = dec(c)
				out = append(out, g)
				return nil
			})
		return out, err
	}
	var err error
	if m.ByService, err = group("service"); err != nil {
		return Result{}, err
	}
	if m.ByAccount, err = group("cloud_account_id"); err != nil {
		return Result{}, err
	}
	if m.ByRegion, err = group("region"); err != nil {
		return Result{}, err
	}
	for _, g := range m.ByService {
		m.MonthToDate = m.MonthToDate.Add(g.Cost)
	}

	// daily totals over the window, missing days as zero from the first
	// day with cost on
	start := day.AddDate(0, 0, -(window - 1))
	totals := map[string]decimal.Decimal{}
	var first time.Time
	err = e.queryAll(ctx, `SELECT usage_date, CAST(sum(cost) AS VARCHAR) FROM cloud_costs
		WHERE usage_date >= CAST($1 AS DATE) AND usage_date <= CAST($2 AS DATE) GROUP BY 1 ORDER BY 1`,
		[]any{start, day}, func(scan func(...any) error) error {
			var t time.Time
			var c *string
			if err := scan(&t, &c); err != nil {
				return err
			}
			if first.IsZero() {
				first = t.UTC()
			}
			totals[canonical.CivilDateOf(t.UTC()).String()] = dec(c)
			return nil
		})
	if err != nil {
		return Result{}, err
	}
	var series []decimal.Decimal
	if !first.IsZero() {
		for t := first; !t.After(day); t = t.AddDate(0, 0, 1) {
			k := canonical.CivilDateOf(t).String()
			m.Daily = append(m.Daily, DailySpend{Date: k, Cost: totals[k]})
			series = append(series, totals[k])
		}
	}
	for i := minBase; i < len(series); i++ {
		z, med, ok := robustZ(series[:i], series[i])
		if !ok || math.Abs(z) <= threshold {
			continue
		}
		m.Anomalies = append(m.Anomalies, CostAnomaly{
			Date: m.Daily[i].Date, Cost: series[i], PreviousDay: series[i-1], DayOverDay: series[i].Sub(series[i-1]),
			BaselineMedian: med, RobustZ: math.Round(z*100) / 100,
		})
	}

	// forecast
	last := series
	if len(last) > 7 {
		last = last[len(last)-7:]
	}
	m.DailyRunRate = median(last)
	monthEnd := monthStart.AddDate(0, 1, -1)
	m.DaysRemaining = monthEnd.Day() - d.Day
	m.ForecastMonthEnd = m.MonthToDate.Add(m.DailyRunRate.Mul(decimal.NewFromInt(int64(m.DaysRemaining))))

	var b strings.Builder
	fmt.Fprintf(&b, "Cloud spend from %s to %s is %s", m.MonthStart, d, money(m.MonthToDate))
	if len(m.ByService) > 0 {
		fmt.Fprintf(&b, ", led by %s (%s)", m.ByService[0].Key, money(m.ByService[0].Cost))
	}
	fmt.Fprintf(&b, ". At a daily run rate of %s over the %d remaining days the month should end near %s. ", money(m.DailyRunRate), m.DaysRemaining, money(m.ForecastMonthEnd))
	switch len(m.Anomalies) {
	case 0:
		fmt.Fprintf(&b, "No daily anomaly in the last %d days.", window)
	default:
		an := m.Anomalies[len(m.Anomalies)-1]
		fmt.Fprintf(&b, "%d anomalous day(s) in the last %d days, most recently %s at %s against a median of %s.", len(m.Anomalies), window, an.Date, money(an.Cost), money(an.BaselineMedian))
	}
	return Result{Agent: a.Name(), AsOf: d.String(), Metrics: m, Summary: b.String()}, nil
}

// robustZ returns the modified z-score of x against base, and base's
// median; ok is false when base is empty.
func robustZ(base []decimal.Decimal, x decimal.Decimal) (z float64, med decimal.Decimal, ok bool) {
	if len(base) == 0 {
		return 0, decimal.Zero, false
	}
	med = median(base)
	devs := make([]decimal.Decimal, len(base))
	sum := decimal.Zero
	for i, v := range base {
		devs[i] = v.Sub(med).Abs()
		sum = sum.Add(devs[i])
	}
	diff, _ := x.Sub(med).Float64()
	if mad, _ := median(devs).Float64(); mad > 0 {
		return 0.6745 * diff / mad, med, true
	}
	meanAD, _ := sum.Div(decimal.NewFromInt(int64(len(base)))).Float64()
	if meanAD > 0 {
		return diff / (1.253314 * meanAD), med, true
	}
	switch {
	case diff > 0:
		return 1e9, med, true
	case diff < 0:
		return -1e9, med, true
	}
	return 0, med, true
}
