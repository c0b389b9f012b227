package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// peopleCSV returns a contacts CSV for records from..to: the matcher is
// sure of contact_id, last_name and mail, and sends "given" (first_name)
// to review.
func peopleCSV(from, to int, header bool) string {
	var b strings.Builder
	if header {
		b.WriteString("contact_id,given,last_name,contact_note,mail\n")
	}
	for i := from; i <= to; i++ {
		fmt.Fprintf(&b, "P%d,Given%d,Family%d,note %d,person%d@example.com\n", i, i, i, i, i)
	}
	return b.String()
}

func TestIngestWithoutMappingFlowsSureFieldsAndQueuesReviews(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	csv := filepath.Join(files, "people.csv")
	writeFile(t, csv, peopleCSV(1, 10, true))
	common := []string{"--data-dir", data, "--tenant", "acme", "--files", files}

	s := ingest(t, common...)
	require.Equal(t, []ingestObject{{Object: "people", Status: "flowing", Reason: "1 field mappings wait for review",
		PendingReviews: 1, Entity: "contact", MappingVersion: 1, Events: 10}}, s.Objects,
		"the sure fields flow while the unsure one waits")

	code, out, errOut := runCLI(t, "reviews", "list", "--data-dir", data, "--tenant", "acme", "--state", "pending")
	require.Equal(t, 0, code, errOut)
	reviews := jsonLines(t, out)
	require.Len(t, reviews, 1)
	require.Equal(t, "given", reviews[0]["source_field"])
	require.Equal(t, "first_name", reviews[0]["canonical_field"])

	code, out, errOut = runCLI(t, "events", "--data-dir", data, "--tenant", "acme", "--entity", "contact")
	require.Equal(t, 0, code, errOut)
	events := jsonLines(t, out)
	require.Len(t, events, 10)
	for _, ev := range events {
		d := ev["data"].(map[string]any)
		require.NotEmpty(t, d["last_name"])
		require.NotContains(t, d, "first_name", "the field under review is not applied")
	}

	// Approving the review makes mapping version 2; nothing waits any
	// more, and records read from then on carry the field.
	code, _, errOut = runCLI(t, "reviews", "approve", "--data-dir", data, "--tenant", "acme", reviews[0]["id"].(string))
	require.Equal(t, 0, code, errOut)
	f, err := os.OpenFile(csv, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(peopleCSV(11, 12, false))
	require.NoError(t, err)
	require.NoError(t, f.Close())
	s = ingest(t, common...)
	require.Equal(t, []ingestObject{{Object: "people", Status: "flowing", Entity: "contact", MappingVersion: 2, Events: 2}}, s.Objects)
	code, out, errOut = runCLI(t, "events", "--data-dir", data, "--tenant", "acme", "--entity", "contact")
	require.Equal(t, 0, code, errOut)
	events = jsonLines(t, out)
	require.Len(t, events, 12)
	for _, ev := range events[10:] {
		d := ev["data"].(map[string]any)
		require.Equal(t, strings.Replace(d["contact_id"].(string), "P", "Given", 1), d["first_name"])
	}
}

func TestIngestNullValuesPerConnection(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data, files := filepath.Join(root, "data"), filepath.Join(root, "files")
	writeFile(t, filepath.Join(files, "accounts.csv"), "Id,Name,Employees\n1,Acme Inc,n/a\n2,n/a,40\n3,NULL,7\n4,-,5\n")
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, `{"mappings": [{"object": "accounts", "entity": "account", "fields": {"Id": "account_id", "Name": "account_name", "Employees": "employee_count"}, "null_values": ["-"]}]}`)
	common := []string{"--data-dir", data, "--tenant", "acme", "--files", files, "--mapping", mapping}

	code, _, errOut := runCLI(t, append([]string{"ingest", "--null-values", strings.Repeat("x", 65)}, common...)...)
	require.Equal(t, 2, code, "a bad list is refused before anything is made")
	require.Contains(t, errOut, "null_values")

	// The connection reads n/a (and only n/a) as missing, so the employee
	// count column is an integer column; the mapping reads "-" as missing
	// instead of its default list, so "NULL" is a name here. A value is
	// missing when either lists it.
	s := ingest(t, append([]string{"--null-values", "n/a"}, common...)...)
	require.Len(t, s.Objects, 1)
	o := s.Objects[0]
	require.Equal(t, 2, o.Events)
	require.Equal(t, 2, o.Quarantined, "the rows whose name is n/a or - have no name")
	require.Equal(t, []string{`2 quarantined: field "account_name" (source "Name"): required field has no value`}, o.Errors)
	code, out, errOut := runCLI(t, "events", "--data-dir", data, "--tenant", "acme", "--entity", "account")
	require.Equal(t, 0, code, errOut)
	events := jsonLines(t, out)
	require.Len(t, events, 2)
	first, third := events[0]["data"].(map[string]any), events[1]["data"].(map[string]any)
	require.NotContains(t, first, "employee_count", "n/a is missing, not a type error")
	require.Equal(t, "NULL", third["account_name"], "listed by neither the connection nor the mapping")
	require.EqualValues(t, 7, third["employee_count"])
}
