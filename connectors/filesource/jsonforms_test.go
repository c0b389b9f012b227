package filesource_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

func TestJSONForms(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{
		// Salesforce tree output: the records under "records".
		"tree.json": `{"records": [{"attributes": {"type": "Account", "referenceId": "AccountRef1"}, "name": "Acme"},` + "\n" +
			`{"attributes": {"type": "Account", "referenceId": "AccountRef2"}, "name": "Globex"}]}`,
		// REST query output: metadata first, then the records.
		"query.json": `{"totalSize": 2, "done": true, "meta": {"data": 1}, "results": [{"Id": "001A"}, {"Id": "001B"}], "next": null}`,
		"api.json":   `{"object": "list", "data": [{"id": "in_1", "total": 1000}], "has_more": false}`,
		// JSON Lines in a .json file, as mongoexport writes by default.
		"lines.json": "{\"id\": 1, \"n\": \"a\"}\n{\"id\": 2, \"n\": \"b\"}\n\n{\"id\": 3, \"n\": \"c\"}\n",
		// One API object saved as a file.
		"invoice.json": "{\n  \"id\": \"in_1\",\n  \"total\": 1000,\n  \"lines\": {\"data\": [{\"amount\": 1000}]}\n}\n",
		"broken.json":  "{\"a\": 1,\n \"b\": 2}\n{\"a\": 3}",
		"empty.json":   "  \n",
		"header.csv":   "id,name\n",
		"nothing.csv":  "",
	})
	cat, err := s.Discover(context.Background())
	require.NoError(t, err)
	// A header-only CSV is still an object: its columns can be mapped.
	require.Equal(t, []string{"api", "header", "invoice", "lines", "query", "tree"}, objectNames(cat))
	require.Equal(t, []connectors.Skipped{
		{File: "broken.json", Reason: `"broken.json": several JSON objects, the first spread over several lines (neither JSON Lines nor an array)`},
		{File: "empty.json", Reason: `"empty.json": empty file`},
		{File: "nothing.csv", Reason: "empty file"},
	}, cat.Skipped)

	recs := readAll(t, s, "tree", "")
	require.Len(t, recs, 2)
	require.Equal(t, "Globex", recs[1].Fields["name"])
	require.Equal(t, "AccountRef2", recs[1].Fields["attributes"].(map[string]any)["referenceId"])

	recs = readAll(t, s, "query", "")
	require.Len(t, recs, 2)
	require.Equal(t, "001B", recs[1].Fields["Id"])

	recs = readAll(t, s, "api", "")
	require.Len(t, recs, 1)
	require.Equal(t, int64(1000), recs[0].Fields["total"])

	recs = readAll(t, s, "lines", "")
	require.Len(t, recs, 3)
	require.Equal(t, "c", recs[2].Fields["n"])
	require.Equal(t, "3", recs[2].ID)

	recs = readAll(t, s, "invoice", "")
	require.Len(t, recs, 1)
	require.Nil(t, recs[0].Err)
	require.Equal(t, "in_1", recs[0].Fields["id"])
	// Read again from the end: nothing more.
	more := readAll(t, s, "invoice", recs[0].Cursor)
	require.Empty(t, more)

	// A wrapped array resumes from a cursor like a plain one.
	recs = readAll(t, s, "tree", "")
	rest := readAll(t, s, "tree", recs[0].Cursor)
	require.Len(t, rest, 1)
	require.Equal(t, "Globex", rest[0].Fields["name"])
}

