package schemamatch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/schemamatch"
)

func TestNewMatcherValidatesOptions(t *testing.T) {
	t.Parallel()
	reg, err := canonical.NewRegistry()
	require.NoError(t, err)
	_, err = schemamatch.NewMatcher(nil, nil)
	require.ErrorIs(t, err, schemamatch.ErrInvalid)
	for name, opts := range map[string]*schemamatch.MatcherOptions{
		"Thresholds":  {Thresholds: schemamatch.Thresholds{AutoApply: 0.5, Review: 0.7}},
		"MaxFields":   {MaxFields: -1},
		"MaxLLMCalls": {MaxLLMCalls: -2},
	} {
		_, err := schemamatch.NewMatcher(reg, opts)
		require.ErrorIs(t, err, schemamatch.ErrInvalid, name)
		require.Contains(t, err.Error(), name)
	}
}

func TestThresholds(t *testing.T) {
	t.Parallel()
	th := schemamatch.DefaultThresholds()
	require.NoError(t, th.Validate())
	require.Equal(t, schemamatch.DecisionAuto, th.Decide(0.85))
	require.Equal(t, schemamatch.DecisionReview, th.Decide(0.6))
	require.Equal(t, schemamatch.DecisionReject, th.Decide(0.59))
	require.ErrorIs(t, schemamatch.Thresholds{AutoApply: 1.2, Review: 0.5}.Validate(), schemamatch.ErrInvalid)
	require.ErrorIs(t, schemamatch.Thresholds{AutoApply: 0.9, Review: 0}.Validate(), schemamatch.ErrInvalid)
}

func TestMatchRejectsBadInput(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, &schemamatch.MatcherOptions{MaxFields: 3})
	ctx := context.Background()
	fields := func(n int) []canonical.SourceField {
		var fs []canonical.SourceField
		for i := range n {
			fs = append(fs, canonical.SourceField{Name: fmt.Sprintf("f%d", i), Type: canonical.TypeString})
		}
		return fs
	}
	_, err := m.Match(ctx, canonical.SourceSchema{Object: "x", Fields: fields(4)}, nil)
	require.ErrorIs(t, err, schemamatch.ErrInvalid, "more than MaxFields")
	require.Contains(t, err.Error(), "limit of 3")

	_, err = m.Match(ctx, canonical.SourceSchema{Object: "x"}, nil)
	require.ErrorIs(t, err, schemamatch.ErrInvalid, "no fields")
	require.ErrorIs(t, err, canonical.ErrInvalidSchema)

	dup := canonical.SourceSchema{Fields: []canonical.SourceField{{Name: "a"}, {Name: "a"}}}
	_, err = m.Match(ctx, dup, nil)
	require.ErrorIs(t, err, schemamatch.ErrInvalid, "duplicate names")

	_, err = m.Match(ctx, canonical.SourceSchema{Fields: fields(2)}, &schemamatch.MatchOptions{Entity: "spaceship"})
	require.ErrorIs(t, err, schemamatch.ErrInvalid)
	require.ErrorIs(t, err, canonical.ErrUnknownEntity)

	_, err = m.Match(ctx, canonical.SourceSchema{Fields: fields(2)}, &schemamatch.MatchOptions{Thresholds: &schemamatch.Thresholds{AutoApply: 0.1, Review: 0.9}})
	require.ErrorIs(t, err, schemamatch.ErrInvalid)

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = m.Match(cctx, canonical.SourceSchema{Fields: fields(2)}, nil)
	require.ErrorIs(t, err, context.Canceled)
}

func TestMatchDefaultLimitIs2000Fields(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := canonical.SourceSchema{Object: "wide"}
	for i := range schemamatch.DefaultMaxFields + 1 {
		s.Fields = append(s.Fields, canonical.SourceField{Name: fmt.Sprintf("col_%d", i)})
	}
	_, err := m.Match(context.Background(), s, nil)
	require.ErrorIs(t, err, schemamatch.ErrInvalid)
}

func TestMatchJSONShape(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	res, err := m.Match(context.Background(), loadSchema(t, "../testdata/matching/stripe_invoice.json"), nil)
	require.NoError(t, err)
	b, err := json.Marshal(res)
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(b, &doc))
	require.ElementsMatch(t, []string{"entity", "entity_confidence", "mappings", "unmapped"}, keys(doc))
	first := doc["mappings"].([]any)[0].(map[string]any)
	require.ElementsMatch(t, []string{"source_field", "canonical_field", "confidence", "decision", "evidence"}, keys(first))
	ev := first["evidence"].(map[string]any)
	for _, k := range []string{"name", "declared_type", "canonical_type", "type_compatible", "profile", "profile_fit", "coercion_rate", "embedding_similarity", "score"} {
		require.Contains(t, ev, k)
	}
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestMatchOneToOne checks, on every schema we have, that no canonical field
// is claimed twice, every source field appears at most once, and Unmapped
// is exactly the fields without an auto or review mapping.
func TestMatchOneToOne(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	for _, path := range schemaFiles(t) {
		s := loadSchema(t, path)
		res, err := m.Match(context.Background(), s, nil)
		require.NoError(t, err)
		assertConsistent(t, s, res)
	}
}

