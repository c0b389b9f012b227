package gemini_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/gemini"
	"github.com/autonomos/autonomos/rag/ragtest"
)

func setupEmbedder(t *testing.T, f *fakeGemini, opts *gemini.EmbedderOptions) *gemini.Embedder {
	t.Helper()
	var o gemini.EmbedderOptions
	if opts != nil {
		o = *opts
	}
	o.Endpoint = f.srv.URL
	o.HTTPClient = f.srv.Client()
	e, err := gemini.NewEmbedder(testenv.Context(t), testKey, &o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	return e
}

func TestEmbedderConformance(t *testing.T) {
	f := newFake(t, gemini.DefaultDimension)
	e := setupEmbedder(t, f, nil)
	require.Equal(t, gemini.DefaultEmbeddingModel, e.Model())
	require.Equal(t, gemini.DefaultDimension, e.Dimension())
	ragtest.RunEmbedder(t, e)
}

func TestEmbedBatchesRequests(t *testing.T) {
	t.Parallel()
	f := newFake(t, 16)
	e := setupEmbedder(t, f, &gemini.EmbedderOptions{Dimension: 16})
	texts := make([]string, 250)
	for i := range texts {
		texts[i] = fmt.Sprintf("text %d", i)
	}
	vecs, err := e.Embed(testenv.Context(t), texts)
	require.NoError(t, err)
	require.Len(t, vecs, 250)
	for i, v := range vecs {
		require.Equal(t, f.vector(texts[i]), v, "vector %d", i)
	}

	reqs := f.recorded()
	require.Len(t, reqs, 3, "250 texts in batches of 100")
	sizes := []int{100, 100, 50}
	next := 0
	for i, r := range reqs {
		require.Equal(t, "/v1beta/models/text-embedding-004:batchEmbedContents", r.Path)
		require.Equal(t, testKey, r.APIKey)
		require.NotContains(t, r.Query, "key=")
		require.Equal(t, "models/text-embedding-004", r.Body["model"])
		items := r.Body["requests"].([]any)
		require.Len(t, items, sizes[i])
		for _, it := range items {
			m := it.(map[string]any)
			require.Equal(t, "models/text-embedding-004", m["model"])
			require.Contains(t, []any{3.0, "SEMANTIC_SIMILARITY"}, m["taskType"])
			require.Equal(t, texts[next], requestText(m), "texts are sent in order")
			next++
		}
	}
}

func TestEmbedSingleTextUsesEmbedContent(t *testing.T) {
	t.Parallel()
	f := newFake(t, 16)
	e := setupEmbedder(t, f, &gemini.EmbedderOptions{Model: "embedding-001", Dimension: 16})
	vecs, err := e.Embed(testenv.Context(t), []string{"billing city"})
	require.NoError(t, err)
	require.Equal(t, [][]float32{f.vector("billing city")}, vecs)
	reqs := f.recorded()
	require.Len(t, reqs, 1)
	require.Equal(t, "/v1beta/models/embedding-001:embedContent", reqs[0].Path)
	require.Equal(t, "billing city", requestText(reqs[0].Body))
}

func TestEmbedSmallBatchSize(t *testing.T) {
	t.Parallel()
	f := newFake(t, 4)
	e := setupEmbedder(t, f, &gemini.EmbedderOptions{Dimension: 4, BatchSize: 3})
	texts := []string{"a", "b", "c", "d", "e", "f", "g"}
	vecs, err := e.Embed(testenv.Context(t), texts)
	require.NoError(t, err)
	for i, text := range texts {
		require.Equal(t, f.vector(text), vecs[i])
	}
	require.Len(t, f.recorded(), 3, "batches of 3, 3 and 1")
}

func TestEmbedRejectsMalformedReplies(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	e := setupEmbedder(t, f, &gemini.EmbedderOptions{Dimension: 8})
	f.mu.Lock()
	f.embedValues = func(string) []float32 { return []float32{1, 2, 3} }
	f.mu.Unlock()
	_, err := e.Embed(testenv.Context(t), []string{"a", "b"})
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorContains(t, err, "has 3 values, want 8")
}

func TestEmbedInvalidInput(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	e := setupEmbedder(t, f, &gemini.EmbedderOptions{Dimension: 8})
	_, err := e.Embed(testenv.Context(t), []string{"a", ""})
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.Empty(t, f.recorded())
}

func TestEmbedFailuresAndBreaker(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	reg := prometheus.NewRegistry()
	e := setupEmbedder(t, f, &gemini.EmbedderOptions{
		Dimension: 8, Timeout: 100 * time.Millisecond,
		Breaker: gemini.BreakerOptions{ConsecutiveFailures: 2, OpenFor: time.Hour},
		Metrics: reg,
	})
	f.mu.Lock()
	f.override = func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	f.mu.Unlock()
	ctx := testenv.Context(t)
	for i := 0; i < 2; i++ {
		_, err := e.Embed(ctx, []string{"a", "b"})
		require.ErrorIs(t, err, rag.ErrUnavailable)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.NotContains(t, err.Error(), testKey)
	}
	_, err := e.Embed(ctx, []string{"a", "b"})
	require.ErrorIs(t, err, rag.ErrUnavailable)
	require.ErrorContains(t, err, "circuit breaker open")
	require.Len(t, f.recorded(), 2, "the open breaker sent nothing")
	require.Equal(t, 2.0, counterValue(t, reg, "aos_gemini_calls_total", map[string]string{"operation": "embed", "outcome": "timeout"}))
	require.Equal(t, 1.0, counterValue(t, reg, "aos_gemini_calls_total", map[string]string{"operation": "embed", "outcome": "breaker_open"}))
}

func TestEmbedCancelledBeforeRequest(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	e := setupEmbedder(t, f, &gemini.EmbedderOptions{Dimension: 8})
	ctx, cancel := context.WithCancel(testenv.Context(t))
	cancel()
	_, err := e.Embed(ctx, []string{"a"})
	require.ErrorIs(t, err, context.Canceled)
	require.Empty(t, f.recorded())
}

func TestLLMAndEmbedderShareRegistry(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	reg := prometheus.NewRegistry()
	llm := setupLLM(t, f, &gemini.Options{Metrics: reg})
	e := setupEmbedder(t, f, &gemini.EmbedderOptions{Dimension: 8, Metrics: reg})
	ctx := testenv.Context(t)
	_, err := llm.GenerateJSON(ctx, "map it", nil)
	require.NoError(t, err)
	_, err = e.Embed(ctx, []string{"a", "b"})
	require.NoError(t, err)
	require.Equal(t, 1.0, counterValue(t, reg, "aos_gemini_calls_total", map[string]string{"operation": "generate", "outcome": "ok"}))
	require.Equal(t, 1.0, counterValue(t, reg, "aos_gemini_calls_total", map[string]string{"operation": "embed", "outcome": "ok"}))
}

func TestNewEmbedderValidates(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	_, err := gemini.NewEmbedder(ctx, "", nil)
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorContains(t, err, "apiKey")
	for field, o := range map[string]gemini.EmbedderOptions{
		"Options.Dimension": {Dimension: -1},
		"Options.BatchSize": {BatchSize: gemini.MaxBatch + 1},
		"Options.Timeout":   {Timeout: -1},
		"Options.Endpoint":  {Endpoint: "ftp://x"},
	} {
		_, err := gemini.NewEmbedder(ctx, testKey, &o)
		require.ErrorIs(t, err, rag.ErrInvalid, field)
		require.ErrorContains(t, err, field)
	}
}
