package rag_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/ragtest"
)

func TestLocalEmbedderConformance(t *testing.T) {
	t.Parallel()
	ragtest.RunEmbedder(t, rag.NewLocalEmbedder())
}

func TestCachedEmbedderConformance(t *testing.T) {
	t.Parallel()
	c, err := rag.NewCachedEmbedder(rag.NewLocalEmbedder(), &rag.CachedEmbedderOptions{Size: 50, BatchSize: 7})
	require.NoError(t, err)
	ragtest.RunEmbedder(t, c)
}

func TestLocalEmbedderSimilarity(t *testing.T) {
	t.Parallel()
	e := rag.NewLocalEmbedder()
	vs, err := e.Embed(context.Background(), []string{"postal code", "PostalCode", "annual revenue"})
	require.NoError(t, err)
	require.Len(t, vs[0], rag.LocalDimension)
	require.InDelta(t, 1.0, dot(vs[0], vs[0]), 1e-5, "unit length")
	require.Greater(t, dot(vs[0], vs[1]), 0.99, "same words, other casing")
	require.Less(t, dot(vs[0], vs[2]), 0.5)
	_, err = e.Embed(context.Background(), []string{"ok", "  "})
	require.ErrorIs(t, err, rag.ErrInvalid)
}

func dot(a, b []float32) float64 {
	var s float64
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

// countingEmbedder records how the cache calls it.
type countingEmbedder struct {
	rag.Embedder
	calls, texts atomic.Int64
	maxBatch     atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.calls.Add(1)
	c.texts.Add(int64(len(texts)))
	if n := int64(len(texts)); n > c.maxBatch.Load() {
		c.maxBatch.Store(n)
	}
	return c.Embedder.Embed(ctx, texts)
}

func TestCachedEmbedderCachesAndBatches(t *testing.T) {
	t.Parallel()
	inner := &countingEmbedder{Embedder: rag.NewLocalEmbedder()}
	c, err := rag.NewCachedEmbedder(inner, &rag.CachedEmbedderOptions{Size: 3, BatchSize: 2})
	require.NoError(t, err)
	ctx := context.Background()

	vs, err := c.Embed(ctx, []string{"a", "b", "a", "c", "d"})
	require.NoError(t, err)
	require.Equal(t, vs[0], vs[2], "a repeated text gets the same vector")
	require.Equal(t, int64(4), inner.texts.Load(), "repeats are embedded once")
	require.Equal(t, int64(2), inner.maxBatch.Load(), "batches of BatchSize")
	require.Equal(t, 3, c.Len(), "LRU bound")

	// "a" was evicted (least recently used), "d" is cached.
	before := inner.texts.Load()
	_, err = c.Embed(ctx, []string{"d"})
	require.NoError(t, err)
	require.Equal(t, before, inner.texts.Load())
	_, err = c.Embed(ctx, []string{"a"})
	require.NoError(t, err)
	require.Equal(t, before+1, inner.texts.Load())

	_, err = rag.NewCachedEmbedder(nil, nil)
	require.ErrorIs(t, err, rag.ErrInvalid)
	_, err = rag.NewCachedEmbedder(inner, &rag.CachedEmbedderOptions{BatchSize: -1})
	require.ErrorIs(t, err, rag.ErrInvalid)
}
