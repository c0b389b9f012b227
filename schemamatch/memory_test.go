package schemamatch_test

import (
	"context"
	"math"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/schemamatch"
)

// memStore is a minimal in-memory VectorStore for tests.
type memStore struct {
	mu   sync.Mutex
	docs map[string]map[string]rag.Document // tenant -> collection/id -> doc
}

func newMemStore() *memStore { return &memStore{docs: map[string]map[string]rag.Document{}} }

func (s *memStore) Upsert(_ context.Context, tenant string, docs []rag.Document) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.docs[tenant] == nil {
		s.docs[tenant] = map[string]rag.Document{}
	}
	for _, d := range docs {
		s.docs[tenant][d.Collection+"/"+d.ID] = d
	}
	return nil
}

func (s *memStore) Search(_ context.Context, tenant, collection string, v []float32, k int) ([]rag.Hit, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var hits []rag.Hit
	for _, d := range s.docs[tenant] {
		if d.Collection == collection {
			hits = append(hits, rag.Hit{Document: d, Score: cos(v, d.Vector)})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}

func (s *memStore) Delete(context.Context, string, string, []string) error { return nil }

func cos(a, b []float32) float64 {
	var d, na, nb float64
	for i := range a {
		d += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return d / math.Sqrt(na*nb)
}

// oddSchema has a field no rule recognises.
var oddSchema = canonical.SourceSchema{System: "acme_crm", Object: "Deals", Fields: []canonical.SourceField{
	{Name: "DealName", Type: canonical.TypeString, Samples: []any{"Big deal"}},
	{Name: "Zorglub__c", Type: canonical.TypeNumber, Samples: []any{1200.5, 99.9}},
	{Name: "CloseDate", Type: canonical.TypeDate, Samples: []any{"2025-01-31"}},
}}

func confidenceOf(t *testing.T, m *schemamatch.Matcher, tenant string, s canonical.SourceSchema, src string) (schemamatch.FieldMatch, bool) {
	t.Helper()
	res, err := m.Match(context.Background(), s, &schemamatch.MatchOptions{Tenant: tenant, Entity: "opportunity"})
	require.NoError(t, err)
	for _, f := range res.Mappings {
		if f.SourceField == src {
			return f, true
		}
	}
	return schemamatch.FieldMatch{}, false
}

func testRemember(t *testing.T, store rag.VectorStore) {
	m := newMatcher(t, &schemamatch.MatcherOptions{Store: store})
	ctx := context.Background()
	before, ok := confidenceOf(t, m, "t1", oddSchema, "Zorglub__c")
	require.True(t, !ok || !before.Decision.Mapped() || before.CanonicalField != "amount", "unknown before approval")

	require.NoError(t, m.Remember(ctx, "t1", schemamatch.ApprovedMapping{
		System: "acme_crm", Object: "Deals", Field: oddSchema.Fields[1], Entity: "opportunity", CanonicalField: "amount",
	}))
	after, ok := confidenceOf(t, m, "t1", oddSchema, "Zorglub__c")
	require.True(t, ok)
	require.Equal(t, "amount", after.CanonicalField)
	require.Equal(t, schemamatch.DecisionAuto, after.Decision)
	require.NotNil(t, after.Evidence.Retrieval)
	require.Equal(t, "Zorglub__c", after.Evidence.Retrieval.SourceField)

	// A near variant of the approved name is raised too.
	variant := oddSchema
	variant.Fields = append([]canonical.SourceField(nil), oddSchema.Fields...)
	variant.Fields[1].Name = "zorglub"
	v, ok := confidenceOf(t, m, "t1", variant, "zorglub")
	require.True(t, ok)
	require.Equal(t, "amount", v.CanonicalField)
	require.True(t, v.Decision.Mapped())

	// Another tenant does not see the approval.
	other, ok := confidenceOf(t, m, "t2", oddSchema, "Zorglub__c")
	require.True(t, !ok || other.Evidence.Retrieval == nil)

	err := m.Remember(ctx, "t1", schemamatch.ApprovedMapping{Field: canonical.SourceField{Name: "x"}, Entity: "opportunity", CanonicalField: "nope"})
	require.ErrorIs(t, err, schemamatch.ErrInvalid)
	err = m.Remember(ctx, "", schemamatch.ApprovedMapping{Field: canonical.SourceField{Name: "x"}, Entity: "opportunity", CanonicalField: "amount"})
	require.ErrorIs(t, err, schemamatch.ErrInvalid)
}

func TestRememberInMemory(t *testing.T) {
	t.Parallel()
	testRemember(t, newMemStore())
}

func TestRememberWithoutStore(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	err := m.Remember(context.Background(), "t1", schemamatch.ApprovedMapping{Field: canonical.SourceField{Name: "x"}, Entity: "opportunity", CanonicalField: "amount"})
	require.ErrorIs(t, err, schemamatch.ErrUnavailable)
}

// failingStore fails every call.
type failingStore struct{ *memStore }

func (*failingStore) Search(context.Context, string, string, []float32, int) ([]rag.Hit, error) {
	return nil, rag.ErrUnavailable
}

func TestMatchSurvivesStoreFailure(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, &schemamatch.MatcherOptions{Store: &failingStore{newMemStore()}})
	f, ok := confidenceOf(t, m, "t1", oddSchema, "CloseDate")
	require.True(t, ok)
	require.Equal(t, "close_date", f.CanonicalField)
	require.Contains(t, f.Evidence.RetrievalError, "unavailable")
}

// TestRememberNeverOverridesTypes: even an approval cannot make values
// that do not coerce auto-apply.
func TestRememberNeverOverridesTypes(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, &schemamatch.MatcherOptions{Store: newMemStore()})
	field := canonical.SourceField{Name: "Amount", Type: canonical.TypeString, Samples: []any{"red", "green"}}
	require.NoError(t, m.Remember(context.Background(), "t1", schemamatch.ApprovedMapping{Field: field, Entity: "opportunity", CanonicalField: "amount"}))
	s := canonical.SourceSchema{Object: "Deals", Fields: []canonical.SourceField{field}}
	f, ok := confidenceOf(t, m, "t1", s, "Amount")
	require.True(t, ok)
	require.Equal(t, "amount", f.CanonicalField)
	require.NotNil(t, f.Evidence.Retrieval, "the approval was found")
	require.Equal(t, schemamatch.DecisionReject, f.Decision, "confidence %v", f.Confidence)

}
