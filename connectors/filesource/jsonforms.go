package filesource

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
)

// A .json file is read in one of these forms, decided by its content:
//
//   - an array of objects: [{...}, {...}];
//   - an object wrapping such an array under "records", "data", "items"
//     or "results" (Salesforce tree and REST query output, API dumps);
//     the first of those keys holding an array is read;
//   - JSON Lines: one object per line, as mongoexport writes by default;
//   - a single object: one record (an API object saved as a file).
//
// Objects holding MongoDB Extended JSON ({"$oid": ...}, {"$date": ...},
// {"$numberLong": ...}, {"$numberDecimal": ...} ...) are decoded with the
// MongoDB driver's own Extended JSON support (see fromExtJSON).

// wrapperKeys are the keys of an object wrapping the records array.
var wrapperKeys = map[string]bool{"records": true, "data": true, "items": true, "results": true}

// jsonForm is the detected form of a .json file.
type jsonForm int

const (
	formArray jsonForm = iota + 1
	formWrapped
	formLines
	formSingle
)

// detectJSONForm decides the form of a .json file whose content starts at
// off. For formArray and formWrapped, arrayAt is the offset of the '['
// opening the records array. A file fitting no form gives an error
// wrapping errContent, saying why.
func detectJSONForm(in io.ReaderAt, off, size int64) (form jsonForm, arrayAt int64, err error) {
	b, at, err := firstNonSpace(in, off)
	if err == io.EOF {
		return 0, 0, fmt.Errorf("%w: empty file", errContent)
	}
	if err != nil {
		return 0, 0, err
	}
	switch b {
	case '[':
		return formArray, at, nil
	case '{':
	default:
		return 0, 0, fmt.Errorf("%w: not JSON records (starts with %q; want an array, an object or JSON Lines)", errContent, b)
	}
	dec := json.NewDecoder(io.NewSectionReader(in, at, size-at))
	if _, err := dec.Token(); err != nil { // {
		return 0, 0, fmt.Errorf("%w: invalid JSON: %v", errContent, err)
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return 0, 0, fmt.Errorf("%w: invalid JSON: %v", errContent, err)
		}
		key, _ := t.(string)
		if wrapperKeys[key] {
			// The value starts after the colon.
			c, vAt, err := firstNonSpace(in, at+dec.InputOffset())
			if err == nil && c == ':' {
				c, vAt, err = firstNonSpace(in, vAt+1)
			}
			if err == nil && c == '[' {
				return formWrapped, vAt, nil
			}
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return 0, 0, fmt.Errorf("%w: invalid JSON: %v", errContent, err)
		}
	}
	if _, err := dec.Token(); err != nil { // }
		return 0, 0, fmt.Errorf("%w: invalid JSON: %v", errContent, err)
	}
	end := at + dec.InputOffset()
	next, _, err := firstNonSpace(in, end)
	switch {
	case err == io.EOF:
		return formSingle, 0, nil
	case err != nil:
		return 0, 0, err
	case next != '{':
		return 0, 0, fmt.Errorf("%w: data after the first JSON object starts with %q", errContent, next)
	}
	first := make([]byte, end-at)
	if _, err := in.ReadAt(first, at); err != nil && err != io.EOF {
		return 0, 0, err
	}
	if bytes.IndexByte(first, '\n') >= 0 {
		return 0, 0, fmt.Errorf("%w: several JSON objects, the first spread over several lines (neither JSON Lines nor an array)", errContent)
	}
	return formLines, 0, nil
}

// scanJSONForms scans a .json file in its detected form, setting lay.kind
// to kindJSONL for JSON Lines and lay.single for a single object.
func scanJSONForms(ctx context.Context, in input, lay *layout, inf *inference, opt scanOptions) error {
	form, arrayAt, err := detectJSONForm(in, lay.dataStart, lay.size)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", errContent, lay.file, strings.TrimPrefix(err.Error(), errContent.Error()+": "))
	}
	switch form {
	case formLines:
		lay.kind = kindJSONL
		return scanJSONL(ctx, in, lay, inf, opt)
	case formSingle:
		lay.single = true
		obj, keys, err := readSingle(in, lay, opt)
		if err != nil {
			return err
		}
		inf.addObject(keys, obj)
		return nil
	}
	lay.dataStart = arrayAt
	return scanJSON(ctx, in, lay, inf, opt)
}

