package drift_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
)

func TestDiffUnchanged(t *testing.T) {
	t.Parallel()
	old := snap(f("Id", canonical.TypeString, "1"), f("Name", canonical.TypeString, "Acme"))
	new := snap(f("Name", canonical.TypeString, "Other"), f(" Id ", canonical.TypeString, "2"))
	d := drift.Diff(old, new)
	require.True(t, d.Empty(), "%v", kinds(d))
	require.Equal(t, d.From, d.To)
	require.NotNil(t, d.Changes, "marshals as [] not null")
}

func TestDiffAddedRemovedRetyped(t *testing.T) {
	t.Parallel()
	old := snap(
		f("Id", canonical.TypeString, "a1", "a2"),
		f("Fax", canonical.TypeString, "555-0100", "555-0101"),
		f("Employees", canonical.TypeInteger, 10, 20),
		f("Founded", canonical.TypeDate, "2001-01-02"),
		f("Score", canonical.TypeNumber, 1.5),
	)
	new := snap(
		f("Id", canonical.TypeString, "a1", "a2"),
		f("Employees", canonical.TypeNumber, 10.5, 20),
		f("Founded", canonical.TypeString, "long ago"),
		f("Score", canonical.TypeNumber, 2.5),
		f("Region", canonical.TypeString, "EMEA", "APAC"),
	)
	d := drift.Diff(old, new)
	require.Equal(t, []string{"removed:Fax", "retyped:Employees", "retyped:Founded", "added:Region"}, kinds(d))
	require.NotEqual(t, d.From, d.To)

	emp := change(t, d, "Employees")
	require.Equal(t, canonical.TypeInteger, emp.OldType)
	require.Equal(t, canonical.TypeNumber, emp.NewType)
	require.Equal(t, drift.TypeWidening, emp.TypeChange)
	require.Equal(t, []any{10.5, 20}, emp.Samples)

	require.Equal(t, drift.TypeIncompatible, change(t, d, "Founded").TypeChange)
	fax := change(t, d, "Fax")
	require.Equal(t, canonical.TypeString, fax.OldType)
	require.Empty(t, fax.Candidates, "values of Region share nothing with Fax")
	require.Equal(t, canonical.TypeString, change(t, d, "Region").NewType)
}

func TestCompareTypes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		old, new   canonical.FieldType
		want       drift.TypeChange
		compatible bool
	}{
		{canonical.TypeString, canonical.TypeString, drift.TypeSame, true},
		{canonical.TypeInteger, canonical.TypeNumber, drift.TypeWidening, true},
		{canonical.TypeNumber, canonical.TypeInteger, drift.TypeNarrowing, true},
		{canonical.TypeDate, canonical.TypeDatetime, drift.TypeWidening, true},
		{canonical.TypeDatetime, canonical.TypeDate, drift.TypeNarrowing, true},
		{canonical.TypeUnknown, canonical.TypeInteger, drift.TypeUndecided, false},
		{canonical.TypeString, "", drift.TypeUndecided, false},
		{"", canonical.TypeUnknown, drift.TypeSame, true},
		{canonical.TypeNumber, canonical.TypeString, drift.TypeIncompatible, false},
		{canonical.TypeString, canonical.TypeInteger, drift.TypeIncompatible, false},
		{canonical.TypeBoolean, canonical.TypeInteger, drift.TypeIncompatible, false},
		{canonical.TypeObject, canonical.TypeArray, drift.TypeIncompatible, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s->%s", tt.old, tt.new), func(t *testing.T) {
			t.Parallel()
			got := drift.CompareTypes(tt.old, tt.new)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.compatible, got.Compatible())
		})
	}
}

// records builds sample records id -> {field: value} from parallel lists.
func records(field string, ids []string, values []any) map[string]map[string]any {
	out := make(map[string]map[string]any, len(ids))
	for i, id := range ids {
		out[id] = map[string]any{"Id": id, field: values[i]}
	}
	return out
}

func TestDiffRenameByRecordAgreement(t *testing.T) {
	t.Parallel()
	ids := []string{"a1", "a2", "a3", "a4", "a5"}
	names := []any{"Acme", "Globex", "Initech", "Umbrella", "Hooli"}
	// No schema samples at all: only the records can tell.
	old := drift.Snapshot{Schema: schema(f("Id", canonical.TypeString), f("AccountName", canonical.TypeString)), Records: records("AccountName", ids, names)}
	new := drift.Snapshot{Schema: schema(f("Id", canonical.TypeString), f("CompanyName", canonical.TypeString)), Records: records("CompanyName", ids, names)}

	d := drift.Diff(old, new)
	require.Equal(t, []string{"renamed:AccountName->CompanyName"}, kinds(d))
	c := d.Changes[0]
	require.NotNil(t, c.Evidence)
	require.Equal(t, 1.0, c.Evidence.RecordAgreement)
	require.Equal(t, 5, c.Evidence.RecordsCompared)
	require.Equal(t, 1.0, c.Evidence.ValueOverlap)
	require.True(t, c.Evidence.TypeCompatible)
	require.Greater(t, c.Evidence.NameSimilarity, 0.0)
	require.GreaterOrEqual(t, c.Score, drift.DefaultAutoApply, "values agreeing on every record make a strong rename")
	require.Len(t, c.Candidates, 1)
	require.Equal(t, "CompanyName", c.Candidates[0].Field)
	require.Equal(t, drift.TypeSame, c.TypeChange)
}

