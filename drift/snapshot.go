package drift

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/autonomos/autonomos/canonical"
)

// Snapshot is one observation of a source object: its schema and, when the
// connector gives them, a few sample records keyed by record id. Records
// let Diff recognise a renamed field by its values on the same records.
type Snapshot struct {
	// Schema is the discovered schema; its fields' Samples count as values.
	Schema canonical.SourceSchema `json:"schema"`
	// Records maps record id -> field name -> value; optional.
	Records map[string]map[string]any `json:"records,omitempty"`
}

// maxValueLen bounds a normalized value; longer text is cut, which keeps
// set operations cheap on documents with huge values.
const maxValueLen = 512

// field is one field of a snapshot as Diff works with it.
type field struct {
	name    string              // trimmed
	raw     string              // as the source spells it
	typ     canonical.FieldType // normalized
	index   int                 // position in the schema
	values  map[string]struct{} // normalized non-empty sample and record values
	samples []any               // the first distinct non-empty values, as given
}

// fields indexes a snapshot's schema by trimmed name; the first of fields
// whose names trim alike wins.
func fields(s Snapshot) ([]*field, map[string]*field) {
	list := make([]*field, 0, len(s.Schema.Fields))
	byName := make(map[string]*field, len(s.Schema.Fields))
	for i, sf := range s.Schema.Fields {
		name := normName(sf.Name)
		if _, dup := byName[name]; dup {
			continue
		}
		f := &field{name: name, raw: sf.Name, typ: normType(sf.Type), index: i, values: make(map[string]struct{})}
		for _, v := range sf.Samples {
			f.add(v)
		}
		list = append(list, f)
		byName[name] = f
	}
	ids := make([]string, 0, len(s.Records))
	for id := range s.Records {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, f := range list {
			f.add(recordValue(s.Records[id], f))
		}
	}
	return list, byName
}

// add records a value of the field: its normalized form, and the value
// itself among the first canonical.MaxSamples distinct ones.
func (f *field) add(v any) {
	k, ok := normValue(v)
	if !ok {
		return
	}
	if _, seen := f.values[k]; seen {
		return
	}
	f.values[k] = struct{}{}
	if len(f.samples) < canonical.MaxSamples {
		f.samples = append(f.samples, v)
	}
}

// recordValue returns the record's value of f, found by its raw name or,
// failing that, its trimmed name.
func recordValue(rec map[string]any, f *field) any {
	if v, ok := rec[f.raw]; ok {
		return v
	}
	return rec[f.name]
}

// normValue returns v as comparable text, and false for an empty value
// (nil, blank text), which is no evidence of anything. Text is trimmed and
// lower-cased; numbers, whether numeric or text, are written in plain
// decimal notation, so 3, 3.0, "3" and "3.00" compare equal.
func normValue(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		s = normText(x)
	case json.Number:
		s = normText(string(x))
	case bool:
		s = strconv.FormatBool(x)
	case int:
		s = strconv.Itoa(x)
	case int8, int16, int32, int64:
		s = fmt.Sprint(x)
	case uint, uint8, uint16, uint32, uint64:
		s = fmt.Sprint(x)
	case float32:
		s = normFloat(float64(x))
	case float64:
		s = normFloat(x)
	case time.Time:
		s = x.UTC().Format(time.RFC3339Nano)
	case fmt.Stringer:
		s = normText(fmt.Sprint(x)) // fmt recovers from a panicking String

	default:
		b, err := json.Marshal(x)
		if err != nil {
			s = normText(fmt.Sprint(x))
		} else {
			s = string(b)
		}
	}
	if s == "" {
		return "", false
	}
	if len(s) > maxValueLen {
		s = s[:maxValueLen]
	}
	return s, true
}

// normText trims and lower-cases text and rewrites numbers in plain
// notation.
func normText(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 64 {
		return strings.ToLower(s)
	}
	if c := s[0]; c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9') {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(i, 10)
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return normFloat(f)
		}
	}
	return strings.ToLower(s)
}

// normFloat writes f without exponent or trailing zeros.
func normFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "+inf"
	case math.IsInf(f, -1):
		return "-inf"
	case f == 0:
		return "0" // also for -0
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
