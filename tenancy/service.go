package tenancy

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Defaults of the idempotency store.
const (
	// DefaultIdempotencyTTL is how long a key is remembered.
	DefaultIdempotencyTTL = 24 * time.Hour
	// DefaultIdempotencyLease is how long a key may stay in flight before
	// it counts as abandoned by a crashed process.
	DefaultIdempotencyLease = 2 * time.Minute
	// MaxIdempotencyKeyLen is the longest Idempotency-Key accepted.
	MaxIdempotencyKeyLen = 255
	// MaxAuditPage is the largest page of audit entries.
	MaxAuditPage = 500
)

// Options configures NewService. Nil means defaults.
type Options struct {
	// Hasher hashes passwords. Default NewHasher(nil).
	Hasher *Hasher
	// IdempotencyTTL: default 24 h.
	IdempotencyTTL time.Duration
	// IdempotencyLease: default 2 min.
	IdempotencyLease time.Duration
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// Logger receives security events (failed logins, rehashes); never
	// secrets. Default slog.Default().
	Logger *slog.Logger
}

// Service is the tenancy layer callers use: registration, login, users,
// tokens, idempotency and audit on top of a Store. Safe for concurrent use.
type Service struct {
	store  Store
	auth   *Authenticator
	hasher *Hasher
	opts   Options
	log    *slog.Logger
}

