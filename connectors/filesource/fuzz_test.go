package filesource

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
)

// fuzzRead reads data as a file of kind k, from cur.
func fuzzRead(t *testing.T, data []byte, k kind, cur connectors.Cursor) ([]connectors.Record, error) {
	t.Helper()
	var recs []connectors.Record
	opt := scanOptions{limit: minRecordBytes, scanRows: 20}
	err := readInput(context.Background(), bytes.NewReader(data), int64(len(data)), true, "f", "f", k, opt, cur,
		func(r connectors.Record) error {
			recs = append(recs, r)
			return nil
		})
	return recs, err
}

// checkReads reads data whole, then again from the cursors of a few of its
// records: every record is good or an error with a location, and each
// resumed read gives exactly the records after its cursor (a last line
// without its line break keeps the cursor before it).
func checkReads(t *testing.T, data []byte, k kind) {
	recs, err := fuzzRead(t, data, k, "")
	if errors.Is(err, errContent) {
		return // a file that is not an object at all (broken header, not an array)
	}
	require.NoError(t, err)
	for i, r := range recs {
		require.NotEmpty(t, r.Cursor, "record %d", i)
		require.NotEmpty(t, r.ID, "record %d", i)
		if r.Err != nil {
			require.Nil(t, r.Fields, "record %d", i)
			require.NotEmpty(t, r.Err.Location, "record %d", i)
			require.LessOrEqual(t, len(r.Err.Raw), maxRaw, "record %d", i)
		} else {
			require.NotNil(t, r.Fields, "record %d", i)
		}
	}
	for _, i := range []int{0, len(recs) / 2, len(recs) - 1} {
		if i < 0 || i >= len(recs) {
			continue
		}
		rest, err := fuzzRead(t, data, k, recs[i].Cursor)
		require.NoError(t, err, "resuming after record %d", i)
		// A last record without its line break keeps the cursor before
		// it: it shares the cursor of the record before it.
		j := i
		for j > 0 && recs[j-1].Cursor == recs[i].Cursor {
			j--
		}
		require.Equal(t, summary(recs[j+1:]), summary(rest), "resuming after record %d", i)
	}
}

func summary(recs []connectors.Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		out[i] = r.ID
		if r.Err != nil {
			out[i] += " ! " + r.Err.Reason
		}
	}
	return out
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte("id,name\n1,a\n2,b\n"))
	f.Add([]byte("\xEF\xBB\xBFa;b\r\n1;\"x;\"\"y\"\"\r\nz\"\r\n2;3\r\n"))
	f.Add([]byte("a,b\n1,\"never closed\n2,3\n4,5"))
	f.Add([]byte("a,b\n\"x\"y,1\nq\"r,2\n3\n\n,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReads(t, data, kindCSV)
	})
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(`{"id":1,"a":"x"}` + "\n" + `{"id":2,"b":[1,2.5]}` + "\n"))
	f.Add([]byte("{\"a\":1}\r\n\n[1]\n{\"a\":\n{\"a\":{\"b\":null}} 5\n\"s\""))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReads(t, data, kindJSONL)
	})
}

func FuzzJSONArray(f *testing.F) {
	f.Add([]byte(`[{"id":1},{"id":2,"x":1e400},{"id":3}]`))
	f.Add([]byte("\xEF\xBB\xBF [ {\"a\":1} , 2, \"x\", {\"b\":[]} ]"))
	f.Add([]byte(`[{"a":1} {"a":2}]`))
	f.Add([]byte(`[{"a":1},]`))
	f.Add([]byte(`[{"a":1},`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkReads(t, data, kindJSON)
	})
}

// FuzzDetectJSONForm checks that form detection never panics, that an
// accepted array or wrapper points at a '[', and that a refusal is a
// content error (reported, not fatal).
func FuzzDetectJSONForm(f *testing.F) {
	for _, s := range []string{
		`[{"a":1}]`, `{"records":[{"a":1}]}`, `{"x":1,"data":[]}`, "{\"a\":1}\n{\"a\":2}\n", `{"a":1}`,
		"{\"a\":\n1}\n{\"a\":2}", `"x"`, ``, `   `, `{"records": {"a": 1}}`, `{"a":1}}`, `{"a":[1,2,`,
		`{"_id":{"$oid":"5ca4bbcea2dd94ee58162a6f"}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		in := bytes.NewReader(b)
		form, at, err := detectJSONForm(in, 0, int64(len(b)))
		if err != nil {
			if !errors.Is(err, errContent) {
				t.Fatalf("%q: %v is not a content error", b, err)
			}
			return
		}
		switch form {
		case formArray, formWrapped:
			if at < 0 || at >= int64(len(b)) || b[at] != '[' {
				t.Fatalf("%q: form %d at %d is not an array start", b, form, at)
			}
		case formLines, formSingle:
		default:
			t.Fatalf("%q: unknown form %d", b, form)
		}
	})
}
