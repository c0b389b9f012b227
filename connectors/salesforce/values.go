package salesforce

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"
)

// datetimeLayouts are the forms the REST API writes datetimes in.
var datetimeLayouts = []string{"2006-01-02T15:04:05.000-0700", "2006-01-02T15:04:05.000Z07:00", time.RFC3339Nano}

func parseDatetime(s string) (time.Time, error) {
	var firstErr error
	for _, l := range datetimeLayouts {
		t, err := time.Parse(l, s)
		if err == nil {
			return t.UTC(), nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return time.Time{}, firstErr
}

// decodeRecord turns one raw query record into Record.Fields form, typed
// by the describe field types. The "attributes" entry is dropped.
func decodeRecord(raw json.RawMessage, fields []fieldInfo) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("record is not a JSON object: %v", err)
	}
	delete(m, "attributes")
	types := make(map[string]string, len(fields))
	for _, f := range fields {
		types[f.Name] = f.Type
	}
	for k, v := range m {
		nv, err := typed(v, types[k])
		if err != nil {
			return nil, fmt.Errorf("field %q: %v", k, err)
		}
		m[k] = nv
	}
	return m, nil
}

func typed(v any, sfType string) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case json.Number:
		switch sfType {
		case "int", "long":
			if i, err := x.Int64(); err == nil {
				return i, nil
			}
		}
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("number %s: %v", x, err)
		}
		return f, nil
	case string:
		switch sfType {
		case "datetime":
			t, err := parseDatetime(x)
			if err != nil {
				return nil, fmt.Errorf("datetime %q: %v", x, err)
			}
			return t, nil
		case "date":
			t, err := time.Parse(time.DateOnly, x)
			if err != nil {
				return nil, fmt.Errorf("date %q: %v", x, err)
			}
			return t, nil
		}
		return x, nil
	case map[string]any:
		delete(x, "attributes")
		for k := range x {
			nv, err := typed(x[k], "")
			if err != nil {
				return nil, err
			}
			x[k] = nv
		}
		return x, nil
	case []any:
		for i := range x {
			nv, err := typed(x[i], "")
			if err != nil {
				return nil, err
			}
			x[i] = nv
		}
		return x, nil
	}
	return v, nil
}

// sampleValue makes a Record.Fields value JSON-typed for a schema sample.
func sampleValue(v any, sfType string) any {
	if t, ok := v.(time.Time); ok {
		if sfType == "date" {
			return t.Format(time.DateOnly)
		}
		return t.Format(time.RFC3339Nano)
	}
	return v
}

func sortStrings(s []string) { sort.Strings(s) }
