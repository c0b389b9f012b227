// Package httpapi is the REST API of the platform as one mountable
// http.Handler: the gateway chain every route runs behind, and the routes
// of auth, users and audit under /api/v1.
//
// # Gateway chain
//
// Each request passes, in order:
//
//  1. trace: a W3C traceparent is read (or started) and returned with a new
//     span id; a request id (X-Request-Id, or a new one) is echoed; one slog
//     line per request carries request_id, trace_id, method, route, status
//     and duration. The body is limited (1 MiB by default, 413 beyond).
//  2. auth: a Bearer token, verified by tenancy.Authenticator (401 with one
//     message for every kind of bad token).
//  3. role: the route's least role (403).
//  4. rate limit: the tenant's GCRA (429 with Retry-After, RateLimit and
//     RateLimit-Policy headers).
//  5. idempotency: POST, PUT and PATCH with an Idempotency-Key replay the
//     stored response for the same key and body, give 422 for another
//     body and 409 while the first is in flight.
//  6. audit: every mutating call leaves exactly one audit row (tenant, user,
//     action, target, request id, outcome, status, client IP, time). The
//     audit stage is armed right after auth, so it records the outcome of
//     everything after it — a 403 from the role check, a 409/422 from
//     idempotency, a replay — and writes last. Calls refused by the rate
//     limit (429) are counted in aos_ratelimit_rejected_total, not written,
//     so a flood cannot turn into audit writes.
//
// # Errors
//
// Every error is JSON {"error": {"code", "message"}}; Code.Status maps each
// code to its status in one place. Messages never hold stack traces, SQL or
// secrets. Another tenant's object is 404, never 403.
package httpapi
