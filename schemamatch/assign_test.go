package schemamatch_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

func mappingOf(res *schemamatch.MatchResult, src string) (schemamatch.FieldMatch, bool) {
	for _, f := range res.Mappings {
		if f.SourceField == src {
			return f, true
		}
	}
	return schemamatch.FieldMatch{}, false
}

// TestObjectNeverMapsToScalar: a MongoDB ExtJSON _id is an object; it can
// never be the account's id, whatever its name says.
func TestObjectNeverMapsToScalar(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := canonical.SourceSchema{System: "mongodb", Object: "customers", Fields: []canonical.SourceField{
		{Name: "_id", Type: canonical.TypeObject, Samples: []any{map[string]any{"$oid": "65a1f0c2e4b0a1b2c3d4e5f6"}, map[string]any{"$oid": "65a1f0c2e4b0a1b2c3d4e5f7"}}},
		{Name: "name", Type: canonical.TypeString, Samples: []any{"Acme Corp", "Globex"}},
		{Name: "website", Type: canonical.TypeString, Samples: []any{"https://acme.example", "globex.example"}},
		{Name: "billing_country", Type: canonical.TypeString, Samples: []any{"US", "DE"}},
		{Name: "address", Type: canonical.TypeObject, Samples: []any{map[string]any{"city": "Springfield"}}},
	}}
	res, err := m.Match(context.Background(), s, &schemamatch.MatchOptions{Entity: "account"})
	require.NoError(t, err)
	_, has := mappingOf(res, "_id")
	require.False(t, has, "an object is no candidate for a scalar field")
	_, has = mappingOf(res, "address")
	require.False(t, has)
	require.Contains(t, res.Unmapped, "_id")
	f, ok := mappingOf(res, "name")
	require.True(t, ok)
	require.Equal(t, "account_name", f.CanonicalField)
}

// TestTwoCandidatesForOneTarget: amount_due and amount_remaining both name
// the unpaid amount; the better keeps the target instead of both dropping.
func TestTwoCandidatesForOneTarget(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := canonical.SourceSchema{System: "billing", Object: "invoices", Fields: []canonical.SourceField{
		{Name: "id", Type: canonical.TypeString, Samples: []any{"in_1", "in_2"}},
		{Name: "total", Type: canonical.TypeInteger, Samples: []any{1000, 2500}},
		{Name: "amount_due", Type: canonical.TypeInteger, Samples: []any{1000, 0}},
		{Name: "amount_remaining", Type: canonical.TypeInteger, Samples: []any{1000, 0}},
		{Name: "due_date", Type: canonical.TypeInteger, Samples: []any{1706745600, 1709251200}},
		{Name: "status", Type: canonical.TypeString, Samples: []any{"open", "paid"}},
	}}
	res, err := m.Match(context.Background(), s, nil)
	require.NoError(t, err)
	require.Equal(t, "invoice", res.Entity)
	f, ok := mappingOf(res, "amount_due")
	require.True(t, ok)
	require.Equal(t, "amount_due", f.CanonicalField)
	require.Equal(t, schemamatch.DecisionAuto, f.Decision, "the better candidate keeps the target")
	require.NotNil(t, f.Evidence.RunnerUp)
	require.Equal(t, "amount_remaining", f.Evidence.RunnerUp.SourceField)
	other, _ := mappingOf(res, "amount_remaining")
	require.NotEqual(t, "amount_due", other.CanonicalField, "one to one")
}

// TestValuesAloneProposeFields: columns named col_01... are judged on
// their values; an e-mail column on a person-like object is its e-mail.
func TestValuesAloneProposeFields(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := canonical.SourceSchema{System: "legacy", Object: "tbl_0042", Fields: []canonical.SourceField{
		{Name: "col_01", Type: canonical.TypeString, Samples: []any{"P17", "P18", "P19", "P20"}},
		{Name: "col_02", Type: canonical.TypeString, Samples: []any{"maria.garcia@contoso.com", "j.chen@fabrikam.com", "ola@nordic.no"}},
		{Name: "col_03", Type: canonical.TypeString, Samples: []any{"+34 612 345 678", "+86 138 0013 8000", "+47 22 33 44 55"}},
		{Name: "col_04", Type: canonical.TypeString, Samples: []any{"ES", "CN", "NO"}},
		{Name: "col_05", Type: canonical.TypeString, Samples: []any{"Ana", "Jun", "Ola"}},
	}}
	res, err := m.Match(context.Background(), s, nil)
	require.NoError(t, err)
	require.Equal(t, "contact", res.Entity)
	f, ok := mappingOf(res, "col_02")
	require.True(t, ok)
	require.Equal(t, "email", f.CanonicalField)
	require.True(t, f.Decision.Mapped())
	require.True(t, f.Evidence.Name.Placeholder)
	require.Positive(t, f.Evidence.ValueEvidence)
	f, ok = mappingOf(res, "col_04")
	require.True(t, ok)
	require.Equal(t, "mailing_country", f.CanonicalField)
}

// TestConfidentFieldNotCrushedByEntity: an Odoo lead's "probability" is a
// probability whatever the entity's confidence.
func TestConfidentFieldNotCrushedByEntity(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := canonical.SourceSchema{System: "odoo", Object: "crm.lead", Fields: []canonical.SourceField{
		{Name: "name", Type: canonical.TypeString, Samples: []any{"Quote for 12 Tables", "Office Design"}},
		{Name: "probability", Type: canonical.TypeNumber, Samples: []any{10.0, 30.0, 90.0}},
		{Name: "expected_revenue", Type: canonical.TypeNumber, Samples: []any{40000.0, 24000.0}},
		{Name: "stage_id", Type: canonical.TypeString, Samples: []any{"New", "Qualified"}},
		{Name: "email_from", Type: canonical.TypeString, Samples: []any{"a@example.com", "b@example.com"}},
		{Name: "phone", Type: canonical.TypeString, Samples: []any{"+1 555 0100", "+1 555 0101"}},
		{Name: "contact_name", Type: canonical.TypeString, Samples: []any{"Ana Lopez", "Jun Chen"}},
	}}
	res, err := m.Match(context.Background(), s, nil)
	require.NoError(t, err)
	require.Equal(t, "opportunity", res.Entity)
	f, ok := mappingOf(res, "probability")
	require.True(t, ok)
	require.Equal(t, "probability", f.CanonicalField)
	require.Less(t, res.EntityConfidence, 0.99, "a lead with contact details leaves the entity in some doubt")
	require.Equal(t, schemamatch.DecisionAuto, f.Decision, "confidence %v under entity confidence %v", f.Confidence, res.EntityConfidence)
}