func assertConsistent(t *testing.T, s canonical.SourceSchema, res *schemamatch.MatchResult) {
	t.Helper()
	targets := map[string]bool{}
	sources := map[string]bool{}
	mapped := map[string]bool{}
	for _, f := range res.Mappings {
		require.False(t, targets[f.CanonicalField], "canonical field %q claimed twice", f.CanonicalField)
		require.False(t, sources[f.SourceField], "source field %q listed twice", f.SourceField)
		targets[f.CanonicalField], sources[f.SourceField] = true, true
		require.GreaterOrEqual(t, f.Confidence, 0.0)
		require.LessOrEqual(t, f.Confidence, 1.0)
		require.Equal(t, schemamatch.DefaultThresholds().Decide(f.Confidence), f.Decision)
		if f.Decision.Mapped() {
			mapped[f.SourceField] = true
		}
	}
	var want []string
	for _, f := range s.Fields {
		if !mapped[f.Name] {
			want = append(want, f.Name)
		}
	}
	if want == nil {
		want = []string{}
	}
	require.Equal(t, want, res.Unmapped)
	require.GreaterOrEqual(t, res.EntityConfidence, 0.0)
	require.LessOrEqual(t, res.EntityConfidence, 1.0)
}

func TestMatchForcedEntityAndTenantThresholds(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := loadSchema(t, "../testdata/matching/salesforce_contact.json")
	res, err := m.Match(context.Background(), s, &schemamatch.MatchOptions{Entity: "contact"})
	require.NoError(t, err)
	require.Equal(t, "contact", res.Entity)
	require.Equal(t, 1.0, res.EntityConfidence)

	// A stricter tenant sends everything to review.
	strict := &schemamatch.Thresholds{AutoApply: 1, Review: 0.6}
	res, err = m.Match(context.Background(), s, &schemamatch.MatchOptions{Thresholds: strict})
	require.NoError(t, err)
	for _, f := range res.Mappings {
		require.NotEqual(t, schemamatch.DecisionAuto, f.Decision, f.SourceField)
	}
}

// TestMatchIdVersusForeignKey: on a contact, "Id" is the contact's id and
// "AccountId" the account reference; on an account the same "Id" is the
// account's id.
func TestMatchIdVersusForeignKey(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := canonical.SourceSchema{System: "crm", Object: "Contact", Fields: []canonical.SourceField{
		{Name: "Id", Type: canonical.TypeString, Samples: []any{"003Kg00000aAbBcIAK"}},
		{Name: "AccountId", Type: canonical.TypeString, Samples: []any{"001Kg00000AbCdEIAV"}},
		{Name: "LastName", Type: canonical.TypeString, Samples: []any{"Lovelace"}},
		{Name: "Email", Type: canonical.TypeString, Samples: []any{"ada@acme.com"}},
	}}
	res, err := m.Match(context.Background(), s, nil)
	require.NoError(t, err)
	require.Equal(t, "contact", res.Entity)
	got := mappedFields(res)
	require.Equal(t, "contact_id", got["Id"])
	require.Equal(t, "account_id", got["AccountId"])

	s.Object = "Account"
	s.Fields = []canonical.SourceField{s.Fields[0], {Name: "Name", Type: canonical.TypeString, Samples: []any{"Acme"}}}
	res, err = m.Match(context.Background(), s, &schemamatch.MatchOptions{Entity: "account"})
	require.NoError(t, err)
	require.Equal(t, "account_id", mappedFields(res)["Id"])
}

func mappedFields(res *schemamatch.MatchResult) map[string]string {
	out := map[string]string{}
	for _, f := range res.Mappings {
		if f.Decision.Mapped() {
			out[f.SourceField] = f.CanonicalField
		}
	}
	return out
}

// TestMatchTypeIncompatibleNeverAutoApplies: a name match whose values
// cannot coerce stays out of auto-apply.
func TestMatchTypeIncompatibleNeverAutoApplies(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := canonical.SourceSchema{Object: "deals", Fields: []canonical.SourceField{
		{Name: "dealname", Type: canonical.TypeString, Samples: []any{"Acme"}},
		{Name: "amount", Type: canonical.TypeString, Samples: []any{"lots", "a few", "unknown"}},
		{Name: "closedate", Type: canonical.TypeBoolean, Samples: []any{true, false}},
	}}
	res, err := m.Match(context.Background(), s, &schemamatch.MatchOptions{Entity: "opportunity"})
	require.NoError(t, err)
	for _, f := range res.Mappings {
		if f.CanonicalField == "amount" || f.CanonicalField == "close_date" {
			require.NotEqual(t, schemamatch.DecisionAuto, f.Decision, f.SourceField)
			require.False(t, f.Evidence.TypeCompatible, f.SourceField)
		}
	}
}