// readSingle decodes the one object of a formSingle file, at most
// opt.limit bytes when a limit is set.
func readSingle(in input, lay *layout, opt scanOptions) (map[string]any, []string, error) {
	n := lay.size - lay.dataStart
	if opt.limit > 0 && n > int64(opt.limit) {
		return nil, nil, fmt.Errorf("%w: %q: the object is %d bytes, more than the record limit of %d", errContent, lay.file, n, opt.limit)
	}
	b := make([]byte, n)
	if _, err := in.ReadAt(b, lay.dataStart); err != nil && err != io.EOF {
		return nil, nil, fmt.Errorf("filesource: %q: %w", lay.file, err)
	}
	keys, obj, err := decodeOrdered(b)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %q: %v", errContent, lay.file, err)
	}
	return obj, keys, nil
}

// single reads the one record of a formSingle file.
func (r *reader) single(pos position) error {
	if err := r.begin(pos); err != nil {
		return err
	}
	obj, _, err := readSingle(r.in, r.lay, r.opt)
	if err != nil {
		return err
	}
	rec := r.record(obj, 1, r.lay.file+": object", 0, r.lay.size)
	if err := r.deliver(rec, position{off: r.lay.size, line: 1, n: 1, end: true}); err != nil {
		return err
	}
	return r.finish()
}

// hasExtJSON reports whether v holds a MongoDB Extended JSON wrapper: an
// object whose first key is one of the type keys.
func hasExtJSON(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if len(x) <= 2 {
			for k := range x {
				if extJSONKeys[k] {
					return true
				}
			}
		}
		for _, e := range x {
			if hasExtJSON(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasExtJSON(e) {
				return true
			}
		}
	}
	return false
}

// extJSONKeys are the type wrappers of MongoDB Extended JSON v2.
var extJSONKeys = map[string]bool{
	"$oid": true, "$date": true, "$numberLong": true, "$numberInt": true, "$numberDouble": true,
	"$numberDecimal": true, "$binary": true, "$timestamp": true, "$regularExpression": true,
	"$symbol": true, "$code": true, "$minKey": true, "$maxKey": true, "$undefined": true, "$uuid": true,
}

// fromExtJSON decodes an object holding MongoDB Extended JSON (relaxed or
// canonical) with the driver's parser and returns plain values: ObjectId as
// its hex string, dates as RFC 3339 text in UTC (exact to the
// millisecond), 32- and 64-bit integers as int64, doubles as float64,
// Decimal128 as an exact json.Number, binary as base64 text, timestamps as
// RFC 3339 text.
func fromExtJSON(b []byte) (map[string]any, error) {
	var d bson.D
	if err := bson.UnmarshalExtJSON(b, false, &d); err != nil {
		return nil, fmt.Errorf("invalid MongoDB Extended JSON: %v", err)
	}
	return plainDoc(d), nil
}

func plainDoc(d bson.D) map[string]any {
	m := make(map[string]any, len(d))
	for _, e := range d {
		m[e.Key] = plainBSON(e.Value)
	}
	return m
}

func plainBSON(v any) any {
	switch x := v.(type) {
	case nil, bson.Null, bson.Undefined:
		return nil
	case bson.D:
		return plainDoc(x)
	case bson.M:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = plainBSON(e)
		}
		return m
	case bson.A:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainBSON(e)
		}
		return out
	case []any:
		return plainBSON(bson.A(x))
	case bson.ObjectID:
		return x.Hex()
	case bson.DateTime:
		return x.Time().UTC().Format(time.RFC3339Nano)
	case bson.Timestamp:
		return time.Unix(int64(x.T), 0).UTC().Format(time.RFC3339)
	case int32:
		return int64(x)
	case int64, float64, string, bool:
		return x
	case bson.Decimal128:
		s := x.String()
		if json.Valid([]byte(s)) {
			return json.Number(s)
		}
		return s // NaN, Infinity
	case bson.Binary:
		return base64.StdEncoding.EncodeToString(x.Data)
	}
	return fmt.Sprint(v)
}

// skipReason is the Catalog.Skipped reason of a file scan refused.
func skipReason(err error) string {
	msg := err.Error()
	for _, p := range []string{errContent.Error() + ": ", "filesource: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	return msg
}

// emptyReason says why a scanned file has no fields.
func emptyReason(lay *layout) string {
	switch {
	case lay.size == 0:
		return "empty file"
	case lay.kind == kindCSV && len(lay.header) > 0:
		return "header only, no records"
	}
	return "no records"
}
