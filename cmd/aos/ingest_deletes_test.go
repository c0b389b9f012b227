package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestIngestDeletesWithTheSafetyLimit: rows removed from a rewritten file
// become delete events; a pass that would delete more than half of the
// records deletes none and says why, until --confirm-deletes.
func TestIngestDeletesWithTheSafetyLimit(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	files := filepath.Join(root, "files")
	csv := filepath.Join(files, "accounts.csv")
	writeFile(t, csv, "Id,Name\n1,Acme\n2,Globex\n3,Initech\n4,Umbrella\n")
	mapping := filepath.Join(root, "mapping.json")
	writeFile(t, mapping, `{"mappings": [{"object": "accounts", "entity": "account", "fields": {"Id": "account_id", "Name": "account_name"}}]}`)
	common := []string{"--data-dir", data, "--tenant", "acme", "--files", files, "--mapping", mapping}

	s := ingest(t, common...)
	require.Equal(t, 4, s.Objects[0].Events)

	// One row removed, one edited in the middle: a rewrite, read again
	// from the start; the vanished record is deleted.
	writeFile(t, csv, "Id,Name\n1,Acme\n3,Initech Corp\n4,Umbrella\n")
	s = ingest(t, common...)
	require.Equal(t, 2, s.Objects[0].Events, "the changed record and the delete: %+v", s.Objects[0])
	require.Equal(t, 1, s.Objects[0].Deleted, "%+v", s.Objects[0])
	require.Empty(t, s.Objects[0].DeletesWithheld)

	// A truncated export: two of three records gone is over the limit.
	writeFile(t, csv, "Id,Name\n1,Acme\n")
	s = ingest(t, common...)
	require.Zero(t, s.Objects[0].Deleted)
	require.NotEmpty(t, s.Objects[0].DeletesWithheld, "the summary says why nothing was deleted")
	s = ingest(t, append(common, "--full", "--confirm-deletes")...)
	require.Equal(t, 2, s.Objects[0].Deleted, "%+v", s.Objects[0])

	code, out, errOut := runCLI(t, "views", "--data-dir", data, "--tenant", "acme", "accounts")
	require.Equal(t, 0, code, errOut)
	require.Len(t, jsonLines(t, out), 1, "the view holds only the record still at the source")
}