func TestMongoExtendedJSON(t *testing.T) {
	t.Parallel()
	lines := `{"_id":{"$oid":"5ca4bbcea2dd94ee58162a6f"},"name":"Ada","birthdate":{"$date":{"$numberLong":"-126230400000"}},"joined":{"$date":"2024-03-01T10:22:11.123Z"},"visits":{"$numberLong":"9007199254740993"},"balance":{"$numberDecimal":"1234.500"},"n":{"$numberInt":"7"},"tags":[{"$oid":"5ca4bbcea2dd94ee58162a70"}]}` + "\n" +
		`{"_id":{"$oid":"5ca4bbcea2dd94ee58162a71"},"name":"Alan","birthdate":{"$date":"1972-11-10T04:21:08Z"},"joined":null,"visits":3,"balance":{"$numberDecimal":"0.0000008"},"n":1,"tags":[]}` + "\n"
	array := `[` + `{"_id":{"$oid":"5ca4bbcea2dd94ee58162a6f"},"at":{"$date":"2019-04-03T13:59:42.123Z"},"amount":{"$numberDecimal":"80.000"}}` + `]`
	s, _ := setup(t, map[string]string{"users.json": lines, "payments.json": array})
	recs := readAll(t, s, "users", "")
	require.Len(t, recs, 2)
	f := recs[0].Fields
	require.Equal(t, "5ca4bbcea2dd94ee58162a6f", f["_id"])
	require.Equal(t, "1966-01-01T00:00:00Z", f["birthdate"])
	require.Equal(t, "2024-03-01T10:22:11.123Z", f["joined"])
	require.Equal(t, int64(9007199254740993), f["visits"], "beyond float64's exact integers")
	require.Equal(t, json.Number("1234.500"), f["balance"])
	require.Equal(t, int64(7), f["n"])
	require.Equal(t, []any{"5ca4bbcea2dd94ee58162a70"}, f["tags"])
	require.Equal(t, "1972-11-10T04:21:08Z", recs[1].Fields["birthdate"])
	require.Nil(t, recs[1].Fields["joined"])

	// The canonical coercion takes the decoded values exactly.
	d, err := canonical.Coerce(canonical.Date, f["birthdate"], nil)
	require.NoError(t, err)
	require.Equal(t, "1966-01-01", d.(canonical.CivilDate).String())
	dec, err := canonical.Coerce(canonical.Decimal, recs[1].Fields["balance"], nil)
	require.NoError(t, err)
	require.Equal(t, "0.0000008", dec.(interface{ String() string }).String())

	o := object(t, s, "users")
	for _, fld := range o.Schema.Fields {
		switch fld.Name {
		case "birthdate", "joined":
			require.Equal(t, canonical.TypeDatetime, fld.Type, fld.Name)
		case "balance":
			require.Equal(t, canonical.TypeNumber, fld.Type)
		case "_id":
			require.Equal(t, canonical.TypeString, fld.Type)
		}
	}

	recs = readAll(t, s, "payments", "")
	require.Len(t, recs, 1)
	require.Equal(t, "2019-04-03T13:59:42.123Z", recs[0].Fields["at"])
	amount, err := canonical.Coerce(canonical.Decimal, recs[0].Fields["amount"], nil)
	require.NoError(t, err)
	require.Equal(t, "80", amount.(interface{ String() string }).String(), "an Extended JSON decimal is never ambiguous")
}

func TestNullTextInInference(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{"costs.csv": "id,cost,region,when\n1,0.5,us-east-1,2024-09-01\n2,NULL,NULL,NULL\n3,\\N,eu-west-1,null\n"})
	o := object(t, s, "costs")
	types := map[string]canonical.FieldType{}
	for _, f := range o.Schema.Fields {
		types[f.Name] = f.Type
		for _, v := range f.Samples {
			require.NotEqual(t, "NULL", v, "a null text is not a sample")
		}
	}
	require.Equal(t, canonical.TypeNumber, types["cost"], "a column with NULL is not text")
	require.Equal(t, canonical.TypeDate, types["when"])
	recs := readAll(t, s, "costs", "")
	require.Equal(t, 0.5, recs[0].Fields["cost"])
	// The connection's null texts (NULL, null, \N by default) are read as
	// missing values too.
	require.Nil(t, recs[1].Fields["region"])
	require.Contains(t, recs[1].Fields, "region", "the field is present, without a value")
	require.Nil(t, recs[2].Fields["cost"])
	require.Nil(t, recs[2].Fields["when"])
}

