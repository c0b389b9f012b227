package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/internal/testenv"
)

type ingestSummary struct {
	Objects []ingestObject `json:"objects"`
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(content), 0o644))
}

func ingest(t *testing.T, args ...string) ingestSummary {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"ingest"}, args...)...)
	require.Equal(t, 0, code, errOut)
	var s ingestSummary
	require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	return s
}

func jsonLines(t *testing.T, out string) []map[string]any {
	t.Helper()
	var rows []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(line), &m), line)
		rows = append(rows, m)
	}
	return rows
}

func TestIngestEventsAndDrift(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	files := filepath.Join(root, "files")
	writeFile(t, filepath.Join(files, "accounts.csv"), "Id,Name,Country\n1,Acme Inc,USA\n2,Globex,Germany\n3,,France\n")
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, `{"mappings": [{"object": "accounts", "entity": "account", "fields": {"Id": "account_id", "Name": "account_name", "Country": "billing_country"}}]}`)
	common := []string{"--data-dir", data, "--tenant", "acme", "--files", files}

	s := ingest(t, append(common, "--mapping", mapping)...)
	require.Len(t, s.Objects, 1)
	require.Equal(t, ingestObject{Object: "accounts", Status: "flowing", Entity: "account", MappingVersion: 1, Events: 2, Quarantined: 1,
		Errors: []string{`1 quarantined: field "account_name" (source "Name"): required field has no value`}}, s.Objects[0],
		"two valid rows become events; the row without the required name is quarantined")

	s = ingest(t, append(common, "--mapping", mapping)...)
	require.Equal(t, 0, s.Objects[0].Events, "ingesting the same files again adds nothing")
	require.Equal(t, 1, s.Objects[0].MappingVersion, "an unchanged mapping file makes no new version")

	code, out, errOut := runCLI(t, "events", "--data-dir", data, "--tenant", "acme", "--entity", "account")
	require.Equal(t, 0, code, errOut)
	events := jsonLines(t, out)
	require.Len(t, events, 2)
	reg, err := canonical.NewRegistry()
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		_, err := reg.DecodeEvent([]byte(line))
		require.NoError(t, err, "every line is a valid canonical event")
	}
	first := events[0]["data"].(map[string]any)
	require.Equal(t, "Acme Inc", first["account_name"])
	require.Equal(t, "US", first["billing_country"])

	// Rename a mapped column: the next ingest records a breaking drift
	// event naming the rename.
	writeFile(t, filepath.Join(files, "accounts.csv"), "Id,CompanyName,Country\n1,Acme Inc,USA\n2,Globex,Germany\n3,,France\n")
	// The old mapping file names a column that is gone: refused, naming it.
	code, _, errOut = runCLI(t, append([]string{"ingest"}, append(common, "--mapping", mapping)...)...)
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `source field "Name" is not a field of "accounts"`)
	// Without the file, the active mapping reads a column that is gone:
	// every record is quarantined, and the exit status says it is stuck.
	code, _, errOut = runCLI(t, append([]string{"ingest"}, common...)...)
	require.Equal(t, 1, code)
	require.Contains(t, errOut, "accounts: every record read was quarantined")
	code, out, errOut = runCLI(t, "drift", "--data-dir", data, "--tenant", "acme")
	require.Equal(t, 0, code, errOut)
	drifts := jsonLines(t, out)
	require.Len(t, drifts, 1)
	require.Equal(t, true, drifts[0]["breaking"])
	require.Contains(t, out, `"new_field":"CompanyName"`)
}

func TestIngestRejectsBadInput(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := filepath.Join(root, "files")
	writeFile(t, filepath.Join(files, "accounts.csv"), "Id,Name\n1,Acme\n")
	bad := filepath.Join(root, "bad.json")
	writeFile(t, bad, `{"mappings": [{"object": "accounts", "entity": "account", "fields": {"Id": "no_such_field"}}]}`)
	data := testenv.DataDir(t)

	cases := map[string][]string{
		"no tenant":          {"--data-dir", data, "--files", files},
		"no files":           {"--data-dir", data, "--tenant", "a"},
		"files not a dir":    {"--data-dir", data, "--tenant", "a", "--files", filepath.Join(files, "accounts.csv")},
		"unknown target":     {"--data-dir", data, "--tenant", "a", "--files", files, "--mapping", bad},
		"missing mapping":    {"--data-dir", data, "--tenant", "a", "--files", files, "--mapping", filepath.Join(root, "nope.json")},
		"unknown flag":       {"--data-dir", data, "--tenant", "a", "--files", files, "--bogus"},
		"mapping not object": {"--data-dir", data, "--tenant", "a", "--files", files, "--mapping", filesWith(t, root, `[1,2]`)},
	}
	for name, args := range cases {
		code, _, errOut := runCLI(t, append([]string{"ingest"}, args...)...)
		require.Equal(t, 2, code, "%s: %s", name, errOut)
		require.NotEmpty(t, errOut, name)
	}
}

