package gemini

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/google/generative-ai-go/genai"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/autonomos/autonomos/rag"
)

// Defaults of EmbedderOptions.
const (
	// DefaultEmbeddingModel is the embedding model.
	DefaultEmbeddingModel = "text-embedding-004"
	// DefaultDimension is the length of DefaultEmbeddingModel's vectors.
	DefaultDimension = 768
	// MaxBatch is the most texts the API accepts in one
	// batchEmbedContents request, and the default batch size.
	MaxBatch = 100
)

// EmbedderOptions tunes an Embedder; the zero value (or nil) means
// defaults.
type EmbedderOptions struct {
	// Model is the embedding model. Default: DefaultEmbeddingModel.
	Model string
	// Dimension is the length of the model's vectors; replies of another
	// length are rejected. Default: DefaultDimension.
	Dimension int
	// BatchSize is the most texts sent in one request, 1..MaxBatch.
	// Default: MaxBatch.
	BatchSize int
	// Timeout bounds each request. Default: DefaultTimeout.
	Timeout time.Duration
	// Breaker tunes the circuit breaker, as for the LLM.
	Breaker BreakerOptions
	// Endpoint is the base URL of the API. Default: Google's public
	// endpoint.
	Endpoint string
	// HTTPClient sends the requests; the Embedder adds the API key header.
	// Default: a client of its own, closed by Close.
	HTTPClient *http.Client
	// Metrics registers the call and latency metrics. Default: not
	// registered.
	Metrics prometheus.Registerer
}

// Embedder is a rag.Embedder on a Gemini embedding model, with the task
// type SEMANTIC_SIMILARITY. It sends texts in batches of BatchSize, one
// request at a time, and does not cache (wrap it in the rag package's
// cache for that). See the package documentation for errors and
// concurrency.
type Embedder struct {
	model   string
	dim     int
	batch   int
	apiKey  string
	timeout time.Duration
	conn    *conn
	breaker *gobreaker.CircuitBreaker[[][]float32]
	metrics *metrics
}

var _ rag.Embedder = (*Embedder)(nil)

// NewEmbedder returns an Embedder calling Gemini with apiKey. An empty key
// or a bad option fails with an error naming it and wrapping
// rag.ErrInvalid. Close releases it.
func NewEmbedder(ctx context.Context, apiKey string, opts *EmbedderOptions) (*Embedder, error) {
	var o EmbedderOptions
	if opts != nil {
		o = *opts
	}
	if apiKey == "" {
		return nil, fmt.Errorf("gemini: new embedder: %w: apiKey is empty", rag.ErrInvalid)
	}
	if o.Model == "" {
		o.Model = DefaultEmbeddingModel
	}
	if o.Dimension == 0 {
		o.Dimension = DefaultDimension
	}
	if o.Dimension < 0 {
		return nil, fmt.Errorf("gemini: new embedder: %w: Options.Dimension %d is negative", rag.ErrInvalid, o.Dimension)
	}
	if o.BatchSize == 0 {
		o.BatchSize = MaxBatch
	}
	if o.BatchSize < 1 || o.BatchSize > MaxBatch {
		return nil, fmt.Errorf("gemini: new embedder: %w: Options.BatchSize %d is outside 1..%d", rag.ErrInvalid, o.BatchSize, MaxBatch)
	}
	co := connOptions{endpoint: o.Endpoint, httpClient: o.HTTPClient, timeout: o.Timeout, breaker: o.Breaker}
	if err := co.validate("new embedder"); err != nil {
		return nil, err
	}
	m, err := newMetrics(o.Metrics)
	if err != nil {
		return nil, fmt.Errorf("gemini: new embedder: Options.Metrics: %w", err)
	}
	c, err := dial(ctx, apiKey, co)
	if err != nil {
		return nil, err
	}
	return &Embedder{
		model:   o.Model,
		dim:     o.Dimension,
		batch:   o.BatchSize,
		apiKey:  apiKey,
		timeout: co.timeout,
		conn:    c,
		breaker: newBreaker[[][]float32]("gemini-embed-"+o.Model, co.breaker),
		metrics: m,
	}, nil
}

// Model returns the embedding model's name.
func (e *Embedder) Model() string { return e.model }

// Dimension returns the length of every vector Embed returns.
func (e *Embedder) Dimension() int { return e.dim }

// Close releases the client and its idle connections.
func (e *Embedder) Close() error { return e.conn.close() }

// Embed returns one vector per text, in order: a single text through
// embedContent, more through batchEmbedContents in batches of BatchSize.
// An empty batch returns no vectors without a request; an empty text
// wraps rag.ErrInvalid. Other errors: see the package documentation.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	for i, t := range texts {
		if t == "" {
			return nil, fmt.Errorf("gemini: embed: %w: text %d is empty", rag.ErrInvalid, i)
		}
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.batch {
		chunk := texts[start:min(start+e.batch, len(texts))]
		vecs, err := e.embedChunk(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("gemini: embed with %q: texts %d..%d: %w", e.model, start, start+len(chunk)-1, err)
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (e *Embedder) embedChunk(ctx context.Context, chunk []string) ([][]float32, error) {
	began := time.Now()
	vecs, err := e.breaker.Execute(func() ([][]float32, error) {
		if err := ctx.Err(); err != nil {
			return nil, classify(ctx, err, e.apiKey)
		}
		return e.request(ctx, chunk)
	})
	outcome := outcomeOK
	if err != nil {
		ce := classify(ctx, err, e.apiKey)
		outcome, err = ce.outcome, ce
	}
	e.metrics.calls.WithLabelValues("embed", e.model, outcome).Inc()
	e.metrics.latency.WithLabelValues("embed", e.model).Observe(time.Since(began).Seconds())
	return vecs, err
}

func (e *Embedder) request(ctx context.Context, chunk []string) ([][]float32, error) {
	cctx, cancel := context.WithTimeout(ctx, e.timeout)
	defer cancel()
	em := e.conn.client.EmbeddingModel(e.model)
	em.TaskType = genai.TaskTypeSemanticSimilarity
	var raw []*genai.ContentEmbedding
	if len(chunk) == 1 {
		res, err := em.EmbedContent(cctx, genai.Text(chunk[0]))
		if err != nil {
			return nil, classify(ctx, err, e.apiKey)
		}
		raw = append(raw, res.Embedding)
	} else {
		b := em.NewBatch()
		for _, t := range chunk {
			b.AddContent(genai.Text(t))
		}
		res, err := em.BatchEmbedContents(cctx, b)
		if err != nil {
			return nil, classify(ctx, err, e.apiKey)
		}
		raw = res.Embeddings
	}
	if len(raw) != len(chunk) {
		return nil, invalidReply("reply has %d embeddings for %d texts", len(raw), len(chunk))
	}
	out := make([][]float32, len(raw))
	for i, emb := range raw {
		if emb == nil || len(emb.Values) != e.dim {
			n := 0
			if emb != nil {
				n = len(emb.Values)
			}
			return nil, invalidReply("embedding %d has %d values, want %d", i, n, e.dim)
		}
		out[i] = emb.Values
	}
	return out, nil
}