func TestMatchUnrelatedSchemaIsUncertain(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	s := canonical.SourceSchema{System: "iot", Object: "sensor_readings", Fields: []canonical.SourceField{
		{Name: "sensor", Type: canonical.TypeString, Samples: []any{"t-100"}},
		{Name: "temperature_c", Type: canonical.TypeNumber, Samples: []any{21.5}},
		{Name: "humidity", Type: canonical.TypeNumber, Samples: []any{0.4}},
	}}
	res, err := m.Match(context.Background(), s, nil)
	require.NoError(t, err)
	require.Empty(t, res.Entity, "no canonical entity fits sensor readings")
	require.Empty(t, mappedFields(res))
	require.Len(t, res.Unmapped, 3)
}

func TestMatchedMapping(t *testing.T) {
	t.Parallel()
	reg, err := canonical.NewRegistry()
	require.NoError(t, err)
	m := newMatcher(t, nil)
	res, err := m.Match(context.Background(), loadSchema(t, "../testdata/matching/salesforce_opportunity.json"), nil)
	require.NoError(t, err)
	mp := res.Mapped()
	require.NoError(t, mp.Validate(reg), "the proposal is a valid canonical mapping")
}

func TestMatchConcurrent(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	paths := schemaFiles(t)
	errs := make(chan error, len(paths))
	for _, p := range paths {
		s := loadSchema(t, p)
		go func() {
			_, err := m.Match(context.Background(), s, nil)
			errs <- err
		}()
	}
	for range paths {
		require.NoError(t, <-errs)
	}
}

func TestMatchCustomEntity(t *testing.T) {
	t.Parallel()
	sub := canonical.Entity{Name: "subscription", Fields: []canonical.Field{
		{Name: "subscription_id", Type: canonical.String, Required: true},
		{Name: "plan_name", Type: canonical.String, Description: "name of the subscribed plan"},
		{Name: "monthly_recurring_revenue", Type: canonical.Decimal},
		{Name: "account_id", Type: canonical.Ref, Ref: "account"},
		{Name: "created_at", Type: canonical.Timestamp},
	}}
	reg, err := canonical.NewRegistry(sub)
	require.NoError(t, err)
	m, err := schemamatch.NewMatcher(reg, nil)
	require.NoError(t, err)
	s := canonical.SourceSchema{System: "billing", Object: "subscriptions", Fields: []canonical.SourceField{
		{Name: "id", Type: canonical.TypeString, Samples: []any{"sub_1OaBcDEfGhIjKl"}},
		{Name: "planName", Type: canonical.TypeString, Samples: []any{"Pro", "Enterprise"}},
		{Name: "monthly_recurring_revenue", Type: canonical.TypeNumber, Samples: []any{99.5}},
		{Name: "customer_id", Type: canonical.TypeString, Samples: []any{"cus_PqRsTuVwXyZaBc"}},
		{Name: "created", Type: canonical.TypeInteger, Samples: []any{int64(1706745600)}},
	}}
	res, err := m.Match(context.Background(), s, nil)
	require.NoError(t, err)
	require.Equal(t, "subscription", res.Entity)
	got := mappedFields(res)
	require.Equal(t, "subscription_id", got["id"])
	require.Equal(t, "plan_name", got["planName"])
	require.Equal(t, "monthly_recurring_revenue", got["monthly_recurring_revenue"])
	require.Equal(t, "account_id", got["customer_id"])
	require.Equal(t, "created_at", got["created"])
}

// brokenEmbedder always fails, like a remote embedding service that is down.
type brokenEmbedder struct{}

func (brokenEmbedder) Model() string  { return "broken" }
func (brokenEmbedder) Dimension() int { return 8 }
func (brokenEmbedder) Embed(context.Context, []string) ([][]float32, error) {
	return nil, fmt.Errorf("%w: service down", rag.ErrUnavailable)
}

func TestMatchWithoutEmbeddings(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, &schemamatch.MatcherOptions{Embedder: brokenEmbedder{}})
	res, err := m.Match(context.Background(), loadSchema(t, "../testdata/matching/salesforce_contact.json"), nil)
	require.NoError(t, err)
	require.Equal(t, "contact", res.Entity)
	got := mappedFields(res)
	require.Equal(t, "email", got["Email"])
	require.Equal(t, "account_id", got["AccountId"])
	require.Contains(t, res.Mappings[0].Evidence.EmbeddingError, "service down")
}
