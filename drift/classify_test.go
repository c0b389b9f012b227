package drift_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
)

// accountSnap is the accounts CSV the accountMapping reads.
func accountSnap() drift.Snapshot {
	return snap(
		f("Id", canonical.TypeString, "a1", "a2"),
		f("AccountName", canonical.TypeString, "Acme", "Globex", "Initech", "Hooli"),
		f("Industry", canonical.TypeString, "Retail", "Energy"),
		f("Revenue", canonical.TypeInteger, int64(1200), int64(5000)),
		f("Employees", canonical.TypeInteger, int64(10), int64(250)),
		f("Owner", canonical.TypeObject, map[string]any{"id": "u1"}),
		f("Notes", canonical.TypeString, "call back"),
	)
}

// without returns s without the named field, and with extra fields added.
func without(s drift.Snapshot, name string, extra ...canonical.SourceField) drift.Snapshot {
	var fs []canonical.SourceField
	for _, sf := range s.Schema.Fields {
		if sf.Name != name {
			fs = append(fs, sf)
		}
	}
	return snap(append(fs, extra...)...)
}

func TestClassify(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	base := accountSnap()
	tests := []struct {
		name     string
		new      drift.Snapshot
		field    string
		kind     drift.Kind
		breaking bool
		required bool
		targets  []string
		reason   string
	}{
		{
			name: "mapped required field removed", field: "AccountName", kind: drift.KindRemoved,
			new:      without(base, "AccountName"),
			breaking: true, required: true, targets: []string{"account_name"},
			reason: `mapped field "AccountName" was removed; it feeds account.account_name (required)`,
		},
		{
			name: "mapped optional field removed", field: "Industry", kind: drift.KindRemoved,
			new:      without(base, "Industry"),
			breaking: true, targets: []string{"industry"},
			reason: `mapped field "Industry" was removed; it feeds account.industry`,
		},
		{
			name: "mapped field renamed is breaking until repaired", field: "AccountName", kind: drift.KindRenamed,
			new:      without(base, "AccountName", f("CompanyName", canonical.TypeString, "Acme", "Globex", "Initech", "Hooli")),
			breaking: true, required: true, targets: []string{"account_name"},
			reason: `renamed to "CompanyName"`,
		},
		{
			name: "mapped parent of a dotted path removed", field: "Owner", kind: drift.KindRemoved,
			new:      without(base, "Owner"),
			breaking: true, targets: []string{"owner_id"},
			reason: `it feeds account.owner_id`,
		},
		{
			name: "unmapped field removed", field: "Notes", kind: drift.KindRemoved,
			new:    without(base, "Notes"),
			reason: `field "Notes" is not mapped`,
		},
		{
			name: "unmapped field added", field: "Region", kind: drift.KindAdded,
			new:    without(base, "", f("Region", canonical.TypeString, "EMEA")),
			reason: `field "Region" is not mapped`,
		},
		{
			name: "widening retype still coerces", field: "Revenue", kind: drift.KindRetyped,
			new:     without(base, "Revenue", f("Revenue", canonical.TypeNumber, 1200.5, int64(5000))),
			targets: []string{"annual_revenue"},
			reason:  "sample values still coerce",
		},
		{
			name: "retype to text that no longer coerces", field: "Revenue", kind: drift.KindRetyped,
			new:      without(base, "Revenue", f("Revenue", canonical.TypeString, "1200", "N/A")),
			breaking: true, targets: []string{"annual_revenue"},
			reason: `value "N/A" no longer coerces to decimal for annual_revenue`,
		},
		{
			name: "retype to text that still coerces", field: "Revenue", kind: drift.KindRetyped,
			new:     without(base, "Revenue", f("Revenue", canonical.TypeString, "$1,200.00", "5000")),
			targets: []string{"annual_revenue"},
			reason:  "still coerce",
		},
		{
			name: "widening retype whose values no longer fit an integer target", field: "Employees", kind: drift.KindRetyped,
			new:      without(base, "Employees", f("Employees", canonical.TypeNumber, 10.5)),
			breaking: true, targets: []string{"employee_count"},
			reason: "no longer coerces to integer",
		},
		{
			name: "incompatible retype without samples", field: "Employees", kind: drift.KindRetyped,
			new:      without(base, "Employees", f("Employees", canonical.TypeBoolean)),
			breaking: true, targets: []string{"employee_count"},
			reason: "incompatible",
		},
		{
			name: "mapped field became unknown (no values)", field: "Employees", kind: drift.KindRetyped,
			new:     without(base, "Employees", f("Employees", canonical.TypeUnknown)),
			targets: []string{"employee_count"},
			reason:  "no sample values to check",
		},
		{
			name: "unmapped field retyped", field: "Notes", kind: drift.KindRetyped,
			new:    without(base, "Notes", f("Notes", canonical.TypeInteger, int64(3))),
			reason: `field "Notes" is not mapped; its type changed from string to integer (incompatible)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := drift.Diff(base, tt.new)
			got, err := drift.Classify(d, accountMapping(), reg)
			require.NoError(t, err)
			c := change(t, got, tt.field)
			require.Equal(t, tt.kind, c.Kind)
			require.Equal(t, tt.breaking, c.Breaking, c.Reason)
			require.Equal(t, tt.required, c.Required)
			require.Equal(t, tt.targets, c.Targets)
			require.Contains(t, c.Reason, tt.reason)
			require.Equal(t, tt.breaking, got.Breaking())
			require.False(t, d.Breaking(), "Classify leaves its input alone")
		})
	}
}

func TestClassifyTransformApplies(t *testing.T) {
	t.Parallel()
	// Revenue in cents turned to text: cents_to_units still reads it, but
	// only as a decimal, so an integer target fails where a decimal passes.
	m := &canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{
		{Source: "Id", Target: "account_id", Confidence: 1},
		{Source: "Revenue", Target: "annual_revenue", Transform: canonical.TransformCentsToUnits, Confidence: 1},
		{Source: "Staff", Target: "employee_count", Transform: canonical.TransformCentsToUnits, Confidence: 1},
	}}
	old := snap(f("Id", canonical.TypeString), f("Revenue", canonical.TypeInteger, int64(120050)), f("Staff", canonical.TypeInteger, int64(1000)))
	new := snap(f("Id", canonical.TypeString), f("Revenue", canonical.TypeString, "120050"), f("Staff", canonical.TypeString, "1050"))
	got, err := drift.Classify(drift.Diff(old, new), m, registry(t))
	require.NoError(t, err)
	require.False(t, change(t, got, "Revenue").Breaking, change(t, got, "Revenue").Reason)
	staff := change(t, got, "Staff")
	require.True(t, staff.Breaking, "10.50 is no integer")
	require.Contains(t, staff.Reason, "employee_count")
}

func TestClassifyWithoutMapping(t *testing.T) {
	t.Parallel()
	d := drift.Diff(accountSnap(), without(accountSnap(), "AccountName"))
	got, err := drift.Classify(d, nil, nil)
	require.NoError(t, err)
	require.False(t, got.Breaking())
	require.Equal(t, "the object has no active mapping", got.Changes[0].Reason)
}

func TestClassifyErrors(t *testing.T) {
	t.Parallel()
	d := drift.Diff(accountSnap(), without(accountSnap(), "AccountName"))
	_, err := drift.Classify(d, accountMapping(), nil)
	require.ErrorIs(t, err, drift.ErrInvalid)
	require.ErrorContains(t, err, "drift: ")

	m := accountMapping()
	m.Entity = "spaceship"
	_, err = drift.Classify(d, m, registry(t))
	require.ErrorIs(t, err, drift.ErrInvalid)
	require.ErrorIs(t, err, canonical.ErrUnknownEntity)
	require.True(t, errors.Is(err, canonical.ErrUnknownEntity))
}

func TestClassifiedJSON(t *testing.T) {
	t.Parallel()
	d := drift.Diff(accountSnap(), without(accountSnap(), "AccountName", f("CompanyName", canonical.TypeString, "Acme", "Globex", "Initech", "Hooli")))
	got, err := drift.Classify(d, accountMapping(), registry(t))
	require.NoError(t, err)
	b, err := json.Marshal(got.Changes)
	require.NoError(t, err)
	var back []map[string]any
	require.NoError(t, json.Unmarshal(b, &back))
	require.Len(t, back, 1)
	require.Equal(t, "renamed", back[0]["kind"])
	require.Equal(t, "AccountName", back[0]["field"])
	require.Equal(t, "CompanyName", back[0]["new_field"])
	require.Equal(t, true, back[0]["breaking"])
	require.Equal(t, true, back[0]["required"])
	require.Equal(t, []any{"account_name"}, back[0]["targets"])
	require.NotEmpty(t, back[0]["reason"])
	require.Contains(t, back[0], "evidence")
}