func TestDiffRenameBySampleOverlap(t *testing.T) {
	t.Parallel()
	old := snap(f("Id", canonical.TypeString, "a1", "a2"), f("AccountName", canonical.TypeString, "Acme", "Globex", "Initech", "Umbrella", "Hooli"))
	new := snap(f("Id", canonical.TypeString, "a1", "a2"), f("CompanyName", canonical.TypeString, "Globex", "acme ", "Initech", "Umbrella", "Hooli", "Stark"))

	d := drift.Diff(old, new)
	require.Equal(t, []string{"renamed:AccountName->CompanyName"}, kinds(d))
	ev := d.Changes[0].Evidence
	require.Equal(t, 0, ev.RecordsCompared)
	require.Equal(t, 5, ev.SharedValues, "text compares trimmed and case-insensitively")
	require.Equal(t, 1.0, ev.ValueOverlap, "containment of the smaller set")
	require.GreaterOrEqual(t, d.Changes[0].Score, drift.RenameScore)
}

func TestDiffRenameAcrossNumberForms(t *testing.T) {
	t.Parallel()
	// A JSON source gives numbers, a CSV re-export gives text.
	old := snap(f("Amount", canonical.TypeNumber, 12.5, int64(100), 7.25, 99.0))
	new := snap(f("Total", canonical.TypeString, "12.50", "100", "7.25", "99"))
	d := drift.Diff(old, new)
	require.Equal(t, []string{"renamed:Amount->Total"}, kinds(d))
	require.Equal(t, drift.TypeIncompatible, d.Changes[0].TypeChange)
	require.False(t, d.Changes[0].Evidence.TypeCompatible)
}

func TestDiffCaseOnlyRename(t *testing.T) {
	t.Parallel()
	old := snap(f("Name", canonical.TypeString, "Acme", "Globex", "Initech", "Hooli"))
	new := snap(f("name", canonical.TypeString, "Acme", "Globex", "Initech", "Hooli"))
	d := drift.Diff(old, new)
	require.Equal(t, []string{"renamed:Name->name"}, kinds(d))
	require.Equal(t, 1.0, d.Changes[0].Evidence.NameSimilarity)
}

func TestDiffAmbiguousCandidates(t *testing.T) {
	t.Parallel()
	vals := []any{"Acme", "Globex", "Initech", "Umbrella", "Hooli"}
	old := snap(f("Id", canonical.TypeString), f("Name", canonical.TypeString, vals...))
	new := snap(f("Id", canonical.TypeString), f("LegalName", canonical.TypeString, vals...), f("DisplayName", canonical.TypeString, vals...))

	d := drift.Diff(old, new)
	require.Equal(t, []string{"removed:Name", "added:LegalName", "added:DisplayName"}, kinds(d), "two equal candidates: no unique rename")
	c := d.Changes[0]
	require.Len(t, c.Candidates, 2)
	require.GreaterOrEqual(t, c.Candidates[0].Score, c.Candidates[1].Score, "ranked")
	for _, cand := range c.Candidates {
		require.GreaterOrEqual(t, cand.Score, drift.RenameScore, "each alone would be strong")
	}
	require.Nil(t, c.Evidence)
}

func TestDiffRenameOneToOne(t *testing.T) {
	t.Parallel()
	// Two renames at once: each removed field finds its own new name.
	old := snap(
		f("AccountName", canonical.TypeString, "Acme", "Globex", "Initech", "Hooli"),
		f("Town", canonical.TypeString, "Paris", "Berlin", "Oslo", "Rome"),
	)
	new := snap(
		f("City", canonical.TypeString, "Paris", "Berlin", "Oslo", "Rome"),
		f("CompanyName", canonical.TypeString, "Acme", "Globex", "Initech", "Hooli"),
	)
	d := drift.Diff(old, new)
	require.Equal(t, []string{"renamed:AccountName->CompanyName", "renamed:Town->City"}, kinds(d))
}

