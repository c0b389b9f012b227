package drift_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
)

// f builds a source field.
func f(name string, t canonical.FieldType, samples ...any) canonical.SourceField {
	return canonical.SourceField{Name: name, Type: t, Samples: samples}
}

// schema builds a source schema of the fields.
func schema(fields ...canonical.SourceField) canonical.SourceSchema {
	return canonical.SourceSchema{System: "csv", Object: "accounts", Fields: fields}
}

// snap builds a snapshot without records.
func snap(fields ...canonical.SourceField) drift.Snapshot {
	return drift.Snapshot{Schema: schema(fields...)}
}

// registry returns the built-in canonical registry.
func registry(t *testing.T) *canonical.Registry {
	t.Helper()
	reg, err := canonical.NewRegistry()
	require.NoError(t, err)
	return reg
}

// accountMapping maps a CSV of accounts to the account entity.
func accountMapping() *canonical.Mapping {
	return &canonical.Mapping{
		Entity: "account", System: "csv", Object: "accounts", Version: 3,
		Fields: []canonical.FieldMapping{
			{Source: "Id", Target: "account_id", Confidence: 1},
			{Source: "AccountName", Target: "account_name", Confidence: 1},
			{Source: "Industry", Target: "industry", Confidence: 1},
			{Source: "Revenue", Target: "annual_revenue", Confidence: 1},
			{Source: "Employees", Target: "employee_count", Confidence: 1},
			{Source: "Owner.id", Target: "owner_id", Confidence: 1},
		},
	}
}

// kinds lists the kind and field of each change, "kind:field[->new]".
func kinds(d drift.SchemaDiff) []string {
	out := make([]string, 0, len(d.Changes))
	for _, c := range d.Changes {
		s := string(c.Kind) + ":" + c.Field
		if c.NewField != "" {
			s += "->" + c.NewField
		}
		out = append(out, s)
	}
	return out
}

// change returns the change of the field named name.
func change(t *testing.T, d drift.SchemaDiff, name string) drift.Change {
	t.Helper()
	for _, c := range d.Changes {
		if c.Field == name {
			return c
		}
	}
	require.FailNowf(t, "no change", "no change of field %q in %v", name, kinds(d))
	return drift.Change{}
}
