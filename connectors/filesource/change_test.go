package filesource_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

func appendFile(t *testing.T, dir, name, content string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join(dir, name), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(content)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// age makes a file look unchanged for an hour.
func age(t *testing.T, dir, name string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	require.NoError(t, os.Chtimes(filepath.Join(dir, name), old, old))
}

func readErr(s *filesource.Source, object string, cur connectors.Cursor) ([]connectors.Record, error) {
	var recs []connectors.Record
	err := s.Read(context.Background(), connectors.ReadRequest{Object: object, Cursor: cur}, func(r connectors.Record) error {
		recs = append(recs, r)
		return nil
	})
	return recs, err
}

// TestSameLengthEditAnywhere: an edit that keeps every length, far from the
// first line and from the cursor, refuses the cursor, so the file is read
// again. Before: the cursor checked only the first line and the 32 bytes
// before its offset, and the edit was never read (failed on the old code:
// no error, no record).
func TestSameLengthEditAnywhere(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("id,name,note\n")
	for i := 1; i <= 40; i++ {
		fmt.Fprintf(&b, "%d,First%d,some padding text to move the cursor away\n", i, i)
	}
	s, root := setup(t, map[string]string{"people.csv": b.String()})
	recs := readAll(t, s, "people", "")
	require.Len(t, recs, 40)
	end := recs[39].Cursor

	write(t, root, "people.csv", strings.Replace(b.String(), "3,First3,", "3,Fxrst3,", 1))
	_, err := readErr(s, "people", end)
	require.ErrorIs(t, err, connectors.ErrInvalidCursor, "a same-length edit in the middle must refuse the cursor")
	again := readAll(t, s, "people", "")
	require.Equal(t, "Fxrst3", again[2].Fields["name"])

	// Appending keeps the cursor valid.
	cur := again[39].Cursor
	appendFile(t, root, "people.csv", "41,First41,x\n")
	more := readAll(t, s, "people", cur)
	require.Len(t, more, 1)
	require.Equal(t, "41", more[0].ID)
}

// TestPartialTrailingLine: a last line without its line break is not read
// while the file is still changing, and the cursor never moves past it.
// Before: it was read as a complete record, so a CSV row was split into a
// wrong value plus a broken fragment, and a JSON Lines record was lost
// (failed on the old code).
func TestPartialTrailingLine(t *testing.T) {
	t.Parallel()
	s, root := setup(t, map[string]string{
		"deals.csv":    "id,name\n1,Alpha\n2,Acm",
		"events.jsonl": "{\"id\":1,\"v\":\"a\"}\n{\"id\":2,\"v\":\"b",
	})
	for _, c := range []struct{ object, file, rest string }{
		{"deals", "deals.csv", "e Corp\n3,Beta\n"},
		{"events", "events.jsonl", "ravo\"}\n{\"id\":3,\"v\":\"c\"}\n"},
	} {
		recs := readAll(t, s, c.object, "")
		require.Len(t, recs, 1, "%s: the unfinished line is left for later", c.object)
		appendFile(t, root, c.file, c.rest)
		more := readAll(t, s, c.object, recs[0].Cursor)
		require.Len(t, more, 2, c.object)
		for _, r := range more {
			require.Nil(t, r.Err, "%s: %v", c.object, r.Err)
		}
		require.Equal(t, []string{"2", "3"}, []string{more[0].ID, more[1].ID})
	}
	more := readAll(t, s, "deals", "")
	require.Equal(t, "Acme Corp", more[1].Fields["name"])

	// A file that ends without a line break for good is read once it
	// settled; its last record keeps the cursor before it, so a writer
	// that appends later is still seen.
	write(t, root, "final.csv", "id,name\n1,a\n2,b")
	recs := readAll(t, s, "final", "")
	require.Len(t, recs, 1)
	age(t, root, "final.csv")
	recs = readAll(t, s, "final", "")
	require.Len(t, recs, 2)
	require.Equal(t, recs[0].Cursor, recs[1].Cursor, "the cursor stays before the unterminated line")
	appendFile(t, root, "final.csv", "x\n3,c\n")
	more = readAll(t, s, "final", recs[1].Cursor)
	require.Equal(t, []string{"2", "3"}, []string{more[0].ID, more[1].ID})
	require.Equal(t, "bx", more[0].Fields["name"])
}

// TestStableKey: a blank or repeated key value makes those rows errors
// with a reason; every other row keeps its key. Before: one blank or
// duplicate id switched every record's ID to line numbers (failed on the
// old code).
func TestStableKey(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{"accounts.csv": "id,name\n" +
		"a1,Acme\n" +
		",Nameless\n" +
		"a2,Beta\n" +
		"a1,Impostor\n" +
		"a3,Gamma\n"})
	require.Equal(t, []string{"id"}, object(t, s, "accounts").PrimaryKey)
	recs := readAll(t, s, "accounts", "")
	require.Len(t, recs, 5)
	require.Equal(t, "a1", recs[0].ID)
	require.NotNil(t, recs[1].Err)
	require.Contains(t, recs[1].Err.Reason, "blank")
	require.Equal(t, "accounts.csv:3", recs[1].Err.Location)
	require.Equal(t, "a2", recs[2].ID)
	require.NotNil(t, recs[3].Err)
	require.Contains(t, recs[3].Err.Reason, `duplicate key "a1"`)
	require.Equal(t, "a1,Impostor", recs[3].Err.Raw)
	require.Equal(t, "a3", recs[4].ID)

	// A duplicate of a row before the cursor is found by a resumed read too.
	_, root := setup(t, nil)
	write(t, root, "log.jsonl", "{\"id\":1}\n{\"id\":2}\n")
	s2, err := filesource.New(connectors.Config{"root": root})
	require.NoError(t, err)
	first := readAll(t, s2, "log", "")
	appendFile(t, root, "log.jsonl", "{\"id\":1}\n{\"id\":3}\n")
	more := readAll(t, s2, "log", first[1].Cursor)
	require.Len(t, more, 2)
	require.NotNil(t, more[0].Err)
	require.Contains(t, more[0].Err.Reason, "duplicate key")
	require.Equal(t, "3", more[1].ID)
}

