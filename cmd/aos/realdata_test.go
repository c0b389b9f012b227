package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// The tests below run the CLI on the public exports copied (with their
// origin and licence) under testdata/realdata.

// realdata returns the path of a file or folder under testdata/realdata.
func realdata(parts ...string) string {
	return filepath.Join(append([]string{"..", "..", "testdata", "realdata"}, parts...)...)
}

// copyDir copies the regular files of src (not its folders) into a new
// folder, so the test reads only what it names.
func copyFiles(t *testing.T, dst string, files ...string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dst, 0o755))
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dst, filepath.Base(f)), b, 0o644))
	}
}

type realSummary struct {
	Objects []ingestObject       `json:"objects"`
	Skipped []connectors.Skipped `json:"skipped"`
}

func ingestReal(t *testing.T, args ...string) (realSummary, int, string) {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"ingest"}, args...)...)
	var s realSummary
	if out != "" {
		require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	}
	return s, code, errOut
}

// focusMonthToDate checks the FinOps agent and the cloud_costs view of a
// tenant holding the FOCUS sample.
func focusChecks(t *testing.T, data, tenant string) {
	t.Helper()
	code, out, errOut := runCLI(t, "agent", "--data-dir", data, "--tenant", tenant, "--as-of", "2024-09-30", "finops")
	require.Equal(t, 0, code, errOut)
	var res struct {
		Metrics struct {
			MonthToDate decimal.Decimal `json:"month_to_date"`
		} `json:"metrics"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Equal(t, "20.52022672899", res.Metrics.MonthToDate.String(), "FinOps month-to-date, exact")

	code, out, errOut = runCLI(t, "views", "--data-dir", data, "--tenant", tenant, "cloud_costs", "--limit", "5000")
	require.Equal(t, 0, code, errOut)
	rows := jsonLines(t, out)
	require.Len(t, rows, 1000)
	sum := decimal.Zero
	small := false
	for _, r := range rows {
		require.NotEqual(t, "NULL", r["region"], "a NULL text is a missing region")
		d, err := decimal.NewFromString(toString(r["cost"]))
		require.NoError(t, err)
		if d.Equal(decimal.RequireFromString("0.0000008")) {
			small = true
		}
		if day := toString(r["usage_date"]); strings.HasPrefix(day, "2024-09") {
			sum = sum.Add(d)
		}
	}
	require.True(t, small, "0.0000008 stays 0.0000008 in the view")
	require.Equal(t, "20.52022672899", sum.String(), "September in the view, exact")
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return decimal.NewFromFloat(x).String()
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRealFOCUSWithMapping(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	copyFiles(t, files, realdata("focus-sample", "focus_sample.csv"))
	s, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "focus", "--files", files, "--mapping", realdata("focus-sample", "aos", "mapping.json"))
	require.Equal(t, 0, code, errOut)
	require.Len(t, s.Objects, 1)
	o := s.Objects[0]
	require.Equal(t, 1000, o.Events)
	require.Zero(t, o.Quarantined, "the NULL credit row is not quarantined")
	require.Empty(t, s.Skipped)
	focusChecks(t, data, "focus")
}

func TestRealFOCUSDerivedID(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	copyFiles(t, files, realdata("focus-sample", "without-id", "focus_sample.csv"))
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, `{"mappings": [{"object": "focus_sample", "entity": "cloud_cost", "fields": {
 "ProviderName": "provider", "BillingAccountId": "billing_account_id", "SubAccountId": "cloud_account_id",
 "ServiceName": "service", "RegionId": "region", "ResourceId": "resource_id", "ChargePeriodStart": "usage_date",
 "BilledCost": {"field": "cost"}, "BillingCurrency": "currency", "ConsumedQuantity": "usage_quantity", "ConsumedUnit": "usage_unit"},
 "derived_id": {"field": "cost_id", "from": ["BillingAccountId", "ChargePeriodStart", "ResourceId", "SkuPriceId"]}}]}`)
	s, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "focus", "--files", files, "--mapping", mapping)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 1000, s.Objects[0].Events)
	require.Zero(t, s.Objects[0].Quarantined)
	code, out, errOut := runCLI(t, "events", "--data-dir", data, "--tenant", "focus", "--entity", "cloud_cost")
	require.Equal(t, 0, code, errOut)
	ids := map[string]bool{}
	for _, ev := range jsonLines(t, out) {
		id := ev["data"].(map[string]any)["cost_id"].(string)
		require.Len(t, id, 32)
		require.Equal(t, id, ev["source"].(map[string]any)["record_id"])
		ids[id] = true
	}
	require.Len(t, ids, 1000, "the derived ids are distinct")
	focusChecks(t, data, "focus")

	// Ingesting again derives the same ids: nothing new.
	s, code, errOut = ingestReal(t, "--data-dir", data, "--tenant", "focus", "--files", files, "--mapping", mapping)
	require.Equal(t, 0, code, errOut)
	require.Zero(t, s.Objects[0].Events)
}

func TestRealFOCUSMappingTypo(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	copyFiles(t, files, realdata("focus-sample", "focus_sample.csv"))
	b, err := os.ReadFile(realdata("focus-sample", "aos", "mapping.json"))
	require.NoError(t, err)
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, strings.Replace(string(b), `"BilledCost"`, `"BilledCosts"`, 1))
	_, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "focus", "--files", files, "--mapping", mapping)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `source field "BilledCosts" is not a field of "focus_sample" (did you mean "BilledCost"`)
	code, out, _ := runCLI(t, "events", "--data-dir", data, "--tenant", "focus")
	require.Equal(t, 0, code)
	require.Empty(t, strings.TrimSpace(out), "nothing was ingested")
}

func TestRealNorthwindCustomers(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	copyFiles(t, files, realdata("northwind", "customers.csv"))
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, `{"mappings": [{"object": "customers", "entity": "account", "fields": {
 "customerID": "account_id", "companyName": "account_name", "phone": "phone", "address": "billing_street",
 "city": "billing_city", "region": "billing_state", "postalCode": "billing_postal_code", "country": "billing_country"}}]}`)
	s, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "nw", "--files", files, "--mapping", mapping)
	require.Equal(t, 0, code, errOut)
	o := s.Objects[0]
	require.Equal(t, 91, o.Events, "every customer becomes an account")
	require.Zero(t, o.Quarantined)
	require.Positive(t, o.QualityIssues)

	code, out, errOut := runCLI(t, "events", "--data-dir", data, "--tenant", "nw", "--entity", "account")
	require.Equal(t, 0, code, errOut)
	byID := map[string]map[string]any{}      // by source record id
	byAccount := map[string]map[string]any{} // by account_id
	for _, ev := range jsonLines(t, out) {
		byID[ev["source"].(map[string]any)["record_id"].(string)] = ev
		byAccount[ev["data"].(map[string]any)["account_id"].(string)] = ev
	}
	require.Len(t, byAccount, 91)
	alfki := byAccount["ALFKI"]["data"].(map[string]any)
	require.Equal(t, "+49300074321", alfki["phone"], "a German number with the record's country")
	require.NotContains(t, alfki, "billing_state", "NULL is a missing region")

	code, out, errOut = runCLI(t, "quality", "--data-dir", data, "--tenant", "nw")
	require.Equal(t, 0, code, errOut)
	issues := jsonLines(t, out)
	require.Len(t, issues, o.QualityIssues)
	require.Equal(t, 15, o.QualityIssues, "the 15 customers lost before for their phones")
	for _, q := range issues {
		require.Equal(t, "phone", q["field"])
		rec := byID[q["record_id"].(string)]
		require.NotNil(t, rec, "the record of the issue is an event")
		require.NotContains(t, rec["data"].(map[string]any), "phone")
		require.Equal(t, q["value"], rec["extras"].(map[string]any)["phone"], "the raw value is kept in extras")
		require.NotEmpty(t, q["reason"])
	}
}

func TestRealStripeInvoiceMinorUnits(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	copyFiles(t, files, realdata("stripe-fixtures", "invoice.json"), realdata("stripe-fixtures", "customer.json"))
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, `{"mappings": [{"object": "invoice", "entity": "invoice", "fields": {"id": "invoice_id", "customer": "account_id",
 "total": {"field": "total_amount", "transform": "minor_units"}, "amount_remaining": {"field": "amount_due", "transform": "minor_units"},
 "amount_paid": {"field": "amount_paid", "transform": "minor_units"}, "currency": "currency", "status": "status",
 "created": {"field": "created_at", "unit": "unix_s"}}}]}`)
	s, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "stripe", "--files", files, "--mapping", mapping)
	require.Equal(t, 0, code, errOut)
	var inv ingestObject
	for _, o := range s.Objects {
		if o.Object == "invoice" {
			inv = o
		}
	}
	require.Equal(t, 1, inv.Events, "the single-object .json file is one record")
	code, out, errOut := runCLI(t, "views", "--data-dir", data, "--tenant", "stripe", "invoices")
	require.Equal(t, 0, code, errOut)
	rows := jsonLines(t, out)
	require.Len(t, rows, 1)
	total, err := decimal.NewFromString(toString(rows[0]["total_amount"]))
	require.NoError(t, err)
	require.Equal(t, "10", total.String(), "Stripe's total 1000 is 10.00 USD")
	require.Equal(t, "USD", rows[0]["currency"])
}

func TestRealSalesforceFolderAsShipped(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	dir := realdata("salesforce-apex-recipes")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var files []string
	for _, e := range entries {
		if !e.IsDir() {
			files = append(files, filepath.Join(dir, e.Name()))
		}
	}
	folder := filepath.Join(root, "files")
	copyFiles(t, folder, files...)
	s, _, errOut := ingestReal(t, "--data-dir", data, "--tenant", "sf", "--files", folder)
	require.NotEmpty(t, s.Objects, errOut)
	reported := map[string]bool{}
	for _, o := range s.Objects {
		reported[o.Object] = true
	}
	for _, sk := range s.Skipped {
		reported[sk.File] = true
		require.NotEmpty(t, sk.Reason)
	}
	for _, f := range files {
		base := filepath.Base(f)
		ext := filepath.Ext(base)
		switch ext {
		case ".csv", ".json":
		default:
			continue // not a data file (README.md)
		}
		stem := strings.TrimSuffix(base, ext)
		require.True(t, reported[base] || reported[stem], "%s is read or reported (objects and skipped: %v)", base, reported)
	}
	// The sObject tree files are read: their records are under "records".
	_, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "sf2", "--files", folder, "--mapping", filepath.Join(root, "sf-mapping.json"))
	require.Equal(t, 2, code, "a missing mapping file is a usage error: %s", errOut)
}

func TestHelpExitsZeroOnEveryCommand(t *testing.T) {
	t.Parallel()
	for name := range commands() {
		for _, h := range []string{"-h", "--help"} {
			args := []string{name, h}
			if name == "reviews" {
				args = []string{name, "list", h}
			}
			code, _, errOut := runCLI(t, args...)
			require.Equal(t, 0, code, "aos %v: %s", args, errOut)
		}
	}
}

func TestReviewsAndQuarantineCommands(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	writeFile(t, filepath.Join(files, "accounts.csv"), "Id,Name\n1,Acme\n2,\n")
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, `{"mappings": [{"object": "accounts", "entity": "account", "fields": {"Id": "account_id", "Name": "account_name"}}]}`)
	_, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "t", "--files", files, "--mapping", mapping)
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCLI(t, "quarantine", "--data-dir", data, "--tenant", "t")
	require.Equal(t, 0, code, errOut)
	qs := jsonLines(t, out)
	require.Len(t, qs, 1)
	require.Contains(t, qs[0]["reason"], "required field has no value")
	code, out, errOut = runCLI(t, "reviews", "list", "--data-dir", data, "--tenant", "t", "--state", "pending")
	require.Equal(t, 0, code, errOut)
	require.Empty(t, strings.TrimSpace(out))
	code, _, _ = runCLI(t, "reviews", "approve", "--data-dir", data, "--tenant", "t")
	require.Equal(t, 2, code, "approve needs --all or ids")
	code, _, _ = runCLI(t, "reviews", "reject", "--data-dir", data, "--tenant", "t", "5ca4bbce-a2dd-94ee-5816-2a6f00000000")
	require.Equal(t, 2, code, "reject needs a reason")
	code, _, errOut = runCLI(t, "reviews", "approve", "--data-dir", data, "--tenant", "t", "--all")
	require.Equal(t, 0, code, errOut)
}

func TestMappingFileKeepsARepairUnlessForced(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	writeFile(t, filepath.Join(files, "accounts.csv"), "Id,Name,Title\n1,Acme,Inc\n")
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, `{"mappings": [{"object": "accounts", "entity": "account", "fields": {"Id": "account_id", "Name": "account_name"}}]}`)
	common := []string{"--data-dir", data, "--tenant", "t", "--files", files, "--mapping", mapping}
	_, code, errOut := ingestReal(t, common...)
	require.Equal(t, 0, code, errOut)

	// A repair makes version 2 (as the drift repairer would).
	ctx := context.Background()
	p, err := openLocal(ctx, data, io.Discard)
	require.NoError(t, err)
	tn, err := findTenant(ctx, p, "t", false)
	require.NoError(t, err)
	conns, err := p.Mesh().Connections(ctx, tn.ID)
	require.NoError(t, err)
	key := aam.MappingKey{ConnectionID: conns[0].ID, Object: "accounts"}
	_, err = p.Mesh().PutMapping(ctx, tn.ID, aam.PutMapping{MappingKey: key, ExpectedVersion: 1, Author: "system:repair", Reason: "renamed",
		Mapping: canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{
			{Source: "Id", Target: "account_id", Confidence: 1}, {Source: "Title", Target: "account_name", Confidence: 0.9}}}})
	require.NoError(t, err)
	require.NoError(t, p.Close())

	_, code, errOut = ingestReal(t, common...)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "version 2 was made by system:repair")
	require.Contains(t, errOut, "-force")

	s, code, errOut := ingestReal(t, append(common, "--force")...)
	require.Equal(t, 0, code, errOut)
	require.Equal(t, 3, s.Objects[0].MappingVersion, "forced: the file's mapping is the new version")
}

func TestRealFOCUSWithoutMapping(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	copyFiles(t, files, realdata("focus-sample", "focus_sample.csv"))
	s, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "focus", "--files", files)
	require.Equal(t, 0, code, errOut)
	require.Len(t, s.Objects, 1)
	o := s.Objects[0]
	require.Equal(t, "cloud_cost", o.Entity)
	require.Equal(t, "flowing", o.Status)
	require.Equal(t, 1000, o.Events)
	require.Zero(t, o.Quarantined)
	focusChecks(t, data, "focus")
}

func TestAgentAsOfDefaultsToTheData(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	copyFiles(t, files, realdata("focus-sample", "focus_sample.csv"))
	_, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "focus", "--files", files, "--mapping", realdata("focus-sample", "aos", "mapping.json"))
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCLI(t, "agent", "--data-dir", data, "--tenant", "focus", "finops")
	require.Equal(t, 0, code, errOut)
	var res struct {
		AsOf       string `json:"as_of"`
		AsOfSource string `json:"as_of_source"`
		Metrics    struct {
			MonthToDate decimal.Decimal `json:"month_to_date"`
		} `json:"metrics"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Equal(t, "2024-09-30", res.AsOf, "the latest usage date of the export")
	require.Contains(t, res.AsOfSource, "latest date")
	require.Equal(t, "20.52022672899", res.Metrics.MonthToDate.String())
}

func TestRealSalesforceRevOpsStageNames(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	dir := realdata("salesforce-apex-recipes", "json-array")
	copyFiles(t, files, filepath.Join(dir, "Accounts.json"), filepath.Join(dir, "Contacts.json"), filepath.Join(dir, "Opportunities.json"))
	_, code, errOut := ingestReal(t, "--data-dir", data, "--tenant", "sf", "--files", files, "--mapping", realdata("salesforce-apex-recipes", "aos", "mapping.json"))
	require.Equal(t, 0, code, errOut)
	code, out, errOut := runCLI(t, "agent", "--data-dir", data, "--tenant", "sf", "revops")
	require.Equal(t, 0, code, errOut)
	var res struct {
		Summary string `json:"summary"`
		Metrics struct {
			OpenDeals            int64 `json:"open_deals"`
			ClosedFromStageNames int64 `json:"closed_from_stage_names"`
			PipelineByStage      []struct {
				Stage string `json:"stage"`
			} `json:"pipeline_by_stage"`
		} `json:"metrics"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res), out)
	require.Equal(t, int64(4), res.Metrics.ClosedFromStageNames, "3 Closed/Won and 1 Closed Lost")
	require.Equal(t, int64(46), res.Metrics.OpenDeals, "50 deals, 4 closed by their stage names")
	for _, s := range res.Metrics.PipelineByStage {
		require.NotContains(t, s.Stage, "Closed")
	}
	require.Contains(t, res.Summary, "stage names of 4 deals")
}