func filesWith(t *testing.T, dir, content string) string {
	t.Helper()
	path := filepath.Join(dir, testenv.Name("m")+".json")
	writeFile(t, path, content)
	return path
}

func TestDemoDataIngestsCleanly(t *testing.T) {
	t.Parallel()
	s := ingest(t, "--data-dir", testenv.DataDir(t), "--tenant", "demo",
		"--files", "../../testdata/demo/crm", "--mapping", "../../testdata/demo/mapping.json")
	require.Len(t, s.Objects, 5, "one object per canonical entity")
	for _, o := range s.Objects {
		require.Positive(t, o.Events, o.Object)
		require.Zero(t, o.Quarantined, "demo object %s must map without quarantine", o.Object)
		require.Empty(t, o.Errors, o.Object)
	}
}

func TestViewsAndAgentsOnTheDemo(t *testing.T) {
	t.Parallel()
	data := testenv.DataDir(t)
	ingest(t, "--data-dir", data, "--tenant", "demo", "--files", "../../testdata/demo/crm", "--mapping", "../../testdata/demo/mapping.json")

	code, out, errOut := runCLI(t, "views", "--data-dir", data, "--tenant", "demo", "accounts", "--limit", "3")
	require.Equal(t, 0, code, errOut)
	rows := jsonLines(t, out)
	require.Len(t, rows, 3)
	require.Equal(t, "Acme Inc", rows[0]["account_name"])
	require.NotEmpty(t, rows[0]["_unified_id"])

	code, out, errOut = runCLI(t, "views", "--data-dir", data, "--tenant", "demo", "cloud_costs", "--limit", "0")
	require.Equal(t, 0, code, errOut)
	require.Len(t, jsonLines(t, out), 60, "--limit 0 prints every row")

	code, out, errOut = runCLI(t, "agent", "--data-dir", data, "--tenant", "demo", "--as-of", "2026-11-21", "finops")
	require.Equal(t, 0, code, errOut)
	var res struct {
		Agent   string         `json:"agent"`
		AsOf    string         `json:"as_of"`
		Metrics map[string]any `json:"metrics"`
		Summary string         `json:"summary"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	require.Equal(t, "finops", res.Agent)
	require.Equal(t, "2026-11-21", res.AsOf)
	require.Contains(t, out, "2026-11-17", "the demo's EC2 spike on the 17th is flagged")
	require.NotEmpty(t, res.Summary)

	for name, args := range map[string][]string{
		"unknown view":  {"views", "--data-dir", data, "--tenant", "demo", "planets"},
		"no view":       {"views", "--data-dir", data, "--tenant", "demo"},
		"unknown agent": {"agent", "--data-dir", data, "--tenant", "demo", "oracle"},
		"bad date":      {"agent", "--data-dir", data, "--tenant", "demo", "--as-of", "21/11/2026", "cfo"},
		"no tenant":     {"views", "--data-dir", data, "--tenant", "nobody", "accounts"},
	} {
		code, _, errOut := runCLI(t, args...)
		require.Equal(t, 2, code, "%s: %s", name, errOut)
	}
}

func TestIngestWithoutMappingProposesItself(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	files := filepath.Join(root, "files")
	writeFile(t, filepath.Join(files, "accounts.csv"), "account_id,account_name,website,industry\nA-1,Acme Inc,acme.com,Manufacturing\nA-2,Globex,globex.io,Energy\nA-3,Initech,initech.com,Software\n")
	writeFile(t, filepath.Join(files, "misc.csv"), "q,z\n1,2\n3,4\n")
	code, out, errOut := runCLI(t, "ingest", "--data-dir", filepath.Join(root, "data"), "--tenant", "acme", "--files", files)
	require.Equal(t, 1, code, "an object is stuck: %s", errOut)
	require.Contains(t, errOut, "misc: the matcher found no field mapping")
	var s ingestSummary
	require.NoError(t, json.Unmarshal([]byte(out), &s), out)
	require.Len(t, s.Objects, 2)
	byName := map[string]ingestObject{}
	for _, o := range s.Objects {
		byName[o.Object] = o
	}
	acc := byName["accounts"]
	require.Equal(t, "account", acc.Entity, "the matcher mapped the clear-cut file itself")
	require.Equal(t, 3, acc.Events)
	misc := byName["misc"]
	require.Zero(t, misc.Events, "an unmappable file is not auto-applied")
	require.Equal(t, "flowing", acc.Status)
	require.Equal(t, "unmapped", misc.Status)
	require.Equal(t, "the matcher found no field mapping", misc.Reason, "and the summary says why")
}
