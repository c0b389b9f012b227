package nlp

import (
	"fmt"
	"strings"
	"time"
)

// wordAnswer words a metric result in one or two sentences with its numbers.
func wordAnswer(m Metric, q *Query, res result) string {
	var b strings.Builder
	when := ""
	if q.Timeframe != nil {
		when = " for " + describe(q.Timeframe)
	}
	filt := ""
	if len(q.Filters) > 0 {
		var fs []string
		for _, d := range sortedKeys(q.Filters) {
			fs = append(fs, d+" "+q.Filters[d])
		}
		filt = " (" + strings.Join(fs, ", ") + ")"
	}
	t := res.totals
	name := strings.ReplaceAll(m.Name, "_", " ")
	// amt writes an amount with the currency when there is one.
	amt := func(v any) string {
		s := fmt.Sprint(v)
		if c, ok := t["currency"].(string); ok && c != "" {
			s += " " + c
		}
		return s
	}
	switch m.Name {
	case "win_rate":
		if res.totals["win_rate"] == nil {
			fmt.Fprintf(&b, "No deals closed%s%s, so the win rate is undefined.", when, filt)
		} else {
			fmt.Fprintf(&b, "Win rate%s%s is %s: %v won of %v closed.", when, filt, percent(t["win_rate"]), t["won"], t["closed"])
		}
	case "avg_deal_size":
		fmt.Fprintf(&b, "Average deal size%s%s is %v over %v won deals.", when, filt, amt(t["average"]), t["count"])
	case "won_deals":
		fmt.Fprintf(&b, "We won %v deals worth %v%s%s.", t["count"], amt(t["amount"]), when, filt)
	case "open_opportunities":
		fmt.Fprintf(&b, "There are %v open opportunities%s%s worth %v.", t["count"], when, filt, amt(t["amount"]))
	case "pipeline_value":
		fmt.Fprintf(&b, "Open pipeline%s%s is %v across %v opportunities.", when, filt, amt(t["amount"]), t["count"])
	case "new_accounts":
		fmt.Fprintf(&b, "%v new accounts were created%s%s.", t["count"], when, filt)
	case "account_count":
		fmt.Fprintf(&b, "There are %v accounts%s%s.", t["count"], when, filt)
	case "ar_outstanding":
		fmt.Fprintf(&b, "Accounts receivable outstanding as of %v is %v on %v unpaid invoices%s.", t["as_of"], amt(t["amount"]), t["count"], filt)
	case "overdue_invoices":
		fmt.Fprintf(&b, "%v invoices are overdue as of %v, with %v outstanding%s.", t["count"], t["as_of"], amt(t["amount"]), filt)
	case "ar_ageing":
		var parts []string
		for _, bk := range AgeingBuckets {
			if x, ok := t[bk].(map[string]any); ok {
				parts = append(parts, fmt.Sprintf("%s days %v", bk, x["amount"]))
			}
		}
		fmt.Fprintf(&b, "Receivables as of %v total %v%s: %s.", t["as_of"], amt(t["amount"]), filt, strings.Join(parts, ", "))
	case "dso":
		if t["dso"] == nil {
			fmt.Fprintf(&b, "DSO as of %v is undefined: nothing was invoiced in the %v days before.", t["as_of"], t["period_days"])
		} else {
			fmt.Fprintf(&b, "DSO as of %v is %v days: receivables %v against %v invoiced in the last %v days.", t["as_of"], t["dso"], t["receivables"], t["invoiced_in_period"], t["period_days"])
		}
	case "cloud_cost_anomalies":
		fmt.Fprintf(&b, "%v days%s had cloud spend far off their baseline.", t["anomalies"], when)
		if len(res.rows) > 0 {
			fmt.Fprintf(&b, " The first is %v at %v.", res.rows[0]["date"], res.rows[0]["cost"])
		}
	case "sync_health":
		fmt.Fprintf(&b, "Of %v connections, %v are healthy, %v degraded and %v stale.", t["connections"], t["healthy"], t["degraded"], t["stale"])
	case "drift_events":
		fmt.Fprintf(&b, "%v drift events were detected%s%s, %v of them breaking.", t["count"], when, filt, t["breaking"])
	case "quarantined_records":
		fmt.Fprintf(&b, "%v records are in quarantine%s%s.", t["count"], when, filt)
	case "pending_reviews":
		fmt.Fprintf(&b, "%v mapping proposals are waiting for review%s.", t["count"], filt)
	default:
		if a, ok := t["amount"]; ok {
			fmt.Fprintf(&b, "%s%s%s is %v.", capitalize(name), when, filt, amt(a))
		} else {
			fmt.Fprintf(&b, "%s%s%s is %v.", capitalize(name), when, filt, t["count"])
		}
	}
	if len(q.GroupBy) > 0 && len(res.rows) > 0 && m.Name != "sync_health" && m.Name != "cloud_cost_anomalies" {
		top := res.rows[0]
		var key []string
		for _, d := range q.GroupBy {
			if v, ok := top[d]; ok {
				key = append(key, fmt.Sprint(v))
			}
		}
		val := top["amount"]
		if m.Unit == UnitCount || val == nil {
			val = top["count"]
		}
		if m.Name == "win_rate" {
			val = percent(top["win_rate"])
		}
		if m.Name == "avg_deal_size" {
			val = top["average"]
		}
		if len(key) > 0 {
			fmt.Fprintf(&b, " First by %s: %s at %v.", strings.Join(q.GroupBy, " and "), strings.Join(key, " / "), val)
		}
	}
	return b.String()
}

func describe(t *Timeframe) string {
	start, end, err := t.Range()
	if err != nil {
		return t.Label
	}
	return fmt.Sprintf("%s (%s to %s)", t.Label, start.Format(time.DateOnly), end.AddDate(0, 0, -1).Format(time.DateOnly))
}

func percent(v any) string {
	s, ok := v.(string)
	if !ok {
		return "n/a"
	}
	d, ok := toDecimal(s)
	if !ok {
		return s
	}
	return d.Shift(2).StringFixed(1) + "%"
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && ks[j] < ks[j-1]; j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}
