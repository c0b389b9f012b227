package tenancy

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Tenant is a tenant of the platform. Tenants share their ids with the aam
// tenant registry: one table holds both.
type Tenant struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	// RateLimit is the tenant's own limit in requests per minute; 0 means
	// the platform default (AOS_RATE_LIMIT).
	RateLimit int       `json:"rate_limit,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// User is an account of one tenant. Its e-mail is unique across the
// platform, because login names no tenant.
type User struct {
	ID       uuid.UUID `json:"id"`
	TenantID uuid.UUID `json:"tenant_id"`
	Email    string    `json:"email"`
	Role     Role      `json:"role"`
	// PasswordHash is the Argon2id PHC string; never serialized.
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
}

// Completion is the response of an idempotent request, written by a store
// in the same transaction as the request's side effect, so that a crash
// between the side effect and the response can never apply it twice.
type Completion struct {
	TenantID uuid.UUID
	Key      string
	Status   int
	Body     []byte
}

// TenantStore creates and finds tenants; creation is a system operation.
type TenantStore interface {
	// CreateTenant stores t (ID set by the caller); a taken name wraps
	// ErrConflict.
	CreateTenant(ctx context.Context, t Tenant) error
	// Tenant returns a tenant by id; ErrNotFound if absent.
	Tenant(ctx context.Context, id uuid.UUID) (Tenant, error)
	// TenantByName returns a tenant by name; ErrNotFound if absent.
	TenantByName(ctx context.Context, name string) (Tenant, error)
	// SetRateLimit sets the tenant's requests per minute (0: default);
	// ErrNotFound if the tenant is absent.
	SetRateLimit(ctx context.Context, tenant uuid.UUID, perMinute int) error
}

// UserStore keeps users.
type UserStore interface {
	// Register creates tenant t and its first user admin in one
	// transaction; a taken tenant name or e-mail wraps ErrConflict and
	// writes nothing.
	Register(ctx context.Context, t Tenant, admin User) error
	// CreateUser stores u (ID and CreatedAt set by the caller) and, when
	// done is not nil, completes done's idempotency key in the same
	// transaction. A taken e-mail wraps ErrConflict, an absent tenant
	// ErrNotFound; either way nothing is written.
	CreateUser(ctx context.Context, u User, done *Completion) error
	// UserByEmail finds a user of any tenant by normalized e-mail (the
	// login lookup); ErrNotFound if absent.
	UserByEmail(ctx context.Context, email string) (User, error)
	// Users lists a tenant's users by e-mail.
	Users(ctx context.Context, tenant uuid.UUID) ([]User, error)
	// CountUsers returns how many users a tenant has.
	CountUsers(ctx context.Context, tenant uuid.UUID) (int, error)
	// DeleteUser removes one user of the tenant; ErrNotFound if the tenant
	// has no such user.
	DeleteUser(ctx context.Context, tenant, id uuid.UUID) error
	// SetPasswordHash replaces a user's hash; ErrNotFound if absent.
	SetPasswordHash(ctx context.Context, tenant, id uuid.UUID, hash string) error
}

// AuditEntry is one row of the append-only audit log. It never holds
// secrets or request bodies.
type AuditEntry struct {
	// ID orders the tenant's entries; set by the store.
	ID       int64     `json:"id"`
	TenantID uuid.UUID `json:"tenant_id"`
	// UserID is the acting user's id, or "" for an anonymous call.
	UserID string `json:"user_id"`
	// Action is what was attempted, e.g. "POST /api/v1/users".
	Action string `json:"action"`
	// Target is the object acted on (an id or a path), or "".
	Target    string `json:"target"`
	RequestID string `json:"request_id"`
	// Outcome is "success" (2xx/3xx), "denied" (401, 403, 404) or
	// "failure".
	Outcome  string    `json:"outcome"`
	Status   int       `json:"status"`
	ClientIP string    `json:"client_ip"`
	At       time.Time `json:"at"`
}

// AuditStore appends to and reads the audit log. The log is append-only:
// no store method changes or removes an entry.
type AuditStore interface {
	// AppendAudit stores e (ID and, when zero, At set by the store).
	AppendAudit(ctx context.Context, e AuditEntry) error
	// AuditEntries lists up to limit entries of the tenant, newest first,
	// with ids below before (0: from the newest).
	AuditEntries(ctx context.Context, tenant uuid.UUID, before int64, limit int) ([]AuditEntry, error)
}

// IdempotencyClaim asks a store to claim an Idempotency-Key for a request.
type IdempotencyClaim struct {
	TenantID uuid.UUID
	Key      string
	// Hash identifies the request (method, path and body).
	Hash []byte
	// Now is the claim's time.
	Now time.Time
	// ExpiredBefore: a key claimed before it is expired and is replaced.
	ExpiredBefore time.Time
	// StaleBefore: a key still in flight that was claimed before it was
	// abandoned by a crashed process and may be claimed again.
	StaleBefore time.Time
}

// IdempotentResponse is a stored response to replay.
type IdempotentResponse struct {
	Status int
	Body   []byte
}

// IdempotencyStore keeps Idempotency-Keys per tenant.
type IdempotencyStore interface {
	// ClaimIdempotencyKey claims c.Key for a request. It returns (nil,
	// nil) when the caller now owns the key and must run the request;
	// the stored response when the key completed with the same hash;
	// ErrMismatch when the key was used with another hash; ErrConflict
	// when the key is in flight.
	ClaimIdempotencyKey(ctx context.Context, c IdempotencyClaim) (*IdempotentResponse, error)
	// CompleteIdempotencyKey stores the response of a claimed key.
	CompleteIdempotencyKey(ctx context.Context, done Completion) error
	// ReleaseIdempotencyKey forgets a claimed key that did not complete,
	// so the request may be retried.
	ReleaseIdempotencyKey(ctx context.Context, tenant uuid.UUID, key string) error
}

// Store is everything a Service needs from storage. pgstore.Tenancy and
// duckstore.Tenancy implement it; tenancytest.RunStore is its conformance
// suite.
type Store interface {
	TenantStore
	UserStore
	AuditStore
	IdempotencyStore
}

// ValidateTenantID rejects the nil tenant id; the error wraps ErrInvalid.
// Store adapters call it before any I/O.
func ValidateTenantID(id uuid.UUID) error {
	if id == uuid.Nil {
		return invalidf("tenant id is the nil uuid")
	}
	return nil
}

// Validate reports why a store must refuse to create t: a nil id or a
// name that breaks ValidateTenantName. The error wraps ErrInvalid.
func (t Tenant) Validate() error {
	if err := ValidateTenantName(t.Name); err != nil {
		return err
	}
	if t.RateLimit < 0 {
		return invalidf("rate limit must not be negative")
	}
	return ValidateTenantID(t.ID)
}

// ValidateRegistration reports why a store must refuse to register t with
// admin: an invalid tenant, or an admin of another tenant. The error wraps
// ErrInvalid.
func ValidateRegistration(t Tenant, admin User) error {
	if err := t.Validate(); err != nil {
		return err
	}
	if admin.TenantID != t.ID {
		return invalidf("the admin belongs to another tenant")
	}
	return nil
}
