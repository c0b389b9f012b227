// Package gemini adapts Google's Gemini API to the rag extension points: LLM
// (GenerateJSON with JSON-constrained output) and Embedder
// (text-embedding-004 by default, batched). Both use the official
// github.com/google/generative-ai-go client over the REST API.
//
// Each call runs under a timeout and a circuit breaker (sony/gobreaker) that
// opens after a number of consecutive failures and then fails fast without
// sending a request; a caller's own cancellation never counts as a failure.
// Calls, their latency and, for the LLM, the prompt and candidate tokens
// reported by the service are exported as Prometheus metrics.
//
// The API key travels in the x-goog-api-key header, never in a URL, and is
// never part of an error message or a metric.
//
// # Errors
//
// A reply that is not valid JSON (or embeddings of the wrong shape), an
// invalid argument, a request the service rejects as malformed (HTTP 400)
// or a reply the model blocked wrap rag.ErrInvalid. A timeout, an open
// breaker, a transport failure, a 5xx, 429 or authorization failure wrap
// rag.ErrUnavailable, so callers fall back to offline behaviour. A call
// cancelled by its caller wraps both rag.ErrUnavailable and the context's
// error.
//
// # Concurrency
//
// LLM and Embedder are safe for concurrent use.
package gemini