// NewService returns a Service over store, issuing and verifying tokens
// with auth. Nil arguments and invalid options wrap ErrInvalid.
func NewService(store Store, auth *Authenticator, opts *Options) (*Service, error) {
	if store == nil || auth == nil {
		return nil, fmt.Errorf("tenancy: new service: %w", invalidf("store and authenticator are required"))
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Hasher == nil {
		h, err := NewHasher(nil)
		if err != nil {
			return nil, err
		}
		o.Hasher = h
	}
	if o.IdempotencyTTL == 0 {
		o.IdempotencyTTL = DefaultIdempotencyTTL
	}
	if o.IdempotencyLease == 0 {
		o.IdempotencyLease = DefaultIdempotencyLease
	}
	if o.IdempotencyTTL < 0 || o.IdempotencyLease < 0 {
		return nil, fmt.Errorf("tenancy: new service: %w", invalidf("idempotency durations must be positive"))
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return &Service{store: store, auth: auth, hasher: o.Hasher, opts: o, log: o.Logger}, nil
}

// Authenticator returns the service's token authenticator.
func (s *Service) Authenticator() *Authenticator { return s.auth }

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

func (s *Service) now() time.Time { return s.opts.Now().UTC().Truncate(time.Microsecond) }

// CreateTenant validates name (see ValidateTenantName) and creates a tenant
// with a new id. A taken name wraps ErrConflict.
func (s *Service) CreateTenant(ctx context.Context, name string) (Tenant, error) {
	if err := ValidateTenantName(name); err != nil {
		return Tenant{}, fmt.Errorf("tenancy: create tenant: %w", err)
	}
	t := Tenant{ID: uuid.New(), Name: name, CreatedAt: s.now()}
	if err := s.store.CreateTenant(ctx, t); err != nil {
		return Tenant{}, fmt.Errorf("tenancy: create tenant %q: %w", name, err)
	}
	return t, nil
}

// NewUser is a user to create.
type NewUser struct {
	Email    string
	Password string
	Role     Role
}

// validated checks the fields and returns the user with a normalized
// e-mail.
func (n NewUser) validated() (NewUser, error) {
	email, err := NormalizeEmail(n.Email)
	if err != nil {
		return n, err
	}
	n.Email = email
	if err := ValidatePassword(n.Password); err != nil {
		return n, err
	}
	if !n.Role.Valid() {
		return n, invalidf("role %q is not admin, editor or viewer", truncate(string(n.Role), 40))
	}
	return n, nil
}

// Register creates a tenant named tenantName and its first user, an admin,
// in one transaction. Invalid input wraps ErrInvalid; a taken tenant name
// or e-mail ErrConflict; a full hashing queue ErrBusy.
func (s *Service) Register(ctx context.Context, tenantName, email, password string) (Tenant, User, error) {
	if err := ValidateTenantName(tenantName); err != nil {
		return Tenant{}, User{}, fmt.Errorf("tenancy: register: %w", err)
	}
	n, err := NewUser{Email: email, Password: password, Role: RoleAdmin}.validated()
	if err != nil {
		return Tenant{}, User{}, fmt.Errorf("tenancy: register: %w", err)
	}
	hash, err := s.hasher.Hash(ctx, n.Password)
	if err != nil {
		return Tenant{}, User{}, err
	}
	now := s.now()
	t := Tenant{ID: uuid.New(), Name: tenantName, CreatedAt: now}
	u := User{ID: uuid.New(), TenantID: t.ID, Email: n.Email, Role: RoleAdmin, PasswordHash: hash, CreatedAt: now}
	if err := s.store.Register(ctx, t, u); err != nil {
		return Tenant{}, User{}, fmt.Errorf("tenancy: register: %w", err)
	}
	return t, u, nil
}

// CreateUser adds a user to tenant. The first user of a tenant is always
// its admin, whatever role was asked. When respond is not nil it is called
// with the user before it is stored and returns the idempotent response
// the store writes in the same transaction as the user (nil: none).
// Errors: ErrInvalid, ErrConflict (e-mail taken), ErrNotFound (no such
// tenant), ErrBusy.
func (s *Service) CreateUser(ctx context.Context, tenant uuid.UUID, nu NewUser, respond func(User) *Completion) (User, error) {
	n, err := nu.validated()
	if err != nil {
		return User{}, fmt.Errorf("tenancy: create user: %w", err)
	}
	if tenant == uuid.Nil {
		return User{}, fmt.Errorf("tenancy: create user: %w", invalidf("tenant id is the nil uuid"))
	}
	count, err := s.store.CountUsers(ctx, tenant)
	if err != nil {
		return User{}, fmt.Errorf("tenancy: create user: %w", err)
	}
	if count == 0 {
		n.Role = RoleAdmin
	}
	hash, err := s.hasher.Hash(ctx, n.Password)
	if err != nil {
		return User{}, err
	}
	u := User{ID: uuid.New(), TenantID: tenant, Email: n.Email, Role: n.Role, PasswordHash: hash, CreatedAt: s.now()}
	var done *Completion
	if respond != nil {
		done = respond(u)
	}
	if err := s.store.CreateUser(ctx, u, done); err != nil {
		return User{}, fmt.Errorf("tenancy: create user %q: %w", n.Email, err)
	}
	return u, nil
}

// Users lists the tenant's users.
func (s *Service) Users(ctx context.Context, tenant uuid.UUID) ([]User, error) {
	us, err := s.store.Users(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("tenancy: users: %w", err)
	}
	return us, nil
}

// DeleteUser removes a user of the tenant; a user of another tenant, or
// none, wraps ErrNotFound.
func (s *Service) DeleteUser(ctx context.Context, tenant, id uuid.UUID) error {
	if err := s.store.DeleteUser(ctx, tenant, id); err != nil {
		return fmt.Errorf("tenancy: delete user: %w", err)
	}
	return nil
}

// Token is an issued access token.
type Token struct {
	AccessToken string
	ExpiresAt   time.Time
}

// Login checks an e-mail and password and issues a token. An unknown
// e-mail and a wrong password give the same error, wrapping
// ErrUnauthorized, after the same Argon2id work. When the stored hash's
// parameters differ from the hasher's, it is replaced. ErrBusy when the
// hashing queue is full.
func (s *Service) Login(ctx context.Context, email, password string) (Token, User, error) {
	fail := Errorf(ErrUnauthorized, "wrong e-mail or password")
	if len(password) > MaxPasswordBytes {
		return Token{}, User{}, fail
	}
	normalized, err := NormalizeEmail(email)
	if err != nil {
		// Same work as any failure, so the shape of the address tells
		// nothing either.
		if derr := s.hasher.VerifyDummy(ctx, password); derr != nil {
			return Token{}, User{}, derr
		}
		return Token{}, User{}, fail
	}
	u, err := s.store.UserByEmail(ctx, normalized)
	if errors.Is(err, ErrNotFound) {
		if derr := s.hasher.VerifyDummy(ctx, password); derr != nil {
			return Token{}, User{}, derr
		}
		return Token{}, User{}, fail
	}
	if err != nil {
		return Token{}, User{}, fmt.Errorf("tenancy: login: %w", err)
	}
	ok, rehash, err := s.hasher.Verify(ctx, u.PasswordHash, password)
	if errors.Is(err, ErrInvalid) {
		s.log.Error("tenancy: stored password hash is unusable", "user_id", u.ID.String(), "error", err)
		return Token{}, User{}, fail
	}
	if err != nil {
		return Token{}, User{}, err
	}
	if !ok {
		return Token{}, u, fail
	}
	if rehash {
		if h, err := s.hasher.Hash(ctx, password); err == nil {
			if err := s.store.SetPasswordHash(ctx, u.TenantID, u.ID, h); err != nil {
				s.log.Warn("tenancy: rehash on login failed", "user_id", u.ID.String(), "error", err)
			}
		}
	}
	tok, exp, err := s.auth.Issue(Claims{UserID: u.ID, TenantID: u.TenantID, Role: u.Role})
	if err != nil {
		return Token{}, User{}, err
	}
	return Token{AccessToken: tok, ExpiresAt: exp}, u, nil
}

// Authenticate verifies a bearer token; see Authenticator.Verify.
func (s *Service) Authenticate(token string) (Claims, error) { return s.auth.Verify(token) }

// RequestHash identifies an idempotent request by method, path and body.
func RequestHash(method, path string, body []byte) []byte {
	h := sha256.New()
	h.Write([]byte(method))
	h.Write([]byte{0})
	h.Write([]byte(path))
	h.Write([]byte{0})
	h.Write(body)
	return h.Sum(nil)
}

// ValidateIdempotencyKey reports why key cannot be an Idempotency-Key: it
// must have 1 to 255 printable ASCII characters. The error wraps
// ErrInvalid.
func ValidateIdempotencyKey(key string) error {
	if key == "" || len(key) > MaxIdempotencyKeyLen {
		return invalidf("Idempotency-Key must have 1 to %d characters", MaxIdempotencyKeyLen)
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return invalidf("Idempotency-Key may hold only printable ASCII characters")
		}
	}
	return nil
}

// ClaimIdempotencyKey claims key for a request of tenant with hash; see
// IdempotencyStore.ClaimIdempotencyKey. Keys expire after IdempotencyTTL;
// a key in flight longer than IdempotencyLease may be claimed again.
func (s *Service) ClaimIdempotencyKey(ctx context.Context, tenant uuid.UUID, key string, hash []byte) (*IdempotentResponse, error) {
	if err := ValidateIdempotencyKey(key); err != nil {
		return nil, fmt.Errorf("tenancy: idempotency: %w", err)
	}
	now := s.now()
	r, err := s.store.ClaimIdempotencyKey(ctx, IdempotencyClaim{
		TenantID: tenant, Key: key, Hash: hash, Now: now,
		ExpiredBefore: now.Add(-s.opts.IdempotencyTTL),
		StaleBefore:   now.Add(-s.opts.IdempotencyLease),
	})
	if err != nil {
		return nil, fmt.Errorf("tenancy: idempotency key: %w", err)
	}
	return r, nil
}

// CompleteIdempotencyKey stores the response of a claimed key.
func (s *Service) CompleteIdempotencyKey(ctx context.Context, done Completion) error {
	if err := s.store.CompleteIdempotencyKey(ctx, done); err != nil {
		return fmt.Errorf("tenancy: complete idempotency key: %w", err)
	}
	return nil
}

// ReleaseIdempotencyKey forgets a claimed key whose request failed, so it
// may be retried.
func (s *Service) ReleaseIdempotencyKey(ctx context.Context, tenant uuid.UUID, key string) error {
	if err := s.store.ReleaseIdempotencyKey(ctx, tenant, key); err != nil {
		return fmt.Errorf("tenancy: release idempotency key: %w", err)
	}
	return nil
}

// Audit appends e to the audit log, setting At when zero.
func (s *Service) Audit(ctx context.Context, e AuditEntry) error {
	if e.TenantID == uuid.Nil || e.Action == "" {
		return fmt.Errorf("tenancy: audit: %w", invalidf("tenant and action are required"))
	}
	if e.At.IsZero() {
		e.At = s.now()
	}
	if err := s.store.AppendAudit(ctx, e); err != nil {
		return fmt.Errorf("tenancy: audit: %w", err)
	}
	return nil
}

// AuditPage lists up to limit (1..500) of the tenant's audit entries,
// newest first, after cursor ("" for the first page). It returns the
// cursor of the next page, "" when there is none. A malformed cursor wraps
// ErrInvalid.
func (s *Service) AuditPage(ctx context.Context, tenant uuid.UUID, limit int, cursor string) ([]AuditEntry, string, error) {
	if limit < 1 || limit > MaxAuditPage {
		return nil, "", fmt.Errorf("tenancy: audit: %w", invalidf("limit must be within 1..%d", MaxAuditPage))
	}
	var before int64
	if cursor != "" {
		v, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil || v <= 0 {
			return nil, "", fmt.Errorf("tenancy: audit: %w", invalidf("cursor is malformed"))
		}
		before = v
	}
	es, err := s.store.AuditEntries(ctx, tenant, before, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("tenancy: audit: %w", err)
	}
	next := ""
	if len(es) > limit {
		es = es[:limit]
		next = strconv.FormatInt(es[limit-1].ID, 10)
	}
	return es, next, nil
}