func TestDiffNoFalseRename(t *testing.T) {
	t.Parallel()
	ids := []string{"a1", "a2", "a3", "a4", "a5", "a6"}
	status := func(field string, vals ...any) map[string]map[string]any { return records(field, ids, vals) }
	tests := []struct {
		name     string
		old, new drift.Snapshot
	}{
		{
			name: "different values, similar names",
			old:  snap(f("Phone", canonical.TypeString, "555-0100", "555-0101", "555-0102", "555-0103")),
			new:  snap(f("Phone2", canonical.TypeString, "555-0199", "555-0198", "555-0197", "555-0196")),
		},
		{
			name: "boolean columns share their two values",
			old:  snap(f("IsActive", canonical.TypeBoolean, true, false)),
			new:  snap(f("IsDeleted", canonical.TypeBoolean, false, true)),
		},
		{
			name: "same value domain but records disagree",
			old: drift.Snapshot{
				Schema:  schema(f("Id", canonical.TypeString), f("Status", canonical.TypeString, "open", "won", "lost", "stalled", "new")),
				Records: status("Status", "open", "won", "lost", "stalled", "new", "open"),
			},
			new: drift.Snapshot{
				Schema:  schema(f("Id", canonical.TypeString), f("Stage", canonical.TypeString, "open", "won", "lost", "stalled", "new")),
				Records: status("Stage", "won", "lost", "stalled", "new", "open", "won"),
			},
		},
		{
			name: "no values, only similar names",
			old:  snap(f("account_name", canonical.TypeString)),
			new:  snap(f("AccountName", canonical.TypeString)),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := drift.Diff(tt.old, tt.new)
			require.Empty(t, d.Renames(), "%v", kinds(d))
			var removed, added int
			for _, c := range d.Changes {
				switch c.Kind {
				case drift.KindRemoved:
					removed++
					for _, cand := range c.Candidates {
						require.Less(t, cand.Score, drift.RenameScore)
					}
				case drift.KindAdded:
					added++
				}
			}
			require.Equal(t, 1, removed)
			require.Equal(t, 1, added)
		})
	}
}

func TestDiffNameOnlyCandidate(t *testing.T) {
	t.Parallel()
	d := drift.Diff(snap(f("account_name", canonical.TypeString)), snap(f("AccountName", canonical.TypeString)))
	c := change(t, d, "account_name")
	require.Equal(t, drift.KindRemoved, c.Kind)
	require.Len(t, c.Candidates, 1, "a listed candidate, from the name alone")
	require.Equal(t, 1.0, c.Candidates[0].Evidence.NameSimilarity)
	require.Equal(t, 0.5, c.Candidates[0].Score, "names alone give at most half")
}

func TestDiffRecordsWithoutSchemaSamplesFillSamples(t *testing.T) {
	t.Parallel()
	old := drift.Snapshot{Schema: schema(f("Id", canonical.TypeString), f("Revenue", canonical.TypeInteger))}
	new := drift.Snapshot{
		Schema:  schema(f("Id", canonical.TypeString), f("Revenue", canonical.TypeString)),
		Records: records("Revenue", []string{"b", "a", "c"}, []any{"n/a", "12", ""}),
	}
	d := drift.Diff(old, new)
	c := change(t, d, "Revenue")
	require.Equal(t, drift.KindRetyped, c.Kind)
	require.Equal(t, []any{"12", "n/a"}, c.Samples, "record values by record id, empty ones left out")
}

func TestDiffJSON(t *testing.T) {
	t.Parallel()
	ids := []string{"a1", "a2", "a3"}
	names := []any{"Acme", "Globex", "Initech"}
	old := drift.Snapshot{Schema: schema(f("AccountName", canonical.TypeString)), Records: records("AccountName", ids, names)}
	new := drift.Snapshot{Schema: schema(f("CompanyName", canonical.TypeString)), Records: records("CompanyName", ids, names)}
	d := drift.Diff(old, new)
	b, err := json.Marshal(d.Changes)
	require.NoError(t, err)
	var got []map[string]any
	require.NoError(t, json.Unmarshal(b, &got))
	require.Len(t, got, 1)
	require.Equal(t, "renamed", got[0]["kind"])
	require.Equal(t, "AccountName", got[0]["field"])
	require.Equal(t, "CompanyName", got[0]["new_field"])
	require.Equal(t, false, got[0]["breaking"])
	ev, ok := got[0]["evidence"].(map[string]any)
	require.True(t, ok)
	require.Equal(t, 1.0, ev["record_agreement"])
	require.Equal(t, 3.0, ev["records_compared"])
	for _, k := range []string{"name_similarity", "value_overlap", "shared_values", "type_compatible"} {
		require.Contains(t, ev, k)
	}

	var back []drift.Change
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, d.Changes[0].NewField, back[0].NewField)
	require.Equal(t, *d.Changes[0].Evidence, *back[0].Evidence)
}

func TestNameSimilarity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b     string
		min, max float64
	}{
		{"AccountName", "account_name", 1, 1},
		{"HTTPServer", "http-server", 1, 1},
		{"Name", "name", 1, 1},
		{"AccountName", "CompanyName", 0.3, 0.7},
		{"BillingCity", "Town", 0, 0.3},
		{"", "", 0, 0},
		{"Address2", "address 2", 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+"~"+tt.b, func(t *testing.T) {
			t.Parallel()
			got := drift.NameSimilarity(tt.a, tt.b)
			require.GreaterOrEqual(t, got, tt.min)
			require.LessOrEqual(t, got, tt.max)
			require.Equal(t, got, drift.NameSimilarity(tt.b, tt.a), "symmetric")
		})
	}
}
