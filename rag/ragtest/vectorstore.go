package ragtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/rag"
)

// scoreTolerance absorbs float32 rounding in the stores' cosine arithmetic.
const scoreTolerance = 1e-4

// RunVectorStore runs the rag.VectorStore conformance suite, each check as a
// parallel subtest. newStore must return a fresh, empty store of dimension
// dim for every call, isolated from the stores of other calls, and release
// it with t.Cleanup; dim must be at least 2 (the suite builds vectors at
// known angles in a plane).
func RunVectorStore(t *testing.T, newStore func(t *testing.T) rag.VectorStore, dim int) {
	t.Helper()
	require.NotNil(t, newStore, "ragtest: newStore is nil")
	require.GreaterOrEqual(t, dim, 2, "ragtest: dim must be at least 2")
	s := &storeSuite{newStore: newStore, dim: dim}
	cases := []struct {
		name string
		fn   func(t *testing.T)
	}{
		{"SearchOrdersByCosine", s.searchOrdersByCosine},
		{"ScaleInvariant", s.scaleInvariant},
		{"KLimit", s.kLimit},
		{"ReplaceSameID", s.replaceSameID},
		{"DuplicateIDInOneBatch", s.duplicateIDInOneBatch},
		{"Delete", s.delete},
		{"CollectionSeparation", s.collectionSeparation},
		{"TenantIsolation", s.tenantIsolation},
		{"WrongDimension", s.wrongDimension},
		{"EmptyTenant", s.emptyTenant},
		{"EmptyCollectionOrID", s.emptyCollectionOrID},
		{"MetadataRoundTrip", s.metadataRoundTrip},
		{"EmptyInputs", s.emptyInputs},
		{"ConcurrentUpserts", s.concurrentUpserts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.fn(t)
		})
	}
}

type storeSuite struct {
	newStore func(t *testing.T) rag.VectorStore
	dim      int
}

func (s *storeSuite) setup(t *testing.T) (context.Context, rag.VectorStore) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	st := s.newStore(t)
	require.NotNil(t, st, "ragtest: newStore returned nil")
	return ctx, st
}

// at returns a vector of length dim at angle deg (degrees) from the first
// axis, in the plane of the first two axes, with the given length.
func (s *storeSuite) at(deg, length float64) []float32 {
	v := make([]float32, s.dim)
	r := deg * math.Pi / 180
	v[0] = float32(length * math.Cos(r))
	v[1] = float32(length * math.Sin(r))
	return v
}

func cosDeg(deg float64) float64 { return math.Cos(deg * math.Pi / 180) }

func (s *storeSuite) doc(collection, id string, deg float64) rag.Document {
	return rag.Document{
		ID:         id,
		Collection: collection,
		Text:       fmt.Sprintf("%s at %g degrees", id, deg),
		Vector:     s.at(deg, 1),
	}
}

func hitIDs(hits []rag.Hit) []string {
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	return ids
}

func (s *storeSuite) searchOrdersByCosine(t *testing.T) {
	ctx, st := s.setup(t)
	angles := map[string]float64{"d10": 10, "d30": 30, "d60": 60, "d90": 90, "d135": 135, "d180": 180}
	// Inserted out of order so an adapter returning insertion order fails.
	order := []string{"d90", "d10", "d180", "d60", "d135", "d30"}
	var docs []rag.Document
	for _, id := range order {
		docs = append(docs, s.doc("c", id, angles[id]))
	}
	require.NoError(t, st.Upsert(ctx, "tenant-a", docs))

	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"d10", "d30", "d60", "d90", "d135", "d180"}, hitIDs(hits))
	for _, h := range hits {
		require.InDelta(t, cosDeg(angles[h.ID]), h.Score, scoreTolerance, "score of %s", h.ID)
		require.Equal(t, "c", h.Collection)
		require.Equal(t, fmt.Sprintf("%s at %g degrees", h.ID, angles[h.ID]), h.Text)
	}

	// A query at 100 degrees reorders by distance to it.
	hits, err = st.Search(ctx, "tenant-a", "c", s.at(100, 1), 3)
	require.NoError(t, err)
	require.Equal(t, []string{"d90", "d135", "d60"}, hitIDs(hits))
	require.InDelta(t, cosDeg(10), hits[0].Score, scoreTolerance)
	require.InDelta(t, cosDeg(35), hits[1].Score, scoreTolerance)
	require.InDelta(t, cosDeg(40), hits[2].Score, scoreTolerance)
}

