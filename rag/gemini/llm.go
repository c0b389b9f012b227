package gemini

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/google/generative-ai-go/genai"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/sony/gobreaker/v2"

	"github.com/autonomos/autonomos/rag"
)

// DefaultModel is the generative model an LLM uses when Options.Model is
// empty.
const DefaultModel = "gemini-1.5-flash"

// Options tunes an LLM; the zero value (or nil) means defaults.
type Options struct {
	// Model is the generative model. Default: DefaultModel.
	Model string
	// Timeout bounds each request. Default: DefaultTimeout.
	Timeout time.Duration
	// Breaker tunes the circuit breaker. Default: opens after
	// DefaultBreakerFailures consecutive failures for
	// DefaultBreakerOpenFor.
	Breaker BreakerOptions
	// Endpoint is the base URL of the API, e.g. a proxy or a test server.
	// Default: Google's public endpoint.
	Endpoint string
	// HTTPClient sends the requests; the LLM adds the API key header to it.
	// Default: a client of its own, closed by Close.
	HTTPClient *http.Client
	// Metrics registers the call, token and latency metrics. Default: not
	// registered (still counted, invisible).
	Metrics prometheus.Registerer
}

// LLM is a rag.LLM on a Gemini generative model. See the package
// documentation for errors and concurrency.
type LLM struct {
	model   string
	apiKey  string
	timeout time.Duration
	conn    *conn
	breaker *gobreaker.CircuitBreaker[json.RawMessage]
	metrics *metrics
}

var _ rag.LLM = (*LLM)(nil)

// NewLLM returns an LLM calling Gemini with apiKey. An empty key or a bad
// option fails with an error naming it and wrapping rag.ErrInvalid. No
// request is sent before the first GenerateJSON. Close releases it.
func NewLLM(ctx context.Context, apiKey string, opts *Options) (*LLM, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if apiKey == "" {
		return nil, fmt.Errorf("gemini: new llm: %w: apiKey is empty", rag.ErrInvalid)
	}
	if o.Model == "" {
		o.Model = DefaultModel
	}
	co := connOptions{endpoint: o.Endpoint, httpClient: o.HTTPClient, timeout: o.Timeout, breaker: o.Breaker}
	if err := co.validate("new llm"); err != nil {
		return nil, err
	}
	m, err := newMetrics(o.Metrics)
	if err != nil {
		return nil, fmt.Errorf("gemini: new llm: Options.Metrics: %w", err)
	}
	c, err := dial(ctx, apiKey, co)
	if err != nil {
		return nil, err
	}
	return &LLM{
		model:   o.Model,
		apiKey:  apiKey,
		timeout: co.timeout,
		conn:    c,
		breaker: newBreaker[json.RawMessage]("gemini-llm-"+o.Model, co.breaker),
		metrics: m,
	}, nil
}

// Model returns the generative model's name.
func (l *LLM) Model() string { return l.model }

// Close releases the client and its idle connections.
func (l *LLM) Close() error { return l.conn.close() }

// GenerateJSON sends prompt with the response constrained to JSON
// (responseMimeType application/json) and, when schema is not empty, to
// that JSON Schema (as Gemini's responseSchema, which supports the types,
// properties, required, items, enum, format, nullable and description
// keywords). It returns the reply compacted. Errors: see the package
// documentation.
func (l *LLM) GenerateJSON(ctx context.Context, prompt string, schema json.RawMessage) (json.RawMessage, error) {
	if strings.TrimSpace(prompt) == "" {
		return nil, fmt.Errorf("gemini: generate: %w: empty prompt", rag.ErrInvalid)
	}
	rs, err := convertSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("gemini: generate: %w", err)
	}
	start := time.Now()
	out, err := l.breaker.Execute(func() (json.RawMessage, error) {
		return l.generate(ctx, prompt, rs)
	})
	outcome := outcomeOK
	if err != nil {
		ce := classify(ctx, err, l.apiKey)
		outcome, err = ce.outcome, fmt.Errorf("gemini: generate with %q: %w", l.model, ce)
	}
	l.metrics.calls.WithLabelValues("generate", l.model, outcome).Inc()
	l.metrics.latency.WithLabelValues("generate", l.model).Observe(time.Since(start).Seconds())
	return out, err
}

// generate is one request under the timeout; its errors are classified so
// the breaker can tell which ones count.
func (l *LLM) generate(ctx context.Context, prompt string, schema *genai.Schema) (json.RawMessage, error) {
	cctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	gm := l.conn.client.GenerativeModel(l.model)
	gm.ResponseMIMEType = "application/json"
	gm.ResponseSchema = schema
	gm.SetTemperature(0) // repeatable answers for the same prompt
	gm.SetCandidateCount(1)
	resp, err := gm.GenerateContent(cctx, genai.Text(prompt))
	if err != nil {
		return nil, classify(ctx, err, l.apiKey)
	}
	if u := resp.UsageMetadata; u != nil {
		l.metrics.tokens.WithLabelValues(l.model, "prompt").Add(float64(u.PromptTokenCount))
		l.metrics.tokens.WithLabelValues(l.model, "candidates").Add(float64(u.CandidatesTokenCount))
	}
	if len(resp.Candidates) == 0 || resp.Candidates[0].Content == nil {
		return nil, invalidReply("reply has no candidate")
	}
	var text strings.Builder
	for _, p := range resp.Candidates[0].Content.Parts {
		if t, ok := p.(genai.Text); ok {
			text.WriteString(string(t))
		}
	}
	raw := bytes.TrimSpace([]byte(text.String()))
	if !json.Valid(raw) {
		return nil, invalidReply("reply is not valid JSON (finish reason %s, %d bytes)",
			resp.Candidates[0].FinishReason, len(raw))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, invalidReply("reply is not valid JSON: %v", err)
	}
	return json.RawMessage(buf.Bytes()), nil
}
