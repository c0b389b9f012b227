package drift_test

import (
	"fmt"
	"testing"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
)

// wideSnapshot builds a snapshot of n string fields named prefix0..n-1 with
// 20 samples each and 20 records.
func wideSnapshot(prefix string, n int, valueSeed int) drift.Snapshot {
	s := drift.Snapshot{Schema: canonical.SourceSchema{Object: "wide"}, Records: map[string]map[string]any{}}
	for i := range n {
		sf := canonical.SourceField{Name: fmt.Sprintf("%s%d", prefix, i), Type: canonical.TypeString}
		for j := range 20 {
			sf.Samples = append(sf.Samples, fmt.Sprintf("v%d-%d-%d", valueSeed, i, j))
		}
		s.Schema.Fields = append(s.Schema.Fields, sf)
	}
	for r := range 20 {
		rec := map[string]any{}
		for i, sf := range s.Schema.Fields {
			rec[sf.Name] = fmt.Sprintf("v%d-%d-%d", valueSeed, i, r)
		}
		s.Records[fmt.Sprint(r)] = rec
	}
	return s
}

// BenchmarkDiffTypical diffs a 50-field object in which one field was
// renamed: the observer's common case.
func BenchmarkDiffTypical(b *testing.B) {
	old := wideSnapshot("Field", 50, 1)
	new := wideSnapshot("Field", 50, 1)
	new.Schema.Fields[7].Name = "Renamed"
	for _, rec := range new.Records {
		rec["Renamed"] = rec["Field7"]
		delete(rec, "Field7")
	}
	b.ReportAllocs()
	for b.Loop() {
		if d := drift.Diff(old, new); len(d.Renames()) != 1 {
			b.Fatalf("want one rename, got %+v", d.Changes)
		}
	}
}

// BenchmarkDiffAllReplaced diffs 100 removed against 100 added fields that
// share no value: every pair is scored.
func BenchmarkDiffAllReplaced(b *testing.B) {
	old := wideSnapshot("OldField", 100, 1)
	new := wideSnapshot("NewField", 100, 2)
	b.ReportAllocs()
	for b.Loop() {
		drift.Diff(old, new)
	}
}

// BenchmarkFingerprint fingerprints a 50-field schema.
func BenchmarkFingerprint(b *testing.B) {
	s := wideSnapshot("Field", 50, 1).Schema
	b.ReportAllocs()
	for b.Loop() {
		drift.Fingerprint(s)
	}
}