func (s *storeSuite) scaleInvariant(t *testing.T) {
	ctx, st := s.setup(t)
	long := rag.Document{ID: "long", Collection: "c", Text: "long", Vector: s.at(20, 50)}
	short := rag.Document{ID: "short", Collection: "c", Text: "short", Vector: s.at(40, 0.01)}
	require.NoError(t, st.Upsert(ctx, "tenant-a", []rag.Document{long, short}))
	hits, err := st.Search(ctx, "tenant-a", "c", s.at(45, 7), 2)
	require.NoError(t, err)
	require.Equal(t, []string{"short", "long"}, hitIDs(hits), "cosine ignores vector length")
	require.InDelta(t, cosDeg(5), hits[0].Score, scoreTolerance)
	require.InDelta(t, cosDeg(25), hits[1].Score, scoreTolerance)
}

func (s *storeSuite) kLimit(t *testing.T) {
	ctx, st := s.setup(t)
	var docs []rag.Document
	for i := 0; i < 12; i++ {
		docs = append(docs, s.doc("c", fmt.Sprintf("d%02d", i), float64(i*15)))
	}
	require.NoError(t, st.Upsert(ctx, "tenant-a", docs))
	for _, k := range []int{1, 2, 5} {
		hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), k)
		require.NoError(t, err)
		want := make([]string, k)
		for i := range want {
			want[i] = fmt.Sprintf("d%02d", i)
		}
		require.Equal(t, want, hitIDs(hits), "k=%d", k)
	}
	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 100)
	require.NoError(t, err)
	require.Len(t, hits, 12, "k larger than the collection returns every document")
	for _, k := range []int{0, -1} {
		_, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), k)
		require.ErrorIs(t, err, rag.ErrInvalid, "k=%d", k)
	}
}

func (s *storeSuite) replaceSameID(t *testing.T) {
	ctx, st := s.setup(t)
	require.NoError(t, st.Upsert(ctx, "tenant-a", []rag.Document{
		{ID: "a", Collection: "c", Text: "old", Metadata: json.RawMessage(`{"v":1}`), Vector: s.at(90, 1)},
		s.doc("c", "b", 45),
	}))
	require.NoError(t, st.Upsert(ctx, "tenant-a", []rag.Document{
		{ID: "a", Collection: "c", Text: "new", Metadata: json.RawMessage(`{"v":2}`), Vector: s.at(0, 1)},
	}))
	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, hitIDs(hits), "the replaced document is stored once, with its new vector")
	require.Equal(t, "new", hits[0].Text)
	require.JSONEq(t, `{"v":2}`, string(hits[0].Metadata))
	require.InDelta(t, 1, hits[0].Score, scoreTolerance)
}

func (s *storeSuite) duplicateIDInOneBatch(t *testing.T) {
	ctx, st := s.setup(t)
	require.NoError(t, st.Upsert(ctx, "tenant-a", []rag.Document{
		{ID: "a", Collection: "c", Text: "first", Vector: s.at(90, 1)},
		{ID: "a", Collection: "c", Text: "second", Vector: s.at(0, 1)},
	}))
	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Len(t, hits, 1)
	require.Equal(t, "second", hits[0].Text, "the last document of a batch wins")
}

func (s *storeSuite) delete(t *testing.T) {
	ctx, st := s.setup(t)
	require.NoError(t, st.Upsert(ctx, "tenant-a", []rag.Document{
		s.doc("c", "a", 0), s.doc("c", "b", 10), s.doc("c", "c", 20), s.doc("other", "a", 0),
	}))
	require.NoError(t, st.Delete(ctx, "tenant-a", "c", []string{"a", "c", "missing"}))
	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"b"}, hitIDs(hits))
	hits, err = st.Search(ctx, "tenant-a", "other", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, hitIDs(hits), "delete is scoped to its collection")

	require.NoError(t, st.Delete(ctx, "tenant-a", "c", nil), "deleting nothing is fine")
	require.NoError(t, st.Delete(ctx, "tenant-a", "c", []string{"b"}))
	require.NoError(t, st.Delete(ctx, "tenant-a", "c", []string{"b"}), "deleting twice is fine")
	hits, err = st.Search(ctx, "tenant-a", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Empty(t, hits)
}

