package filesource_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/connectors/filesource"
)

// setup makes a Source over a fresh root holding files (name → content).
func setup(t *testing.T, files map[string]string, extra ...string) (*filesource.Source, string) {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		write(t, root, name, content)
	}
	cfg := connectors.Config{"root": root}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i]] = extra[i+1]
	}
	s, err := filesource.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s, root
}

func readAll(t *testing.T, s *filesource.Source, object string, cur connectors.Cursor) []connectors.Record {
	t.Helper()
	recs, err := connectortest.ReadAll(context.Background(), s, connectors.ReadRequest{Object: object, Cursor: cur})
	require.NoError(t, err)
	return recs
}

func object(t *testing.T, s *filesource.Source, name string) connectors.Object {
	t.Helper()
	cat, err := s.Discover(context.Background())
	require.NoError(t, err)
	o, ok := cat.Object(name)
	require.True(t, ok, "object %q not discovered", name)
	return o
}

func TestCSVDialects(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{
		// A BOM, ';' delimiters, CRLF, a quoted field holding the delimiter,
		// doubled quotes and a line break, then a short row on line 5.
		"people.csv": "\xEF\xBB\xBFid;name;note\r\n" +
			"1;Ann;\"a; b\"\r\n" +
			"2;Bob;\"say \"\"hi\"\"\r\nsecond line\"\r\n" +
			"3;short\r\n" +
			"4;Dan;\r\n",
		// Tabs, detected from the header.
		"tabs.tsv": "k\tv\nx\t1\ny\t2\n",
	})
	o := object(t, s, "people")
	require.Equal(t, []string{"id", "name", "note"}, fieldNames(o), "the BOM must not stick to the first name")
	require.Equal(t, []string{"id"}, o.PrimaryKey)

	recs := readAll(t, s, "people", "")
	require.Len(t, recs, 4)
	require.Equal(t, map[string]any{"id": int64(1), "name": "Ann", "note": "a; b"}, recs[0].Fields)
	require.Equal(t, "say \"hi\"\nsecond line", recs[1].Fields["note"])
	require.Equal(t, "2", recs[1].ID)
	require.NotNil(t, recs[2].Err)
	require.Equal(t, "people.csv:5", recs[2].Err.Location, "lines inside a quoted field count")
	require.Equal(t, "3;short", recs[2].Err.Raw)
	require.Contains(t, recs[2].Err.Reason, "2 fields")
	require.Equal(t, map[string]any{"id": int64(4), "name": "Dan", "note": nil}, recs[3].Fields)

	tabs := readAll(t, s, "tabs", "")
	require.Len(t, tabs, 2)
	require.Equal(t, map[string]any{"k": "y", "v": int64(2)}, tabs[1].Fields)
	require.Equal(t, "3", tabs[1].ID, "without a key, records are identified by line")
}

func TestCSVDelimiterOption(t *testing.T) {
	t.Parallel()
	// The header looks comma-separated, but the configured delimiter wins.
	s, _ := setup(t, map[string]string{"x.csv": "a,b;c\n1,2;3\n"}, "delimiter", ";")
	recs := readAll(t, s, "x", "")
	require.Len(t, recs, 1)
	require.Equal(t, map[string]any{"a,b": "1,2", "c": int64(3)}, recs[0].Fields)
}

// TestMalformedCSV checks that every kind of broken row is reported with its
// file, line and text, and that no good row around it is lost.
func TestMalformedCSV(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{"orders.csv": "id,name,amount\n" +
		"1,ok,1.5\n" + // line 2
		"2,\"bad\"x,3\n" + // line 3: text after a closing quote
		"3,short\n" + // line 4: too few fields
		"4,a\"b,4\n" + // line 5: bare quote
		"5,\"multi\nline\",5\n" + // lines 6-7: fine
		"6,\"never closed,6\n" + // line 8: the quote is never closed
		"7,fine,7\n" + // line 9
		"\n" + // blank lines are not records
		"8,fine,8", // line 11, no final newline: read once the file settled
	}, "settle", "0s")
	recs := readAll(t, s, "orders", "")
	type got struct{ id, loc, raw string }
	var seen []got
	for _, r := range recs {
		if r.Err != nil {
			require.Nil(t, r.Fields)
			seen = append(seen, got{r.ID, r.Err.Location, r.Err.Raw})
			continue
		}
		seen = append(seen, got{id: r.ID})
	}
	require.Equal(t, []got{
		{id: "1"},
		{"orders.csv:3", "orders.csv:3", `2,"bad"x,3`},
		{"orders.csv:4", "orders.csv:4", "3,short"},
		{"orders.csv:5", "orders.csv:5", `4,a"b,4`},
		{id: "5"},
		{"orders.csv:8", "orders.csv:8", `6,"never closed,6`},
		{id: "7"},
		{id: "8"},
	}, seen)
	require.Contains(t, recs[1].Err.Reason, "after a closing quote")
	require.Contains(t, recs[3].Err.Reason, "bare quote")
	require.Contains(t, recs[5].Err.Reason, "never closed")
	require.Equal(t, "multi\nline", recs[4].Fields["name"])

	// Resuming after a bad record continues with the next one.
	rest := readAll(t, s, "orders", recs[5].Cursor)
	require.Len(t, rest, 2)
	require.Equal(t, "7", rest[0].ID)
}

