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