// TestKeyDetection: singular and abbreviated key names are found, and a
// connection can name its key. Before: contact_id in contacts.csv and
// opp_id were not keys, so records were identified by line number (failed
// on the old code).
func TestKeyDetection(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"contacts.csv":      "account_id,contact_id,name\n7,c1,Ada\n7,c2,Bob\n",
		"opportunities.csv": "opp_id,account_id,stage\no1,7,won\no2,7,lost\n",
		"companies.csv":     "CompanyId,name\n1,Acme\n2,Beta\n",
		"notes.csv":         "account_id,text\n7,hello\n7,again\n",
	}
	s, _ := setup(t, files)
	for obj, key := range map[string]string{"contacts": "contact_id", "opportunities": "opp_id", "companies": "CompanyId"} {
		require.Equal(t, []string{key}, object(t, s, obj).PrimaryKey, obj)
	}
	require.Empty(t, object(t, s, "notes").PrimaryKey, "a foreign key is not the key")
	require.Equal(t, "c2", readAll(t, s, "contacts", "")[1].ID)

	named, root := setup(t, files, "key", "contacts:name,notes:")
	require.Equal(t, []string{"name"}, object(t, named, "contacts").PrimaryKey)
	require.Equal(t, "Bob", readAll(t, named, "contacts", "")[1].ID)
	require.Equal(t, "3", readAll(t, named, "notes", "")[1].ID, "an empty key field identifies records by line")
	_, err := filesource.New(connectors.Config{"root": root, "key": "contacts:a,b"})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	bad, err := filesource.New(connectors.Config{"root": root, "key": "contacts:nope"})
	require.NoError(t, err)
	_, err = readErr(bad, "contacts", "")
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)

	// The key a pass began with stays for its cursors, even when the
	// first rows stop looking like a key.
	cur := readAll(t, s, "contacts", "")[1].Cursor
	write(t, root, "contacts.csv", "account_id,contact_id,name\n7,c1,Ada\n7,c2,Bob\n7,,Eve\n7,,Fay\n7,,Gus\n")
	s3, err := filesource.New(connectors.Config{"root": root})
	require.NoError(t, err)
	require.Empty(t, object(t, s3, "contacts").PrimaryKey)
	more := readAll(t, s3, "contacts", cur)
	require.Len(t, more, 3)
	for _, r := range more {
		require.NotNil(t, r.Err, "blank keys are errors, not line numbers")
	}
}