func TestCSVLongRecord(t *testing.T) {
	t.Parallel()
	long := make([]byte, 5000)
	for i := range long {
		long[i] = 'x'
	}
	s, _ := setup(t, map[string]string{"big.csv": "a,b\n1,2\n3," + string(long) + "\n4,\"" + string(long) + "\"\n5,6\n"},
		"max_record_bytes", "2048")
	recs := readAll(t, s, "big", "")
	require.Len(t, recs, 4)
	require.Nil(t, recs[0].Err)
	require.NotNil(t, recs[1].Err)
	require.Contains(t, recs[1].Err.Reason, "max_record_bytes")
	require.NotNil(t, recs[2].Err)
	require.Equal(t, map[string]any{"a": int64(5), "b": int64(6)}, recs[3].Fields)
}

func TestTypeInference(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{"accounts.csv": "id,accounts_id,n,x,ok,day,at,code,mixed,empty\n" +
		"1,a1,1,1.5,true,2024-01-02,2024-01-02T10:00:00Z,007,1,\n" +
		"1,a2,-2,2,FALSE,2024-02-03,2024-01-02 10:00:00,010,x,\n" +
		"2,a3,3,-3e2,true,2024-03-04,2024-05-06T07:08:09.5+02:00,123,2,\n",
	})
	o := object(t, s, "accounts")
	want := map[string]canonical.FieldType{
		"id": canonical.TypeInteger, "accounts_id": canonical.TypeString, "n": canonical.TypeInteger,
		"x": canonical.TypeNumber, "ok": canonical.TypeBoolean, "day": canonical.TypeDate,
		"at": canonical.TypeDatetime, "code": canonical.TypeString, "mixed": canonical.TypeString,
		"empty": canonical.TypeUnknown,
	}
	for _, f := range o.Schema.Fields {
		require.Equal(t, want[f.Name], f.Type, "field %q", f.Name)
	}
	require.Equal(t, []string{"accounts_id"}, o.PrimaryKey, "id repeats, so the <object>_id column is the key")
	n, _ := o.Schema.Field("n")
	require.Equal(t, []any{int64(1), int64(-2), int64(3)}, n.Samples, "samples are typed")
	code, _ := o.Schema.Field("code")
	require.Equal(t, []any{"007", "010", "123"}, code.Samples, "codes with leading zeros stay text")

	recs := readAll(t, s, "accounts", "")
	require.Equal(t, "a2", recs[1].ID)
	require.Equal(t, map[string]any{
		"id": int64(1), "accounts_id": "a2", "n": int64(-2), "x": float64(2), "ok": false,
		"day": "2024-02-03", "at": "2024-01-02 10:00:00", "code": "010", "mixed": "x", "empty": nil,
	}, recs[1].Fields)
}

func TestSamplesBounded(t *testing.T) {
	t.Parallel()
	content := "v\n"
	for i := 0; i < 100; i++ {
		content += "val" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "\n"
	}
	s, _ := setup(t, map[string]string{"many.csv": content})
	o := object(t, s, "many")
	require.Len(t, o.Schema.Fields[0].Samples, canonical.MaxSamples)
}

func TestEmptyFiles(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{"empty.csv": "", "header.csv": "a,b\n", "none.jsonl": "\n\n", "ok.csv": "a\n1\n"})
	cat, err := s.Discover(context.Background())
	require.NoError(t, err)
	// A header alone names the fields; files without any are not objects.
	require.Len(t, cat.Objects, 2)
	require.Equal(t, "header", cat.Objects[0].Schema.Object)
	require.Equal(t, []string{"a", "b"}, fieldNames(cat.Objects[0]))
	require.Equal(t, canonical.TypeUnknown, cat.Objects[0].Schema.Fields[0].Type)
	require.Equal(t, "ok", cat.Objects[1].Schema.Object)
	for _, name := range []string{"empty", "header", "none"} {
		require.Empty(t, readAll(t, s, name, ""), name)
	}
}

func fieldNames(o connectors.Object) []string {
	var out []string
	for _, f := range o.Schema.Fields {
		out = append(out, f.Name)
	}
	return out
}

func TestCSVHeaderNamesAreTrimmed(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{"people.csv": "id, Name ,Email \n1,Ada,ada@example.com\n"})
	o := object(t, s, "people")
	var names []string
	for _, f := range o.Schema.Fields {
		names = append(names, f.Name)
	}
	require.Equal(t, []string{"id", "Name", "Email"}, names, "white space around header names is not part of the name")
	recs := readAll(t, s, "people", "")
	require.Len(t, recs, 1)
	require.Equal(t, "Ada", recs[0].Fields["Name"])
}