func TestNullValuesParameter(t *testing.T) {
	t.Parallel()
	files := map[string]string{
		"costs.csv":   "id,cost,region,note\n1,0.5,us-east-1,NULL\n2,n/a,-, n/a \n3,2,eu-west-1,ok\n",
		"usage.jsonl": `{"id":1,"qty":"n/a","zone":"a","tags":["n/a"]}` + "\n" + `{"id":2,"qty":3,"zone":"-","tags":[]}` + "\n",
	}
	s, _ := setup(t, files, "null_values", "n/a, -")
	o := object(t, s, "costs")
	types := map[string]canonical.FieldType{}
	for _, f := range o.Schema.Fields {
		types[f.Name] = f.Type
	}
	require.Equal(t, canonical.TypeNumber, types["cost"], "n/a is a missing value, not text")
	require.Equal(t, canonical.TypeString, types["note"], "NULL is text once the connection lists its own null texts")
	recs := readAll(t, s, "costs", "")
	require.Len(t, recs, 3)
	require.Equal(t, "NULL", recs[0].Fields["note"])
	require.Nil(t, recs[1].Fields["cost"])
	require.Nil(t, recs[1].Fields["region"])
	require.Nil(t, recs[1].Fields["note"], "compared after trimming white space")
	require.Equal(t, 2.0, recs[2].Fields["cost"])

	u := object(t, s, "usage")
	for _, f := range u.Schema.Fields {
		if f.Name == "qty" {
			require.Equal(t, canonical.TypeInteger, f.Type)
		}
	}
	jrecs := readAll(t, s, "usage", "")
	require.Len(t, jrecs, 2)
	require.Nil(t, jrecs[0].Fields["qty"], "a JSON string holding a null text is missing")
	require.Equal(t, []any{"n/a"}, jrecs[0].Fields["tags"], "only top-level values are compared")
	require.Nil(t, jrecs[1].Fields["zone"])

	// A key holding a null text is a missing key, in CSV as in JSON.
	s, _ = setup(t, map[string]string{"keys.csv": "id,name\n1,a\nn/a,b\n3,c\n", "keys2.jsonl": "{\"id\":1}\n{\"id\":\"n/a\"}\n{\"id\":3}\n"}, "null_values", "n/a")
	for _, obj := range []string{"keys", "keys2"} {
		var bad int
		for _, r := range readAll(t, s, obj, "") {
			if r.Err != nil {
				bad++
				require.Contains(t, r.Err.Error(), "is blank, missing", obj)
			}
		}
		require.Equal(t, 1, bad, obj)
	}

	// "none": no text is a null; empty CSV text still is.
	s, _ = setup(t, map[string]string{"costs.csv": "id,cost,region\n1,NULL,\n2,3,eu\n"}, "null_values", "none")
	require.Equal(t, canonical.TypeString, fieldType(t, object(t, s, "costs"), "cost"))
	recs = readAll(t, s, "costs", "")
	require.Equal(t, "NULL", recs[0].Fields["cost"])
	require.Nil(t, recs[0].Fields["region"])

	for name, v := range map[string]string{
		"too long": strings.Repeat("x", 65),
		"too many": manyTexts(70),
	} {
		_, err := filesource.New(connectors.Config{"root": t.TempDir(), "null_values": v})
		require.ErrorIs(t, err, connectors.ErrInvalidConfig, name)
		require.Contains(t, err.Error(), "null_values", name)
	}
}

// manyTexts returns n distinct comma-separated texts.
func manyTexts(n int) string {
	texts := make([]string, n)
	for i := range texts {
		texts[i] = fmt.Sprintf("t%d", i)
	}
	return strings.Join(texts, ",")
}

func fieldType(t *testing.T, o connectors.Object, name string) canonical.FieldType {
	t.Helper()
	for _, f := range o.Schema.Fields {
		if f.Name == name {
			return f.Type
		}
	}
	t.Fatalf("no field %q", name)
	return ""
}
