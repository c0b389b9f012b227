package dcl_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
)

var asOf = time.Date(2024, 6, 15, 18, 30, 0, 0, time.UTC)

func d(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) canonical.CivilDate {
	c, err := canonical.ParseCivilDate(s)
	if err != nil {
		panic(err)
	}
	return c
}

func ts(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func requireDec(t *testing.T, want string, got decimal.Decimal, msg ...any) {
	t.Helper()
	require.True(t, d(want).Equal(got), "want %s, got %s %v", want, got, msg)
}

// agentFixture is the small fixed dataset of the agent tests; the expected
// numbers are worked out by hand in each test.
func agentFixture(t *testing.T) *fixture {
	t.Helper()
	f := setup(t, &dcl.Options{Now: func() time.Time { return asOf }})
	var evs []canonical.Event
	acc := func(rec, name string) {
		evs = append(evs, event(f.tenant, "crm", "account", rec, map[string]any{"account_id": rec, "account_name": name}))
	}
	acc("a1", "Alpha Corp")
	acc("a2", "Beta LLC")
	acc("a3", "Gamma GmbH")
	opp := func(rec, account string, amount, stage string, prob int64, closed, won bool, closeDate, created, updated string) {
		data := map[string]any{"opportunity_id": rec, "opportunity_name": "Deal " + rec, "account_id": account,
			"amount": d(amount), "stage": stage, "probability": decimal.NewFromInt(prob), "is_closed": closed, "is_won": won,
			"created_at": ts(created), "updated_at": ts(updated)}
		if closeDate != "" {
			data["close_date"] = day(closeDate)
		}
		evs = append(evs, event(f.tenant, "crm", "opportunity", rec, data))
	}
	opp("o1", "a1", "10000", "Proposal", 50, false, false, "", "2024-01-01", "2024-06-10")
	opp("o2", "a1", "5000", "Negotiation", 80, false, false, "", "2024-01-01", "2024-04-01")
	opp("o3", "a2", "20000", "Proposal", 25, false, false, "", "2024-01-01", "2024-05-16")
	opp("o4", "a2", "8000", "Closed Won", 100, true, true, "2024-05-20", "2024-01-01", "2024-05-20")
	opp("o5", "a1", "3000", "Closed Lost", 0, true, false, "2024-04-10", "2024-01-01", "2024-04-10")
	opp("o6", "a2", "7000", "Closed Won", 100, true, true, "2024-01-10", "2024-01-01", "2024-01-10")
	opp("o7", "a1", "1000", "Proposal", 10, false, false, "", "2024-07-01", "2024-07-01")

	cost := func(rec, date, service, region, acct, amount string) {
		evs = append(evs, event(f.tenant, "cloud", "cloud_cost", rec, map[string]any{"cost_id": rec, "usage_date": day(date),
			"service": service, "region": region, "cloud_account_id": acct, "cost": d(amount), "provider": "aws"}))
	}
	cost("may", "2024-05-10", "EC2", "us-east-1", "111", "999")
	for i := 1; i <= 15; i++ {
		date := canonical.CivilDate{Year: 2024, Month: 6, Day: i}.String()
		ec2 := "80"
		if i%2 == 0 {
			ec2 = "90"
		}
		if i == 12 {
			ec2 = "380"
		}
		cost("ec2-"+date, date, "EC2", "us-east-1", "111", ec2)
		cost("s3-"+date, date, "S3", "eu-west-1", "222", "20")
	}

	inv := func(rec, account, total, due, paid, status, issue, dueDate string) {
		data := map[string]any{"invoice_id": rec, "account_id": account, "total_amount": d(total), "status": status,
			"issue_date": day(issue), "due_date": day(dueDate)}
		if due != "" {
			data["amount_due"] = d(due)
		}
		if paid != "" {
			data["amount_paid"] = d(paid)
		}
		evs = append(evs, event(f.tenant, "erp", "invoice", rec, data))
	}
	// the invoices' accounts are the CRM accounts (same connection for the
	// join), so they are materialized under the "crm" connection
	inv("i1", "a1", "1000", "1000", "", "open", "2024-06-01", "2024-07-01")
	inv("i2", "a1", "2000", "", "500", "open", "2024-04-20", "2024-05-20")
	inv("i3", "a2", "3000", "3000", "", "open", "2024-03-10", "2024-04-10")
	inv("i4", "a3", "4000", "4000", "", "open", "2024-01-01", "2024-01-31")
	inv("i5", "a2", "500", "0", "500", "paid", "2024-05-05", "2024-06-05")
	inv("i6", "a1", "700", "700", "", "open", "2024-05-01", "2024-05-16")
	inv("i7", "a2", "900", "900", "", "void", "2024-06-01", "2024-07-01")
	inv("i8", "a3", "600", "600", "", "open", "2024-06-20", "2024-07-20")
	inv("i9", "a3", "250", "250", "", "open", "2024-04-01", "2024-05-01")
	for i := range evs {
		if evs[i].Entity == "invoice" {
			evs[i].Source.ConnectionID = "crm"
		}
	}
	f.src.Append(f.tenant, evs...)
	_, err := f.eng.Sync(f.ctx, f.src)
	require.NoError(t, err)
	return f
}

func TestAgentsOnFixedDataset(t *testing.T) {
	t.Parallel()
	f := agentFixture(t)

	t.Run("RevOps", func(t *testing.T) {
		res, err := f.eng.RunAgent(f.ctx, &dcl.RevOps{}, asOf)
		require.NoError(t, err)
		require.Equal(t, "revops", res.Agent)
		require.Equal(t, "2024-06-15", res.AsOf)
		m := res.Metrics.(dcl.RevOpsMetrics)
		// open as of 2024-06-15: o1, o2, o3 (o7 is created on 2024-07-01)
		require.Equal(t, int64(3), m.OpenDeals)
		requireDec(t, "35000", m.OpenPipeline) // 10000 + 5000 + 20000
		// Negotiation: o2 5000 × 80% = 4000
		// Proposal: o1 10000 × 50% + o3 20000 × 25% = 5000 + 5000 = 10000
		require.Len(t, m.PipelineByStage, 2)
		require.Equal(t, "Negotiation", m.PipelineByStage[0].Stage)
		requireDec(t, "5000", m.PipelineByStage[0].Amount)
		requireDec(t, "4000", m.PipelineByStage[0].Weighted)
		require.Equal(t, "Proposal", m.PipelineByStage[1].Stage)
		require.Equal(t, int64(2), m.PipelineByStage[1].Deals)
		requireDec(t, "30000", m.PipelineByStage[1].Amount)
		requireDec(t, "10000", m.PipelineByStage[1].Weighted)
		requireDec(t, "14000", m.WeightedPipeline) // 4000 + 10000
		// closed in (2024-03-17, 2024-06-15]: o4 won (05-20), o5 lost
		// (04-10); o6 (01-10) is outside: 1 / 2 = 0.5
		require.Equal(t, int64(2), m.ClosedDeals)
		require.Equal(t, int64(1), m.WonDeals)
		requireDec(t, "0.5", *m.WinRate)
		// stale (> 30 days): o2, updated 2024-04-01: 29 (rest of April)
		// + 1 + 31 (May) + 14 = 75 days; o3 (05-16) is exactly 30: not stale
		require.Len(t, m.StaleDeals, 1)
		require.Equal(t, "o2", m.StaleDeals[0].OpportunityID)
		require.Equal(t, int64(75), m.StaleDeals[0].DaysSinceUpdate)
		require.Equal(t, "2024-04-01", m.StaleDeals[0].LastUpdate)
		// top accounts by open pipeline: Beta (o3) 20000, Alpha (o1 + o2)
		// 15000
		require.Len(t, m.TopAccounts, 2)
		require.Equal(t, "Beta LLC", m.TopAccounts[0].AccountName)
		requireDec(t, "20000", m.TopAccounts[0].Amount)
		require.Equal(t, "Alpha Corp", m.TopAccounts[1].AccountName)
		requireDec(t, "15000", m.TopAccounts[1].Amount)
		require.Equal(t, int64(2), m.TopAccounts[1].Deals)
		require.NotEmpty(t, m.TopAccounts[0].UnifiedID)
		require.Contains(t, res.Summary, "3 open deals worth 35000.00 (weighted 14000.00)")
		require.Contains(t, res.Summary, "win rate 50.0%")
	})

	t.Run("FinOps", func(t *testing.T) {
		res, err := f.eng.RunAgent(f.ctx, &dcl.FinOps{}, asOf)
		require.NoError(t, err)
		m := res.Metrics.(dcl.FinOpsMetrics)
		// June 1..15: odd days 80 + 20 = 100 (8 days: 800), even days
		// 90 + 20 = 110 (6 days: 660), June 12: 380 + 20 = 400. The May
		// line is outside the month and the window.
		requireDec(t, "1860", m.MonthToDate) // 800 + 660 + 400
		require.Equal(t, "2024-06-01", m.MonthStart)
		require.Len(t, m.ByService, 2)
		require.Equal(t, "EC2", m.ByService[0].Key)
		requireDec(t, "1560", m.ByService[0].Cost) // 1860 - 15 × 20
		require.Equal(t, "S3", m.ByService[1].Key)
		requireDec(t, "300", m.ByService[1].Cost)
		require.Equal(t, "us-east-1", m.ByRegion[0].Key)
		require.Equal(t, "111", m.ByAccount[0].Key)
		requireDec(t, "300", m.ByAccount[1].Cost)
		require.Len(t, m.Daily, 15)
		// June 12 against June 1..11 (six 100s, five 110s): median 100,
		// absolute deviations six 0s and five 10s, MAD 0, so the mean
		// absolute deviation 50/11 stands in: z = 300 / (1.253314 × 4.5454)
		// = 52.66. No other day passes 3.5: the largest other score is
		// June 8, 10 / (1.253314 × 30/7) = 1.86.
		require.Len(t, m.Anomalies, 1)
		a := m.Anomalies[0]
		require.Equal(t, "2024-06-12", a.Date)
		requireDec(t, "400", a.Cost)
		requireDec(t, "100", a.PreviousDay) // June 11, an odd day
		requireDec(t, "300", a.DayOverDay)
		requireDec(t, "100", a.BaselineMedian)
		require.InDelta(t, 52.66, a.RobustZ, 0.01)
		// run rate: median of June 9..15 = {100,110,100,400,100,110,100}
		// = 100; 15 days remain: 1860 + 15 × 100 = 3360
		requireDec(t, "100", m.DailyRunRate)
		require.Equal(t, 15, m.DaysRemaining)
		requireDec(t, "3360", m.ForecastMonthEnd)
		require.Contains(t, res.Summary, "2024-06-12")
	})

	t.Run("CFO", func(t *testing.T) {
		res, err := f.eng.RunAgent(f.ctx, &dcl.CFO{}, asOf)
		require.NoError(t, err)
		m := res.Metrics.(dcl.CFOMetrics)
		// current: i1 1000 (due 07-01)
		// 1-30: i2 2000 - 500 = 1500 (due 05-20: 26 days), i6 700 (due
		//       05-16: 30 days) = 2200
		// 31-60: i9 250 (due 05-01: 45 days)
		// 61-90: i3 3000 (due 04-10: 20 + 31 + 15 = 66 days)
		// 90+: i4 4000 (due 01-31: 29 + 31 + 30 + 31 + 15 = 136 days)
		// i5 paid, i7 void, i8 issued after the as-of date
		want := []struct {
			bucket string
			n      int64
			amount string
		}{{"current", 1, "1000"}, {"1-30", 2, "2200"}, {"31-60", 1, "250"}, {"61-90", 1, "3000"}, {"90+", 1, "4000"}}
		require.Len(t, m.Ageing, 5)
		for i, w := range want {
			require.Equal(t, w.bucket, m.Ageing[i].Bucket)
			require.Equal(t, w.n, m.Ageing[i].Invoices, w.bucket)
			requireDec(t, w.amount, m.Ageing[i].Amount, w.bucket)
		}
		requireDec(t, "10450", m.Receivables) // 1000 + 2200 + 250 + 3000 + 4000
		requireDec(t, "9450", m.Overdue)
		// invoiced in (2024-03-17, 2024-06-15], void excluded: i1 1000,
		// i2 2000, i5 500, i6 700, i9 250 = 4450
		requireDec(t, "4450", m.InvoicedInPeriod)
		// DSO = 10450 × 90 / 4450 = 211.348... -> 211.3
		requireDec(t, "211.3", *m.DSO)
		// top overdue: Gamma (i4 4000 + i9 250 = 4250, 136 days), Beta
		// (i3 3000, 66), Alpha (i2 1500 + i6 700 = 2200, 30)
		require.Len(t, m.TopOverdue, 3)
		require.Equal(t, "Gamma GmbH", m.TopOverdue[0].AccountName)
		requireDec(t, "4250", m.TopOverdue[0].Overdue)
		require.Equal(t, int64(136), m.TopOverdue[0].MaxDaysOverdue)
		require.Equal(t, "Beta LLC", m.TopOverdue[1].AccountName)
		require.Equal(t, int64(66), m.TopOverdue[1].MaxDaysOverdue)
		require.Equal(t, "Alpha Corp", m.TopOverdue[2].AccountName)
		requireDec(t, "2200", m.TopOverdue[2].Overdue)
		require.Contains(t, res.Summary, "3000.00 in 61-90 days")
	})

	t.Run("DefaultAsOfAndJSON", func(t *testing.T) {
		a, err := dcl.AgentByName("cfo")
		require.NoError(t, err)
		res, err := f.eng.RunAgent(f.ctx, a, time.Time{})
		require.NoError(t, err)
		require.Equal(t, "2024-06-15", res.AsOf) // Options.Now
		b, err := json.Marshal(res)
		require.NoError(t, err)
		var back map[string]any
		require.NoError(t, json.Unmarshal(b, &back))
		require.Equal(t, "cfo", back["agent"])
		require.Equal(t, "10450", back["metrics"].(map[string]any)["receivables"])
		_, err = dcl.AgentByName("nope")
		require.ErrorIs(t, err, dcl.ErrNotFound)
	})
}
