package ragtest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/rag"
)

// RunEmbedder runs the rag.Embedder conformance suite against e, each check
// as a subtest: a named model and a constant dimension, deterministic
// vectors, batch order preserved (also across any internal batching, with a
// batch of 250 texts), the empty batch, concurrent use, and a cancelled
// context (which must fail with context.Canceled unless the embedder does no
// I/O and answers anyway).
func RunEmbedder(t *testing.T, e rag.Embedder) {
	t.Helper()
	require.NotNil(t, e, "ragtest: embedder is nil")
	s := &embedSuite{e: e}
	t.Run("ModelAndDimension", s.modelAndDimension)
	t.Run("Deterministic", s.deterministic)
	t.Run("BatchOrder", s.batchOrder)
	t.Run("LargeBatch", s.largeBatch)
	t.Run("EmptyBatch", s.emptyBatch)
	t.Run("Concurrent", s.concurrent)
	t.Run("CancelledContext", s.cancelled)
}

type embedSuite struct{ e rag.Embedder }

func (s *embedSuite) ctx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// check fails unless vecs holds n usable vectors of the embedder's dimension.
func (s *embedSuite) check(t *testing.T, vecs [][]float32, n int) {
	t.Helper()
	require.Len(t, vecs, n)
	for i, v := range vecs {
		require.Len(t, v, s.e.Dimension(), "vector %d", i)
		var norm float64
		for _, x := range v {
			require.False(t, math.IsNaN(float64(x)) || math.IsInf(float64(x), 0), "vector %d is not finite", i)
			norm += float64(x) * float64(x)
		}
		require.Greater(t, norm, 0.0, "vector %d is all zeros", i)
	}
}

func (s *embedSuite) modelAndDimension(t *testing.T) {
	require.NotEmpty(t, s.e.Model())
	dim := s.e.Dimension()
	require.Positive(t, dim)
	vecs, err := s.e.Embed(s.ctx(t), []string{"account name", "Opportunity Amount", "x"})
	require.NoError(t, err)
	s.check(t, vecs, 3)
	require.Equal(t, dim, s.e.Dimension(), "dimension is constant")
	require.NotEmpty(t, s.e.Model())
}

func (s *embedSuite) deterministic(t *testing.T) {
	ctx := s.ctx(t)
	texts := []string{"billing country", "invoice total amount due"}
	first, err := s.e.Embed(ctx, texts)
	require.NoError(t, err)
	second, err := s.e.Embed(ctx, texts)
	require.NoError(t, err)
	s.check(t, first, 2)
	require.Equal(t, first, second, "the same texts give the same vectors")
	require.NotEqual(t, first[0], first[1], "different texts give different vectors")
}

func (s *embedSuite) batchOrder(t *testing.T) {
	ctx := s.ctx(t)
	texts := []string{"alpha", "beta", "gamma", "delta"}
	batch, err := s.e.Embed(ctx, texts)
	require.NoError(t, err)
	s.check(t, batch, len(texts))
	for i, text := range texts {
		one, err := s.e.Embed(ctx, []string{text})
		require.NoError(t, err)
		s.check(t, one, 1)
		require.Equal(t, one[0], batch[i], "vector %d of the batch is the vector of %q", i, text)
	}
	reversed := []string{"delta", "gamma", "beta", "alpha"}
	rev, err := s.e.Embed(ctx, reversed)
	require.NoError(t, err)
	for i := range texts {
		require.Equal(t, batch[i], rev[len(texts)-1-i])
	}
}

func (s *embedSuite) largeBatch(t *testing.T) {
	ctx := s.ctx(t)
	texts := make([]string, 250)
	for i := range texts {
		texts[i] = fmt.Sprintf("field number %d", i)
	}
	vecs, err := s.e.Embed(ctx, texts)
	require.NoError(t, err)
	s.check(t, vecs, len(texts))
	for _, i := range []int{0, 99, 100, 101, 199, 200, 249} {
		one, err := s.e.Embed(ctx, []string{texts[i]})
		require.NoError(t, err)
		require.Equal(t, one[0], vecs[i], "vector %d of a large batch", i)
	}
}

func (s *embedSuite) emptyBatch(t *testing.T) {
	ctx := s.ctx(t)
	for _, texts := range [][]string{nil, {}} {
		vecs, err := s.e.Embed(ctx, texts)
		require.NoError(t, err)
		require.Empty(t, vecs)
	}
}

func (s *embedSuite) concurrent(t *testing.T) {
	ctx := s.ctx(t)
	texts := []string{"customer email", "postal code", "close date"}
	want, err := s.e.Embed(ctx, texts)
	require.NoError(t, err)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := s.e.Embed(ctx, texts)
			switch {
			case err != nil:
				errs <- fmt.Errorf("goroutine %d: %w", g, err)
			case fmt.Sprint(got) != fmt.Sprint(want):
				errs <- fmt.Errorf("goroutine %d: vectors differ from a sequential call", g)
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
}

func (s *embedSuite) cancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(s.ctx(t))
	cancel()
	vecs, err := s.e.Embed(ctx, []string{"a text never embedded before: cancelled"})
	if err != nil {
		require.ErrorIs(t, err, context.Canceled, "a cancelled call reports context.Canceled")
		return
	}
	t.Log("ragtest: the embedder answered a cancelled context (no I/O); checking the answer")
	s.check(t, vecs, 1)
}
