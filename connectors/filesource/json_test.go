package filesource_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

func TestJSONLines(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{"events.ndjson": "" +
		`{"id": 1, "kind": "open", "at": "2024-01-02T03:04:05Z", "n": 1.5, "tags": ["a"], "meta": {"x": 1}}` + "\n" +
		`{"id": 2, "kind": "close", "n": 12345678901}` + "\r\n" +
		`{"id": 3, "kind": ` + "\n" + // line 3: broken
		`[1, 2]` + "\n" + // line 4: not an object
		"   \n" + // blank
		`{"id": 4} {"id": 5}` + "\n" + // line 6: two values
		`{"id": 6, "kind": null}`, // line 7, no final newline: read once the file settled
	}, "settle", "0s")
	o := object(t, s, "events")
	require.Equal(t, []string{"id", "kind", "at", "n", "tags", "meta"}, fieldNames(o), "fields in order of first appearance")
	types := map[string]canonical.FieldType{}
	for _, f := range o.Schema.Fields {
		types[f.Name] = f.Type
	}
	require.Equal(t, map[string]canonical.FieldType{
		"id": canonical.TypeInteger, "kind": canonical.TypeString, "at": canonical.TypeDatetime,
		"n": canonical.TypeNumber, "tags": canonical.TypeArray, "meta": canonical.TypeObject,
	}, types)
	require.Equal(t, []string{"id"}, o.PrimaryKey)

	recs := readAll(t, s, "events", "")
	require.Len(t, recs, 6)
	require.Equal(t, "1", recs[0].ID)
	require.Equal(t, map[string]any{"x": int64(1)}, recs[0].Fields["meta"])
	require.Equal(t, []any{"a"}, recs[0].Fields["tags"])
	require.Equal(t, float64(1.5), recs[0].Fields["n"])
	require.Equal(t, int64(12345678901), recs[1].Fields["n"])
	for i, loc := range map[int]string{2: "events.ndjson:3", 3: "events.ndjson:4", 4: "events.ndjson:6"} {
		require.NotNil(t, recs[i].Err, "record %d", i)
		require.Equal(t, loc, recs[i].Err.Location)
	}
	require.Equal(t, `{"id": 3, "kind": `, recs[2].Err.Raw)
	require.Contains(t, recs[3].Err.Reason, "not an object")
	require.Equal(t, "6", recs[5].ID)
	require.Nil(t, recs[5].Fields["kind"])
}

func TestJSONArray(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{
		"items.json": "\xEF\xBB\xBF [\n" +
			`{"sku": "a", "qty": 1},` + "\n" +
			`"not an object",` + "\n" +
			`{"sku": "b", "qty": 2.5}` + "\n]\n",
		"broken.json": `[{"a": 1}, {"a": 2}, {"a": 3,, ]`,
		"object.json": `{"a": 1}`,
		"scalar.json": `"just text"`,
	}, "settle", "0s")
	cat, err := s.Discover(context.Background())
	require.NoError(t, err)
	_, ok := cat.Object("object")
	require.True(t, ok, "a .json file holding one object is one record")
	_, ok = cat.Object("scalar")
	require.False(t, ok, "a .json file in no known form is not an object")
	require.Equal(t, []connectors.Skipped{{File: "scalar.json", Reason: `"scalar.json": not JSON records (starts with '"'; want an array, an object or JSON Lines)`}}, cat.Skipped)
	o := object(t, s, "items")
	require.Empty(t, o.PrimaryKey)

	recs := readAll(t, s, "items", "")
	require.Len(t, recs, 3)
	require.Equal(t, "1", recs[0].ID, "without a key, elements are identified by their number")
	require.Equal(t, map[string]any{"sku": "a", "qty": int64(1)}, recs[0].Fields)
	require.NotNil(t, recs[1].Err)
	require.Equal(t, "items.json: element 2", recs[1].Err.Location)
	require.Equal(t, `"not an object"`, recs[1].Err.Raw)
	require.Equal(t, "3", recs[2].ID)

	// Resuming in the middle of the array seeks there.
	rest := readAll(t, s, "items", recs[0].Cursor)
	require.Len(t, rest, 2)
	require.Equal(t, "3", rest[1].ID)
	require.Empty(t, readAll(t, s, "items", recs[2].Cursor))

	// A syntax error ends the file: what came before is read, the error is
	// reported once, and resuming from it reads nothing more.
	recs = readAll(t, s, "broken", "")
	require.Len(t, recs, 3)
	require.NotNil(t, recs[2].Err)
	require.Contains(t, recs[2].Err.Reason, "the rest of the file cannot be read")
	require.Empty(t, readAll(t, s, "broken", recs[2].Cursor))

	err = s.Read(context.Background(), connectors.ReadRequest{Object: "scalar"}, func(connectors.Record) error { return nil })
	require.ErrorContains(t, err, "not JSON records")
}
