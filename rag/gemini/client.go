package gemini

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/generative-ai-go/genai"
	"github.com/sony/gobreaker/v2"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"

	"github.com/autonomos/autonomos/rag"
)

// Defaults of the options shared by LLM and Embedder.
const (
	// DefaultTimeout bounds one request to the service.
	DefaultTimeout = 10 * time.Second
	// DefaultBreakerFailures is the number of consecutive failures that
	// opens the breaker.
	DefaultBreakerFailures = 5
	// DefaultBreakerOpenFor is how long an open breaker fails fast before
	// letting one trial request through.
	DefaultBreakerOpenFor = 30 * time.Second
)

// BreakerOptions tunes the circuit breaker; zero fields mean defaults.
type BreakerOptions struct {
	// ConsecutiveFailures opens the breaker. Default: DefaultBreakerFailures.
	ConsecutiveFailures uint32
	// OpenFor is how long the open breaker rejects calls before a trial
	// call. Default: DefaultBreakerOpenFor.
	OpenFor time.Duration
}

// connOptions are the settings LLM and Embedder share.
type connOptions struct {
	endpoint   string
	httpClient *http.Client
	timeout    time.Duration
	breaker    BreakerOptions
}

func (c *connOptions) validate(what string) error {
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.timeout < 0 {
		return fmt.Errorf("gemini: %s: %w: Options.Timeout %s is negative", what, rag.ErrInvalid, c.timeout)
	}
	if c.breaker.ConsecutiveFailures == 0 {
		c.breaker.ConsecutiveFailures = DefaultBreakerFailures
	}
	if c.breaker.OpenFor == 0 {
		c.breaker.OpenFor = DefaultBreakerOpenFor
	}
	if c.breaker.OpenFor < 0 {
		return fmt.Errorf("gemini: %s: %w: Options.Breaker.OpenFor %s is negative", what, rag.ErrInvalid, c.breaker.OpenFor)
	}
	if c.endpoint != "" {
		u, err := url.Parse(c.endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("gemini: %s: %w: Options.Endpoint must be an http(s) URL with a host", what, rag.ErrInvalid)
		}
	}
	return nil
}

// conn is one genai client with the transport it owns.
type conn struct {
	client    *genai.Client
	transport *http.Transport // owned, closed by close; nil when borrowed
}

// dial builds the genai client. The key goes into a header set by our own
// transport: with the library's default transport it would travel as a
// ?key= query parameter and show up in every *url.Error.
func dial(ctx context.Context, apiKey string, c connOptions) (*conn, error) {
	var (
		base  http.RoundTripper
		owned *http.Transport
		hc    http.Client
	)
	if c.httpClient != nil {
		hc = *c.httpClient
		base = hc.Transport
	}
	if base == nil {
		owned = http.DefaultTransport.(*http.Transport).Clone()
		base = owned
	}
	hc.Transport = &keyTransport{key: apiKey, base: base}
	opts := []option.ClientOption{
		// The key option also authenticates the client's gRPC cache
		// client, which does not use our HTTP client.
		option.WithAPIKey(apiKey),
		option.WithHTTPClient(&hc),
	}
	if c.endpoint != "" {
		opts = append(opts, option.WithEndpoint(strings.TrimRight(c.endpoint, "/")))
	}
	client, err := genai.NewClient(ctx, opts...)
	if err != nil {
		if owned != nil {
			owned.CloseIdleConnections()
		}
		return nil, fmt.Errorf("gemini: new client: %s", redact(err.Error(), apiKey))
	}
	return &conn{client: client, transport: owned}, nil
}

func (c *conn) close() error {
	err := errors.Join(c.client.Close(), closeCacheClient(c.client))
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
	return err
}

// keyTransport authenticates requests with the x-goog-api-key header.
type keyTransport struct {
	key  string
	base http.RoundTripper
}

func (t *keyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.Header.Set("x-goog-api-key", t.key)
	return t.base.RoundTrip(r)
}

// Outcomes label the calls counter.
const (
	outcomeOK          = "ok"
	outcomeInvalid     = "invalid"     // the reply was unusable or the request rejected
	outcomeTimeout     = "timeout"     // our per-call timeout expired
	outcomeUnavailable = "unavailable" // transport error, 5xx, 429, auth
	outcomeBreakerOpen = "breaker_open"
	outcomeCanceled    = "canceled" // the caller's context ended
)

// callError is a classified failure: its outcome, whether it counts
// against the breaker, and the sentinel it wraps.
type callError struct {
	outcome string
	counts  bool
	err     error // wraps a rag sentinel; message already redacted
}

func (e *callError) Error() string { return e.err.Error() }
func (e *callError) Unwrap() error { return e.err }

// newBreaker returns a breaker that opens after o.ConsecutiveFailures
// failures in a row; classified errors that do not count (the caller's
// cancellation, a rejected request) are excluded.
func newBreaker[T any](name string, o BreakerOptions) *gobreaker.CircuitBreaker[T] {
	return gobreaker.NewCircuitBreaker[T](gobreaker.Settings{
		Name:    name,
		Timeout: o.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool {
			return c.ConsecutiveFailures >= o.ConsecutiveFailures
		},
		IsExcluded: func(err error) bool {
			var ce *callError
			return errors.As(err, &ce) && !ce.counts
		},
	})
}

// classify turns an error of one request into a *callError. parent is the
// caller's context: when it has ended, the failure is the caller's doing.
func classify(parent context.Context, err error, apiKey string) *callError {
	var ce *callError
	if errors.As(err, &ce) {
		return ce
	}
	msg := redact(err.Error(), apiKey)
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return &callError{outcomeBreakerOpen, false, fmt.Errorf("%w: circuit breaker open: %s", rag.ErrUnavailable, msg)}
	}
	if perr := parent.Err(); perr != nil {
		return &callError{outcomeCanceled, false, fmt.Errorf("%w: %w", rag.ErrUnavailable, perr)}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &callError{outcomeTimeout, true, fmt.Errorf("%w: %w: request timed out", rag.ErrUnavailable, context.DeadlineExceeded)}
	}
	var blocked *genai.BlockedError
	if errors.As(err, &blocked) {
		return &callError{outcomeInvalid, false, fmt.Errorf("%w: reply blocked by the model: %s", rag.ErrInvalid, msg)}
	}
	var gerr *googleapi.Error
	if errors.As(err, &gerr) && gerr.Code == http.StatusBadRequest {
		return &callError{outcomeInvalid, false, fmt.Errorf("%w: request rejected: %s", rag.ErrInvalid, msg)}
	}
	return &callError{outcomeUnavailable, true, fmt.Errorf("%w: %s", rag.ErrUnavailable, msg)}
}

// invalidReply is a reply the service sent but we cannot use; it counts
// against the breaker like a failure.
func invalidReply(format string, args ...any) *callError {
	return &callError{outcomeInvalid, true, fmt.Errorf("%w: %s", rag.ErrInvalid, fmt.Sprintf(format, args...))}
}

// redact removes the API key from a message, in case a library echoes it.
func redact(msg, apiKey string) string {
	if apiKey == "" {
		return msg
	}
	msg = strings.ReplaceAll(msg, apiKey, "[REDACTED]")
	return strings.ReplaceAll(msg, url.QueryEscape(apiKey), "[REDACTED]")
}