// TestSymlinkCreatedAfterConnection: a confined source opens its root
// through an os.Root of the confining directory on every call, so a
// directory swapped for a link to the outside after the source was made
// is refused. Before: confinement was checked once, by path, when the
// connection was made, and the link was followed (failed on the old code,
// see TestFileSourceConfinedAfterSymlink in the root package).
func TestSymlinkCreatedAfterConnection(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	crm := filepath.Join(base, "crm")
	require.NoError(t, os.Mkdir(crm, 0o755))
	write(t, crm, "accounts.csv", "id,name\n1,Acme\n")
	outside := t.TempDir()
	write(t, outside, "accounts.csv", "id,secret\n1,do not read\n")

	s, err := filesource.NewConfined(base, connectors.Config{"root": "crm"})
	require.NoError(t, err)
	require.Len(t, readAll(t, s, "accounts", ""), 1)

	// The directory is replaced by a link leading outside.
	require.NoError(t, os.Rename(crm, crm+".old"))
	require.NoError(t, os.Symlink(outside, crm))
	recs, err := readErr(s, "accounts", "")
	require.ErrorIs(t, err, filesource.ErrOutsideRoot)
	require.Empty(t, recs)
	_, err = s.Discover(context.Background())
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)

	// A file link created later inside the root is refused too.
	require.NoError(t, os.Remove(crm))
	require.NoError(t, os.Rename(crm+".old", crm))
	require.NoError(t, os.Symlink(filepath.Join(outside, "accounts.csv"), filepath.Join(crm, "leads.csv")))
	_, err = readErr(s, "leads", "")
	require.ErrorIs(t, err, filesource.ErrOutsideRoot)

	for _, root := range []string{"..", outside, "crm/../.."} {
		_, err := filesource.NewConfined(base, connectors.Config{"root": root})
		require.ErrorIs(t, err, connectors.ErrInvalidConfig, root)
	}
}

// fileReplica applies reads the way the platform does for an incremental
// object: from the cursor, and from the start again when the cursor is
// refused (a full pass, whose missing IDs are deletes).
type fileReplica struct {
	s      *filesource.Source
	object string
	state  map[string]any
	cursor connectors.Cursor
	passes int
}

func (r *fileReplica) sync(t *testing.T) {
	t.Helper()
	recs, err := readErr(r.s, r.object, r.cursor)
	if errors.Is(err, connectors.ErrInvalidCursor) {
		r.passes++
		r.cursor = ""
		recs, err = readErr(r.s, r.object, "")
		r.state = map[string]any{}
	}
	require.NoError(t, err)
	for _, rec := range recs {
		require.Nil(t, rec.Err)
		r.state[rec.ID] = rec.Fields["name"]
		r.cursor = rec.Cursor
	}
}

// TestFileChangesEndEqualToFile: rows edited in the middle (same length),
// inserted at the top, appended and removed; after each sync the records
// equal the file exactly.
func TestFileChangesEndEqualToFile(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 8))
	rows := map[string]string{}
	var order []string
	newID := func() string { return fmt.Sprintf("%08x-%04x", rng.Uint32(), rng.IntN(1<<16)) }
	for range 30 {
		id := newID()
		rows[id] = fmt.Sprintf("name-%04d", rng.IntN(10000))
		order = append(order, id)
	}
	render := func() string {
		var b strings.Builder
		b.WriteString("id,name\n")
		for _, id := range order {
			fmt.Fprintf(&b, "%s,%s\n", id, rows[id])
		}
		return b.String()
	}
	s, root := setup(t, map[string]string{"accounts.csv": render()})
	r := &fileReplica{s: s, object: "accounts", state: map[string]any{}}
	check := func(what string) {
		t.Helper()
		want := map[string]any{}
		for id, name := range rows {
			want[id] = name
		}
		require.Equal(t, want, r.state, what)
	}
	r.sync(t)
	check("first read")
	for round := range 6 {
		switch round % 3 {
		case 0: // same-length edit in the middle
			id := order[len(order)/2]
			rows[id] = fmt.Sprintf("name-%04d", rng.IntN(10000))
			write(t, root, "accounts.csv", render())
		case 1: // insert at the top, remove one
			id := newID()
			rows[id] = "name-top0"
			gone := order[3]
			delete(rows, gone)
			order = append([]string{id}, append(order[:3:3], order[4:]...)...)
			write(t, root, "accounts.csv", render())
		case 2: // append
			id := newID()
			rows[id] = "name-tail"
			order = append(order, id)
			appendFile(t, root, "accounts.csv", id+",name-tail\n")
		}
		r.sync(t)
		check(fmt.Sprintf("round %d", round))
	}
	keys := make([]string, 0, len(r.state))
	for k := range r.state {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	require.Len(t, keys, len(order))
	require.GreaterOrEqual(t, r.passes, 4, "rewrites were read again from the start")
}
