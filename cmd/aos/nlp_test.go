package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/nlp"
)

// fixture is the answer-test dataset, read straight from its CSV files so
// the expected numbers are computed apart from the pipeline and views.
type fixture map[string][]map[string]string

func readFixture(t *testing.T, dir string) fixture {
	t.Helper()
	fx := fixture{}
	for _, name := range []string{"cloud_costs", "accounts", "contacts", "opportunities", "invoices"} {
		f, err := os.Open(filepath.Join(dir, name+".csv"))
		require.NoError(t, err)
		recs, err := csv.NewReader(f).ReadAll()
		f.Close()
		require.NoError(t, err)
		for _, r := range recs[1:] {
			row := map[string]string{}
			for i, h := range recs[0] {
				row[h] = r[i]
			}
			fx[name] = append(fx[name], row)
		}
	}
	return fx
}

func dec(s string) decimal.Decimal {
	if s == "" {
		return decimal.Zero
	}
	return decimal.RequireFromString(s)
}

func day(s string) time.Time {
	if len(s) > 10 {
		s = s[:10]
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func in(s, from, to string) bool {
	if s == "" {
		return false
	}
	d := day(s)
	return !d.Before(day(from)) && d.Before(day(to))
}

// sum adds field over the rows that keep.
func (fx fixture) sum(name, field string, keep func(map[string]string) bool) (decimal.Decimal, int64) {
	total, n := decimal.Zero, int64(0)
	for _, r := range fx[name] {
		if keep(r) {
			total = total.Add(dec(r[field]))
			n++
		}
	}
	return total, n
}

type askOut struct {
	Persona string         `json:"persona"`
	Intent  nlp.Intent     `json:"intent"`
	Answer  string         `json:"answer"`
	Data    nlp.Data       `json:"data"`
	Sources []nlp.Source   `json:"sources"`
	Raw     map[string]any `json:"-"`
}

func ask(t *testing.T, data, q string) askOut {
	t.Helper()
	code, out, errOut := runCLI(t, "nlp", "ask", "--data-dir", data, "--tenant", "acme", "--as-of", "2025-02-20", q)
	require.Equal(t, 0, code, errOut)
	var a askOut
	require.NoError(t, json.Unmarshal([]byte(out), &a), out)
	var raw map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	for _, k := range []string{"persona", "persona_confidence", "intent", "answer", "data", "sources"} {
		require.Contains(t, raw, k, "answer JSON misses %q", k)
	}
	require.Len(t, raw, 6, "answer JSON has exactly the contract keys")
	require.NotEmpty(t, a.Answer)
	return a
}

// TestAskNumbersForEveryMetric ingests the fixed dataset with the real
// pipeline (aos ingest) and checks every metric's answer against numbers
// computed here from the CSV files, as of Thursday 2025-02-20.
func TestAskNumbersForEveryMetric(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	files := filepath.Join(root, "files")
	src := "../../nlp/testdata/answers"
	fx := readFixture(t, src)
	for _, n := range []string{"cloud_costs", "accounts", "contacts", "opportunities", "invoices"} {
		b, err := os.ReadFile(filepath.Join(src, n+".csv"))
		require.NoError(t, err)
		writeFile(t, filepath.Join(files, n+".csv"), string(b))
	}
	ingest(t, "--data-dir", data, "--tenant", "acme", "--files", files, "--mapping", filepath.Join(src, "mapping.json"))

	const asOf = "2025-02-20"
	asOfDay := day(asOf)
	money := func(d decimal.Decimal) string { return d.StringFixed(2) }
	type check struct {
		q, persona, metric string
		totals             map[string]any
	}
	all := func(map[string]string) bool { return true }
	_ = all
	costIn := func(from, to string, extra func(map[string]string) bool) map[string]any {
		s, n := fx.sum("cloud_costs", "Cost", func(r map[string]string) bool { return in(r["Date"], from, to) && (extra == nil || extra(r)) })
		return map[string]any{"amount": money(s), "count": float64(n)}
	}
	isOpen := func(r map[string]string) bool { return r["IsClosed"] != "true" && r["IsWon"] != "true" }
	won := func(from, to string) func(map[string]string) bool {
		return func(r map[string]string) bool { return r["IsWon"] == "true" && in(r["CloseDate"], from, to) }
	}
	outstanding := func(r map[string]string) decimal.Decimal { return dec(r["AmountDue"]) }
	receivable := func(r map[string]string) bool {
		s := r["Status"]
		return s != "paid" && s != "void" && outstanding(r).IsPositive() && !day(r["IssueDate"]).After(asOfDay)
	}
	overdueDays := func(r map[string]string) int { return int(asOfDay.Sub(day(r["DueDate"])).Hours() / 24) }
	recv, recvN := fx.sum("invoices", "AmountDue", receivable)
	over, overN := fx.sum("invoices", "AmountDue", func(r map[string]string) bool { return receivable(r) && overdueDays(r) > 0 })
	pipe, pipeN := fx.sum("opportunities", "Amount", isOpen)
	wonQ, wonQN := fx.sum("opportunities", "Amount", won("2025-01-01", "2025-02-21"))
	wonY, wonYN := fx.sum("opportunities", "Amount", won("2025-01-01", "2025-02-21"))
	closed6 := int64(0)
	won6 := int64(0)
	for _, r := range fx["opportunities"] {
		if r["IsClosed"] == "true" && in(r["CloseDate"], "2024-08-21", "2025-02-21") {
			closed6++
			if r["IsWon"] == "true" {
				won6++
			}
		}
	}
	invoicedFeb, invoicedFebN := fx.sum("invoices", "Total", func(r map[string]string) bool {
		return r["Status"] != "void" && in(r["IssueDate"], "2025-02-01", "2025-03-01")
	})
	invoiced90, _ := fx.sum("invoices", "Total", func(r map[string]string) bool {
		return r["Status"] != "void" && in(r["IssueDate"], "2024-11-23", "2025-02-21")
	})
	cashFeb, cashFebN := fx.sum("invoices", "AmountPaid", func(r map[string]string) bool { return in(r["PaidAt"], "2025-02-01", "2025-03-01") })
	newFeb := int64(0)
	germany := int64(0)
	for _, r := range fx["accounts"] {
		if in(r["CreatedAt"], "2025-02-01", "2025-03-01") {
			newFeb++
		}
		if r["Country"] == "Germany" {
			germany++
		}
	}
	buckets := map[string]decimal.Decimal{"0-30": decimal.Zero, "31-60": decimal.Zero, "61-90": decimal.Zero, "90+": decimal.Zero}
	for _, r := range fx["invoices"] {
		if !receivable(r) {
			continue
		}
		d := overdueDays(r)
		b := "90+"
		switch {
		case d <= 30:
			b = "0-30"
		case d <= 60:
			b = "31-60"
		case d <= 90:
			b = "61-90"
		}
		buckets[b] = buckets[b].Add(outstanding(r))
	}
	dso := recv.Div(invoiced90).Mul(decimal.NewFromInt(90)).StringFixed(1)

	checks := []check{
		// The seed's example.
		{"What is our cloud spend this month?", "COO", "cloud_spend", costIn("2025-02-01", "2025-03-01", nil)},
		{"EC2 spend last month", "COO", "cloud_spend", costIn("2025-01-01", "2025-02-01", func(r map[string]string) bool { return r["Service"] == "AmazonEC2" })},
		{"pipeline rn", "CRO", "pipeline_value", map[string]any{"amount": money(pipe), "count": float64(pipeN)}},
		{"how many open deals do we have", "CRO", "open_opportunities", map[string]any{"count": float64(pipeN), "amount": money(pipe)}},
		{"bookings QTD", "CRO", "won_deals", map[string]any{"amount": money(wonQ), "count": float64(wonQN)}},
		{"win rate last 6 months", "CRO", "win_rate", map[string]any{"won": float64(won6), "closed": float64(closed6),
			"win_rate": decimal.NewFromInt(won6).DivRound(decimal.NewFromInt(closed6), 4).StringFixed(4)}},
		{"avg deal size YTD", "CRO", "avg_deal_size", map[string]any{"amount": money(wonY), "count": float64(wonYN),
			"average": wonY.DivRound(decimal.NewFromInt(wonYN), 2).StringFixed(2)}},
		{"new accounts this month", "CRO", "new_accounts", map[string]any{"count": float64(newFeb)}},
		{"how many customers in Germany", "CRO", "account_count", map[string]any{"count": float64(germany)}},
		{"revenue this month", "CFO", "invoiced_revenue", map[string]any{"amount": money(invoicedFeb), "count": float64(invoicedFebN)}},
		{"whats our AR", "CFO", "ar_outstanding", map[string]any{"amount": money(recv), "count": float64(recvN), "as_of": asOf}},
		{"overdue invoices", "CFO", "overdue_invoices", map[string]any{"amount": money(over), "count": float64(overN), "as_of": asOf}},
		{"whats our DSO", "CFO", "dso", map[string]any{"dso": dso, "receivables": money(recv), "invoiced_in_period": money(invoiced90),
			"period_days": float64(90), "period_start": "2024-11-23", "as_of": asOf}},
		{"cash collected this month", "CFO", "cash_collected", map[string]any{"amount": money(cashFeb), "count": float64(cashFebN)}},
	}
	for _, c := range checks {
		a := ask(t, data, c.q)
		require.Equal(t, c.persona, a.Persona, c.q)
		require.Equal(t, nlp.KindMetric, a.Intent.Kind, c.q)
		require.Equal(t, c.metric, a.Intent.Metric, c.q)
		for k, v := range c.totals {
			require.Equal(t, v, a.Data.Totals[k], "%s: totals[%s] (answer %q)", c.q, k, a.Answer)
		}
		require.NotEmpty(t, a.Sources, c.q)
		require.NotNil(t, a.Data.Query, c.q)
		require.Equal(t, c.metric, a.Data.Query.Metric)
	}

	// The seed's example answers with the number in its sentence.
	a := ask(t, data, "What is our cloud spend this month?")
	require.Equal(t, "2025-02-01", a.Intent.Timeframe.Start)
	require.Equal(t, "2025-03-01", a.Intent.Timeframe.End)
	require.Contains(t, a.Answer, costIn("2025-02-01", "2025-03-01", nil)["amount"])

	// Ageing buckets.
	a = ask(t, data, "AR ageing")
	require.Equal(t, "ar_ageing", a.Intent.Metric)
	for b, want := range buckets {
		require.Equal(t, money(want), a.Data.Totals[b].(map[string]any)["amount"], b)
	}
	require.Equal(t, money(recv), a.Data.Totals["amount"])

	// Grouping and top N: the two largest services last month.
	a = ask(t, data, "top 2 services by spend last month")
	require.Equal(t, []string{"service"}, a.Intent.GroupBy)
	require.Len(t, a.Data.Rows, 2)
	require.Equal(t, "AmazonEC2", a.Data.Rows[0]["service"])
	require.Equal(t, costIn("2025-01-01", "2025-02-01", func(r map[string]string) bool { return r["Service"] == "AmazonEC2" })["amount"], a.Data.Rows[0]["amount"])

	// Anomalies: the fixture's one spike, 2025-02-12, from the FinOps agent.
	a = ask(t, data, "any cost anomalies this month?")
	require.Equal(t, "cloud_cost_anomalies", a.Intent.Metric)
	require.Len(t, a.Data.Rows, 1)
	require.Equal(t, "2025-02-12", a.Data.Rows[0]["date"])
	var spike decimal.Decimal
	for _, r := range fx["cloud_costs"] {
		if r["Date"] == "2025-02-12" {
			spike = spike.Add(dec(r["Cost"]))
		}
	}
	require.True(t, spike.Equal(dec(a.Data.Rows[0]["cost"].(string))), "spike cost %v", a.Data.Rows[0]["cost"])

	// CTO metrics: a second ingest brings a renamed source field (drift)
	// and an unreadable invoice (quarantine); expected counts come from the
	// platform store itself.
	b, err := os.ReadFile(filepath.Join(files, "contacts.csv"))
	require.NoError(t, err)
	writeFile(t, filepath.Join(files, "contacts.csv"), strings.Replace(string(b), "Email", "EmailAddress", 1))
	b, err = os.ReadFile(filepath.Join(files, "invoices.csv"))
	require.NoError(t, err)
	writeFile(t, filepath.Join(files, "invoices.csv"), string(b)+"i10,a1,INV-i10,not-a-number,,,USD,open,2025-02-11,2025-03-13,\n")
	code, out, errOut := runCLI(t, "ingest", "--data-dir", data, "--tenant", "acme", "--files", files)
	require.Equal(t, 0, code, out+errOut)

	ctx := context.Background()
	p, err := openLocal(ctx, data, os.Stderr)
	require.NoError(t, err)
	tenant, err := p.Store().TenantByName(ctx, "acme")
	require.NoError(t, err)
	drift, err := p.Store().DriftEvents(ctx, tenant.ID, [16]byte{})
	require.NoError(t, err)
	conns, err := p.Store().Connections(ctx, tenant.ID)
	require.NoError(t, err)
	quarantined := 0
	for _, c := range conns {
		qs, err := p.Store().Quarantined(ctx, tenant.ID, c.ID, "")
		require.NoError(t, err)
		quarantined += len(qs)
	}
	pending, err := p.Store().Proposals(ctx, tenant.ID, aam.StatusPending)
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.NotEmpty(t, drift, "the renamed column is a drift event")
	require.Positive(t, quarantined, "the unreadable invoice is quarantined")

	a = ask(t, data, "schema drift this year")
	require.Equal(t, "drift_events", a.Intent.Metric)
	require.Equal(t, "CTO", a.Persona)
	// Drift is detected now, after the 2025 as-of date: count over all time.
	a = ask(t, data, "drift events between 2020-01-01 and 2099-12-31")
	require.Equal(t, float64(len(drift)), a.Data.Totals["count"])
	a = ask(t, data, "how many records are quarantined")
	require.Equal(t, float64(quarantined), a.Data.Totals["count"])
	a = ask(t, data, "pending reviews")
	require.Equal(t, float64(len(pending)), a.Data.Totals["count"])
	a = ask(t, data, "sync health")
	require.Equal(t, "sync_health", a.Intent.Metric)
	require.Equal(t, float64(len(conns)), a.Data.Totals["connections"])
	require.Equal(t, "degraded", a.Data.Rows[0]["status"], "quarantined records degrade the connection")
}

// TestAskKnowledgeAndHistory adds documents with `aos nlp docs add`, asks a
// definition question (kind knowledge, answered from the chunks with
// citations) and checks the stored history is redacted.
func TestAskKnowledgeAndHistory(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	files := filepath.Join(root, "files")
	writeFile(t, filepath.Join(files, "contacts.csv"), "Id,FirstName,LastName,Email\np1,Maria,Schneider,maria@acme.example\n")
	writeFile(t, filepath.Join(root, "m.json"), `{"mappings": [{"object": "contacts", "entity": "contact", "fields": {"Id": "contact_id", "FirstName": "first_name", "LastName": "last_name", "Email": "email"}}]}`)
	ingest(t, "--data-dir", data, "--tenant", "acme", "--files", files, "--mapping", filepath.Join(root, "m.json"))
	for _, doc := range []string{"glossary.md", "finance-policies.md", "platform-runbook.md"} {
		code, out, errOut := runCLI(t, "nlp", "docs", "add", "--data-dir", data, "--tenant", "acme", "../../nlp/kb/testdata/corpus/"+doc)
		require.Equal(t, 0, code, errOut)
		require.Contains(t, out, `"chunks":`)
	}
	code, out, errOut := runCLI(t, "nlp", "docs", "list", "--data-dir", data, "--tenant", "acme")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "platform-runbook.md")

	a := ask(t, data, "How do we define ARR? (for Maria Schneider, maria@acme.example, +1 415 555 2671)")
	require.Equal(t, nlp.KindKnowledge, a.Intent.Kind)
	require.Equal(t, "CFO", a.Persona)
	require.Contains(t, a.Answer, "Annual recurring revenue")
	require.Contains(t, a.Answer, "[glossary.md#1]", "the answer cites its chunk")
	require.Equal(t, "chunk", a.Sources[0].Kind)
	require.Equal(t, "glossary.md#1", a.Sources[0].Chunk)

	a = ask(t, data, "what's the runbook for a failed sync")
	require.Equal(t, nlp.KindKnowledge, a.Intent.Kind)
	require.Equal(t, "platform-runbook.md", a.Sources[0].Name)

	// The history is one file per tenant.
	entries, err := os.ReadDir(filepath.Join(data, "nlp", "history"))
	require.NoError(t, err)
	require.Len(t, entries, 1)
	hist, err := os.ReadFile(filepath.Join(data, "nlp", "history", entries[0].Name()))
	require.NoError(t, err)
	require.Contains(t, string(hist), "How do we define ARR?")
	for _, secret := range []string{"Maria Schneider", "maria@acme.example", "555 2671"} {
		require.NotContains(t, string(hist), secret, "history is redacted")
	}
	require.Contains(t, string(hist), "<PERSON>")
	require.Contains(t, string(hist), "<EMAIL>")
	require.Contains(t, string(hist), "<PHONE>")

	code, _, errOut = runCLI(t, "nlp", "docs", "delete", "--data-dir", data, "--tenant", "acme", "glossary.md")
	require.Equal(t, 0, code, errOut)
	code, _, _ = runCLI(t, "nlp", "docs", "delete", "--data-dir", data, "--tenant", "acme", "glossary.md")
	require.Equal(t, 2, code)
}

// TestNLPClassifyContract checks `aos nlp classify` prints exactly the
// contract's keys, and its usage errors.
func TestNLPClassifyContract(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "nlp", "classify", "--as-of", "2025-02-20", "What is our cloud spend this month?")
	require.Equal(t, 0, code, errOut)
	var raw map[string]json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(out), &raw))
	require.Len(t, raw, 3)
	for _, k := range []string{"persona", "persona_confidence", "intent"} {
		require.Contains(t, raw, k)
	}
	var in map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(raw["intent"], &in))
	require.Len(t, in, 6)
	for _, k := range []string{"kind", "metric", "timeframe", "filters", "group_by", "confidence"} {
		require.Contains(t, in, k)
	}
	require.JSONEq(t, `{"start":"2025-02-01","end":"2025-03-01","label":"this month"}`, string(in["timeframe"]))
	require.JSONEq(t, `"COO"`, string(raw["persona"]))
	require.JSONEq(t, `"cloud_spend"`, string(in["metric"]))

	// Flags after the text work too; a vague question has a null metric.
	code, out, errOut = runCLI(t, "nlp", "classify", "Numbers for last month", "--as-of", "2025-02-20")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"kind":"clarify","metric":null,"timeframe":{"start":"2025-01-01","end":"2025-02-01"`)

	for _, args := range [][]string{{"nlp", "classify"}, {"nlp", "classify", "--as-of", "20-02-2025", "spend"}, {"nlp", "nope"}, {"nlp"},
		{"nlp", "ask", "spend"}, {"nlp", "docs", "add", "--tenant", "x"}} {
		code, _, _ := runCLI(t, args...)
		require.Equal(t, 2, code, "%v", args)
	}
}
