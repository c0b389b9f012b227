package drift_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
)

// maxFuzzInput keeps each fuzz run fast; the package's own limits are
// exercised by the bounded loops, not by input size.
const maxFuzzInput = 1 << 16

// decodeSnapshot reads a fuzz input as a snapshot document.
func decodeSnapshot(b []byte) (drift.Snapshot, bool) {
	var s drift.Snapshot
	if len(b) > maxFuzzInput || json.Unmarshal(b, &s) != nil {
		return drift.Snapshot{}, false
	}
	return s, true
}

// uniqueNames reports whether no two fields' names trim alike.
func uniqueNames(s canonical.SourceSchema) bool {
	seen := map[string]bool{}
	for _, f := range s.Fields {
		n := strings.TrimSpace(f.Name)
		if seen[n] {
			return false
		}
		seen[n] = true
	}
	return true
}

func FuzzDiff(f *testing.F) {
	f.Add(
		[]byte(`{"schema":{"fields":[{"name":"Id","type":"string"},{"name":"AccountName","type":"string","samples":["Acme","Globex"]}]},"records":{"1":{"Id":"1","AccountName":"Acme"}}}`),
		[]byte(`{"schema":{"fields":[{"name":"Id","type":"string"},{"name":"CompanyName","type":"string","samples":["Acme","Globex"]}]},"records":{"1":{"Id":"1","CompanyName":"Acme"}}}`),
	)
	f.Add([]byte(`{"schema":{"fields":[{"name":"a","type":"integer","samples":[1,2]}]}}`), []byte(`{"schema":{"fields":[{"name":" a ","type":"number","samples":[1.5]}]}}`))
	f.Add([]byte(`{}`), []byte(`{"schema":{"fields":[{"name":"x"}]}}`))
	reg, err := canonical.NewRegistry()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		old, ok1 := decodeSnapshot(a)
		new, ok2 := decodeSnapshot(b)
		if !ok1 || !ok2 {
			return
		}
		d := drift.Diff(old, new)
		if d.From != drift.Fingerprint(old.Schema) || d.To != drift.Fingerprint(new.Schema) {
			t.Fatal("diff fingerprints differ from Fingerprint")
		}
		if self := drift.Diff(old, old); !self.Empty() {
			t.Fatalf("a snapshot differs from itself: %+v", self.Changes)
		}
		if uniqueNames(old.Schema) && uniqueNames(new.Schema) && d.Empty() != (d.From == d.To) {
			t.Fatalf("empty diff %v but fingerprints equal %v", d.Empty(), d.From == d.To)
		}
		var oldSeen, newSeen []string
		for _, c := range d.Changes {
			switch c.Kind {
			case drift.KindAdded:
				newSeen = append(newSeen, c.Field)
			case drift.KindRemoved, drift.KindRetyped:
				oldSeen = append(oldSeen, c.Field)
			case drift.KindRenamed:
				if c.NewField == "" || c.Evidence == nil || c.Score < drift.RenameScore || c.Score > 1 {
					t.Fatalf("malformed rename %+v", c)
				}
				oldSeen = append(oldSeen, c.Field)
				newSeen = append(newSeen, c.NewField)
			default:
				t.Fatalf("unknown kind %q", c.Kind)
			}
			for _, cand := range c.Candidates {
				if cand.Score < 0 || cand.Score > 1 {
					t.Fatalf("candidate score %v out of range", cand.Score)
				}
			}
		}
		for _, seen := range [][]string{oldSeen, newSeen} {
			slices.Sort(seen)
			if len(slices.Compact(seen)) != len(seen) {
				t.Fatalf("a field changes twice: %v", seen)
			}
		}
		c, err := drift.Classify(d, accountMapping(), reg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := json.Marshal(c); err != nil {
			t.Fatalf("classified diff does not marshal: %v", err)
		}
		dr := drift.Drift{Mapping: accountMapping(), Old: old, New: new, Diff: c}
		for _, pr := range drift.ProposeRenames(dr) {
			drift.DefaultPolicy().DecideProposal(dr, pr, reg)
		}
	})
}

func FuzzFingerprint(f *testing.F) {
	f.Add([]byte(`{"system":"csv","object":"a","fields":[{"name":"Id","type":"string"},{"name":"Amount","type":"number","samples":[1.5]}]}`))
	f.Add([]byte(`{"fields":[{"name":"","type":""},{"name":"\u00e9","type":"STRING"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var s canonical.SourceSchema
		if len(b) > maxFuzzInput || json.Unmarshal(b, &s) != nil {
			return
		}
		fp := drift.Fingerprint(s)
		if len(fp) != 64 {
			t.Fatalf("fingerprint %q is not 64 hex digits", fp)
		}
		rev := s
		rev.Fields = slices.Clone(s.Fields)
		slices.Reverse(rev.Fields)
		for i := range rev.Fields {
			rev.Fields[i].Samples = nil
		}
		if drift.Fingerprint(rev) != fp {
			t.Fatal("fingerprint depends on field order or samples")
		}
	})
}
