package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/drift"
)

// mappingFile is the --mapping document:
//
//	{"mappings": [{"object", "entity",
//	   "fields": {"Source": "canonical_field" | {"field", "transform", "unit", "decimal_mark"}},
//	   "derived_id": {"field", "from": [...]}, "null_values": [...], "decimal_mark": "."}]}
type mappingFile struct {
	Mappings []mappingEntry `json:"mappings"`
}

// mappingEntry is one object's mapping in the file.
type mappingEntry struct {
	Object      string               `json:"object"`
	Entity      string               `json:"entity"`
	Fields      map[string]fieldSpec `json:"fields"`
	DerivedID   *canonical.DerivedID `json:"derived_id,omitempty"`
	NullValues  []string             `json:"null_values,omitempty"`
	DecimalMark string               `json:"decimal_mark,omitempty"`
}

// fieldSpec is the value of one "fields" entry: the canonical field's name,
// or an object naming it with a transform, unit or decimal mark.
type fieldSpec struct {
	Field       string              `json:"field"`
	Transform   canonical.Transform `json:"transform,omitempty"`
	Unit        canonical.Unit      `json:"unit,omitempty"`
	DecimalMark string              `json:"decimal_mark,omitempty"`
}

// UnmarshalJSON reads "field" or {"field": ..., "transform": ...}.
func (f *fieldSpec) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &f.Field)
	}
	type plain fieldSpec
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var p plain
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("a field mapping is a canonical field name or {\"field\", \"transform\", \"unit\", \"decimal_mark\"}: %v", err)
	}
	*f = fieldSpec(p)
	return nil
}

// mapping builds the canonical mapping of an entry, field mappings in
// source order.
func (m *mappingEntry) mapping() canonical.Mapping {
	out := canonical.Mapping{Entity: m.Entity, System: filesource.Name, Object: m.Object, DerivedID: m.DerivedID,
		NullValues: m.NullValues, DecimalMark: m.DecimalMark}
	sources := make([]string, 0, len(m.Fields))
	for s := range m.Fields {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	for _, s := range sources {
		f := m.Fields[s]
		out.Fields = append(out.Fields, canonical.FieldMapping{Source: s, Target: f.Field, Transform: f.Transform,
			Unit: f.Unit, DecimalMark: f.DecimalMark, Confidence: 1, Origin: canonical.OriginManual})
	}
	return out
}

// checkSources checks that every source field the entry reads exists in
// the discovered object: a field name, or a dotted path whose first part
// is one. The error names each missing field with its closest matches.
func (m *mappingEntry) checkSources(obj connectors.Object) error {
	names := make([]string, 0, len(obj.Schema.Fields))
	have := make(map[string]bool, len(obj.Schema.Fields))
	for _, f := range obj.Schema.Fields {
		names = append(names, f.Name)
		have[f.Name] = true
	}
	exists := func(src string) bool {
		if have[src] {
			return true
		}
		for i := 0; i < len(src); i++ {
			if src[i] == '.' && have[src[:i]] {
				return true
			}
		}
		return false
	}
	var bad []string
	check := func(src, where string) {
		if exists(src) {
			return
		}
		msg := fmt.Sprintf("%s %q is not a field of %q", where, src, m.Object)
		if close := closeMatches(src, names, 3); len(close) > 0 {
			msg += fmt.Sprintf(" (did you mean %s?)", quoteList(close))
		}
		bad = append(bad, msg)
	}
	sources := make([]string, 0, len(m.Fields))
	for s := range m.Fields {
		sources = append(sources, s)
	}
	sort.Strings(sources)
	for _, s := range sources {
		check(s, "source field")
	}
	if m.DerivedID != nil {
		for _, s := range m.DerivedID.From {
			check(s, "derived_id source field")
		}
	}
	if len(bad) > 0 {
		return usagef("-mapping: %s", strings.Join(bad, "; "))
	}
	return nil
}

// closeMatches returns up to n names closest to s: the same name in
// another case first, then by edit distance (at most a third of the
// name's length, and at least 2).
func closeMatches(s string, names []string, n int) []string {
	type cand struct {
		name string
		d    int
	}
	limit := max(2, len(s)/3)
	var cs []cand
	for _, name := range names {
		d := drift.EditDistance(strings.ToLower(s), strings.ToLower(name))
		if d <= limit {
			cs = append(cs, cand{name, d})
		}
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	out := make([]string, 0, n)
	for _, c := range cs {
		if len(out) == n {
			break
		}
		out = append(out, c.name)
	}
	return out
}

func quoteList(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, " or ")
}

// noRecords says why an object has nothing to map ("" when it has
// records): a file with a header and no rows has fields without samples.
func noRecords(o connectors.Object) string {
	for _, f := range o.Schema.Fields {
		if len(f.Samples) > 0 {
			return ""
		}
	}
	return "header only, no records"
}
