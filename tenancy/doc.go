// Package tenancy holds the platform's security layer below the HTTP API:
// tenants and users with roles, Argon2id password hashes, HS256 access
// tokens with key rotation, per-tenant rate limits (GCRA), idempotency keys
// and the append-only audit log.
//
// It knows no domain package. Storage sits behind small interfaces
// (TenantStore, UserStore, AuditStore, IdempotencyStore, gathered in Store)
// with a PostgreSQL adapter under row-level security (pgstore.Tenancy) and a
// local adapter in the DuckDB control store (duckstore.Tenancy); both run the
// conformance suite in tenancy/tenancytest. Rate limits sit behind
// LimitDriver with a Redis adapter (tenancy/redislimit) and an in-process one
// (tenancy/memlimit), which run one limiter conformance suite too.
//
// Service is the concrete type callers use: it validates input, hashes and
// verifies passwords, issues and verifies tokens, and wraps store errors.
//
// # Errors
//
// Errors wrap one of ErrInvalid, ErrNotFound, ErrConflict, ErrUnauthorized,
// ErrForbidden, ErrBusy, ErrUnavailable or ErrMismatch; test with errors.Is.
// The HTTP layer maps them to status codes in one function.
//
// # Concurrency
//
// Service, Hasher, Authenticator and RateLimiter are safe for concurrent use.
package tenancy