func (s *storeSuite) collectionSeparation(t *testing.T) {
	ctx, st := s.setup(t)
	require.NoError(t, st.Upsert(ctx, "tenant-a", []rag.Document{
		{ID: "same", Collection: "one", Text: "in one", Vector: s.at(0, 1)},
		{ID: "same", Collection: "two", Text: "in two", Vector: s.at(30, 1)},
		s.doc("two", "only-two", 5),
	}))
	hits, err := st.Search(ctx, "tenant-a", "one", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Len(t, hits, 1)
	require.Equal(t, "in one", hits[0].Text)
	require.Equal(t, "one", hits[0].Collection)

	hits, err = st.Search(ctx, "tenant-a", "two", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"only-two", "same"}, hitIDs(hits))
	require.Equal(t, "in two", hits[1].Text)

	hits, err = st.Search(ctx, "tenant-a", "three", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Empty(t, hits, "an unknown collection has no documents")
}

func (s *storeSuite) tenantIsolation(t *testing.T) {
	ctx, st := s.setup(t)
	require.NoError(t, st.Upsert(ctx, "tenant-a", []rag.Document{
		{ID: "x", Collection: "c", Text: "secret of a", Metadata: json.RawMessage(`{"owner":"a"}`), Vector: s.at(0, 1)},
		s.doc("c", "y", 10),
	}))
	hits, err := st.Search(ctx, "tenant-b", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Empty(t, hits, "tenant b never sees tenant a's documents")

	// B writing the same (collection, id) makes its own document.
	require.NoError(t, st.Upsert(ctx, "tenant-b", []rag.Document{
		{ID: "x", Collection: "c", Text: "of b", Metadata: json.RawMessage(`{"owner":"b"}`), Vector: s.at(90, 1)},
	}))
	hits, err = st.Search(ctx, "tenant-b", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Len(t, hits, 1)
	require.Equal(t, "of b", hits[0].Text)

	// B deleting its ids leaves A's alone.
	require.NoError(t, st.Delete(ctx, "tenant-b", "c", []string{"x", "y"}))
	hits, err = st.Search(ctx, "tenant-a", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"x", "y"}, hitIDs(hits))
	require.Equal(t, "secret of a", hits[0].Text)
	require.JSONEq(t, `{"owner":"a"}`, string(hits[0].Metadata))

	// Tenant names are compared exactly.
	for _, other := range []string{"Tenant-A", "tenant-a ", "tenant", "tenant-a' OR '1'='1"} {
		hits, err = st.Search(ctx, other, "c", s.at(0, 1), 10)
		require.NoError(t, err)
		require.Empty(t, hits, "tenant %q", other)
	}

	// Tenant ids are opaque strings: quotes and wildcards are data.
	odd := `o'brien"; --%_`
	require.NoError(t, st.Upsert(ctx, odd, []rag.Document{s.doc("c", "z", 0)}))
	hits, err = st.Search(ctx, odd, "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"z"}, hitIDs(hits))
	hits, err = st.Search(ctx, "o", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Empty(t, hits)
}

func (s *storeSuite) wrongDimension(t *testing.T) {
	ctx, st := s.setup(t)
	short := make([]float32, s.dim-1)
	short[0] = 1
	long := make([]float32, s.dim+1)
	long[0] = 1
	for name, vec := range map[string][]float32{"short": short, "long": long, "nil": nil} {
		err := st.Upsert(ctx, "tenant-a", []rag.Document{{ID: "a", Collection: "c", Text: "t", Vector: vec}})
		require.ErrorIs(t, err, rag.ErrInvalid, "upsert %s vector", name)
		_, err = st.Search(ctx, "tenant-a", "c", vec, 3)
		require.ErrorIs(t, err, rag.ErrInvalid, "search %s vector", name)
	}
	// One bad document fails the whole batch before anything is written.
	err := st.Upsert(ctx, "tenant-a", []rag.Document{
		s.doc("c", "good", 0),
		{ID: "bad", Collection: "c", Text: "t", Vector: short},
	})
	require.ErrorIs(t, err, rag.ErrInvalid)
	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Empty(t, hits, "a rejected batch stores nothing")
}

func (s *storeSuite) emptyTenant(t *testing.T) {
	ctx, st := s.setup(t)
	require.ErrorIs(t, st.Upsert(ctx, "", []rag.Document{s.doc("c", "a", 0)}), rag.ErrInvalid)
	_, err := st.Search(ctx, "", "c", s.at(0, 1), 3)
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorIs(t, st.Delete(ctx, "", "c", []string{"a"}), rag.ErrInvalid)
}

func (s *storeSuite) emptyCollectionOrID(t *testing.T) {
	ctx, st := s.setup(t)
	require.ErrorIs(t, st.Upsert(ctx, "tenant-a", []rag.Document{s.doc("", "a", 0)}), rag.ErrInvalid, "empty collection")
	require.ErrorIs(t, st.Upsert(ctx, "tenant-a", []rag.Document{s.doc("c", "", 0)}), rag.ErrInvalid, "empty id")
	_, err := st.Search(ctx, "tenant-a", "", s.at(0, 1), 3)
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorIs(t, st.Delete(ctx, "tenant-a", "", []string{"a"}), rag.ErrInvalid)
}

func (s *storeSuite) metadataRoundTrip(t *testing.T) {
	ctx, st := s.setup(t)
	meta := `{"canonical_field":"account.name","confidence":0.93,"approved":true,` +
		`"aliases":["company","organisation"],"nested":{"n":null,"unicode":"Zürich ✓"}}`
	require.NoError(t, st.Upsert(ctx, "tenant-a", []rag.Document{
		{ID: "with", Collection: "c", Text: "Company Name: the legal name", Metadata: json.RawMessage(meta), Vector: s.at(0, 1)},
		{ID: "without", Collection: "c", Text: "no metadata", Vector: s.at(10, 1)},
	}))
	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 10)
	require.NoError(t, err)
	require.Equal(t, []string{"with", "without"}, hitIDs(hits))
	require.JSONEq(t, meta, string(hits[0].Metadata))
	require.Equal(t, "Company Name: the legal name", hits[0].Text)
	require.True(t, len(hits[1].Metadata) == 0 || string(hits[1].Metadata) == "null",
		"absent metadata comes back empty, got %q", hits[1].Metadata)

	err = st.Upsert(ctx, "tenant-a", []rag.Document{
		{ID: "bad", Collection: "c", Text: "t", Metadata: json.RawMessage(`{"unterminated":`), Vector: s.at(0, 1)},
	})
	require.ErrorIs(t, err, rag.ErrInvalid, "metadata that is not JSON")
}

func (s *storeSuite) emptyInputs(t *testing.T) {
	ctx, st := s.setup(t)
	require.NoError(t, st.Upsert(ctx, "tenant-a", nil), "upserting nothing is fine")
	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 5)
	require.NoError(t, err)
	require.Empty(t, hits, "a new store is empty")
}

func (s *storeSuite) concurrentUpserts(t *testing.T) {
	ctx, st := s.setup(t)
	const writers, perWriter = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*2)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var docs []rag.Document
			for i := 0; i < perWriter; i++ {
				docs = append(docs, s.doc("c", fmt.Sprintf("w%d-%d", w, i), float64(w*10+i)))
			}
			// Every writer also replaces one shared document.
			docs = append(docs, rag.Document{ID: "shared", Collection: "c", Text: fmt.Sprintf("by %d", w), Vector: s.at(179, 1)})
			if err := st.Upsert(ctx, "tenant-a", docs); err != nil {
				errs <- fmt.Errorf("writer %d: %w", w, err)
			}
			if _, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), 5); err != nil {
				errs <- fmt.Errorf("reader %d: %w", w, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	require.NoError(t, errors.Join(all...))

	hits, err := st.Search(ctx, "tenant-a", "c", s.at(0, 1), writers*perWriter+10)
	require.NoError(t, err)
	require.Len(t, hits, writers*perWriter+1, "every distinct id stored exactly once")
	seen := map[string]bool{}
	for _, h := range hits {
		require.False(t, seen[h.ID], "id %q returned twice", h.ID)
		seen[h.ID] = true
	}
	require.Equal(t, "shared", hits[len(hits)-1].ID)
	require.Regexp(t, `^by [0-7]$`, hits[len(hits)-1].Text)
}
