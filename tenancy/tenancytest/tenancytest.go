// Package tenancytest holds the conformance suites of tenancy's storage
// and rate-limit contracts. Every adapter runs them unchanged from a test
// of its own:
//
//	func TestTenancyConformance(t *testing.T) {
//		tenancytest.RunStore(t, func(t *testing.T) tenancy.Store {
//			return newStoreOnAFreshDatabase(t)
//		})
//	}
//
//	func TestLimiterConformance(t *testing.T) {
//		tenancytest.RunLimiter(t, func(t *testing.T) tenancy.LimitDriver {
//			return newDriver(t)
//		})
//	}
//
// Subtests work with tenants of their own, named uniquely, and never depend
// on the store being empty.
//
// # What RunStore holds a store to
//
//   - Errors wrap tenancy's sentinels; a taken tenant name or e-mail is
//     tenancy.ErrConflict with a client message naming which, and the
//     error's text holds no backend text (no SQL, no "duplicate key").
//   - Tenant names are checked: "", "../evil", "/abs" and a 5,000-character
//     name wrap tenancy.ErrInvalid.
//   - An e-mail is unique across tenants; Register is atomic (a taken
//     e-mail leaves no tenant behind).
//   - Tenant-scoped methods see only the given tenant's rows: another
//     tenant's user is not listed, counted or deleted (ErrNotFound).
//   - The audit log pages newest first and is per tenant.
//   - An idempotency key: claimed once; in flight → ErrConflict; another
//     hash → ErrMismatch; completed → the stored response; released,
//     expired or stale → claimable again; of concurrent claims exactly one
//     wins; CreateUser with a Completion completes the key in the same
//     transaction, and a CreateUser that fails leaves it in flight.
package tenancytest

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/tenancy"
)

// a cheap, well-formed PHC string: the suite never verifies it.
const fakeHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

type fixture struct {
	ctx    context.Context
	s      tenancy.Store
	suffix string
}

func (f *fixture) name(base string) string { return base + "-" + f.suffix }

func (f *fixture) email(base string) string { return base + "-" + f.suffix + "@example.com" }

func (f *fixture) now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// tenant creates a tenant named base (made unique).
func (f *fixture) tenant(t *testing.T, base string) tenancy.Tenant {
	t.Helper()
	tn := tenancy.Tenant{ID: uuid.New(), Name: f.name(base), CreatedAt: f.now()}
	require.NoError(t, f.s.CreateTenant(f.ctx, tn))
	return tn
}

// user creates a user of tenant.
func (f *fixture) user(t *testing.T, tenant uuid.UUID, base string, role tenancy.Role) tenancy.User {
	t.Helper()
	u := tenancy.User{ID: uuid.New(), TenantID: tenant, Email: f.email(base), Role: role, PasswordHash: fakeHash, CreatedAt: f.now()}
	require.NoError(t, f.s.CreateUser(f.ctx, u, nil))
	return u
}

func requireIs(t *testing.T, err, target error, msgAndArgs ...any) {
	t.Helper()
	require.Error(t, err, msgAndArgs...)
	require.True(t, errors.Is(err, target), "error %q does not wrap %q", err, target)
}

// requireClean checks a conflict's text holds no backend text.
func requireClean(t *testing.T, err error, public string) {
	t.Helper()
	requireIs(t, err, tenancy.ErrConflict)
	require.Equal(t, public, tenancy.PublicMessage(err))
	low := strings.ToLower(err.Error())
	for _, leak := range []string{"duplicate", "violates", "constraint", "sqlstate", "insert"} {
		require.NotContains(t, low, leak, "conflict error leaks backend text: %q", err)
	}
}

type test struct {
	name string
	run  func(t *testing.T, f *fixture)
}

// RunStore runs the store conformance suite; newStore returns the store
// under test (closed by the caller's cleanup).
func RunStore(t *testing.T, newStore func(t *testing.T) tenancy.Store) {
	groups := map[string][]test{
		"Tenants": tenantTests, "Users": userTests, "Audit": auditTests, "Idempotency": idempotencyTests,
	}
	for group, tests := range groups {
		t.Run(group, func(t *testing.T) {
			for _, tc := range tests {
				t.Run(tc.name, func(t *testing.T) {
					s := newStore(t)
					require.NotNil(t, s, "newStore returned nil")
					tc.run(t, &fixture{ctx: t.Context(), s: s, suffix: uuid.NewString()[:8]})
				})
			}
		})
	}
}

var tenantTests = []test{
	{"CreateAndFind", func(t *testing.T, f *fixture) {
		a := f.tenant(t, "a")
		got, err := f.s.Tenant(f.ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, a.Name, got.Name)
		require.Equal(t, 0, got.RateLimit)
		require.WithinDuration(t, a.CreatedAt, got.CreatedAt, time.Millisecond)
		got, err = f.s.TenantByName(f.ctx, a.Name)
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID)
	}},
	{"NotFound", func(t *testing.T, f *fixture) {
		_, err := f.s.Tenant(f.ctx, uuid.New())
		requireIs(t, err, tenancy.ErrNotFound)
		_, err = f.s.TenantByName(f.ctx, f.name("nobody"))
		requireIs(t, err, tenancy.ErrNotFound)
	}},
	{"DuplicateNameIsCleanConflict", func(t *testing.T, f *fixture) {
		a := f.tenant(t, "dup")
		err := f.s.CreateTenant(f.ctx, tenancy.Tenant{ID: uuid.New(), Name: a.Name, CreatedAt: f.now()})
		requireClean(t, err, "tenant name is taken")
		got, err := f.s.TenantByName(f.ctx, a.Name)
		require.NoError(t, err)
		require.Equal(t, a.ID, got.ID, "the first tenant keeps its name")
	}},
	{"InvalidNames", func(t *testing.T, f *fixture) {
		for _, name := range []string{"", "../evil", "/abs", strings.Repeat("x", 5000), "a b", "é", strings.Repeat("y", 64)} {
			err := f.s.CreateTenant(f.ctx, tenancy.Tenant{ID: uuid.New(), Name: name, CreatedAt: f.now()})
			requireIs(t, err, tenancy.ErrInvalid, "name %.20q", name)
		}
		require.NoError(t, f.s.CreateTenant(f.ctx, tenancy.Tenant{ID: uuid.New(), Name: strings.Repeat("z", 50) + f.suffix[:8], CreatedAt: f.now()}))
	}},
	{"RateLimitOverride", func(t *testing.T, f *fixture) {
		a := f.tenant(t, "rl")
		require.NoError(t, f.s.SetRateLimit(f.ctx, a.ID, 120))
		got, err := f.s.Tenant(f.ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, 120, got.RateLimit)
		require.NoError(t, f.s.SetRateLimit(f.ctx, a.ID, 0))
		got, err = f.s.Tenant(f.ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, 0, got.RateLimit)
		requireIs(t, f.s.SetRateLimit(f.ctx, uuid.New(), 5), tenancy.ErrNotFound)
		requireIs(t, f.s.SetRateLimit(f.ctx, a.ID, -1), tenancy.ErrInvalid)
	}},
}

var userTests = []test{
	{"RegisterAndLoginLookup", func(t *testing.T, f *fixture) {
		tn := tenancy.Tenant{ID: uuid.New(), Name: f.name("reg"), CreatedAt: f.now()}
		u := tenancy.User{ID: uuid.New(), TenantID: tn.ID, Email: f.email("admin"), Role: tenancy.RoleAdmin, PasswordHash: fakeHash, CreatedAt: f.now()}
		require.NoError(t, f.s.Register(f.ctx, tn, u))
		got, err := f.s.UserByEmail(f.ctx, u.Email)
		require.NoError(t, err)
		require.Equal(t, u.ID, got.ID)
		require.Equal(t, tn.ID, got.TenantID)
		require.Equal(t, tenancy.RoleAdmin, got.Role)
		require.Equal(t, fakeHash, got.PasswordHash)
		_, err = f.s.UserByEmail(f.ctx, f.email("nobody"))
		requireIs(t, err, tenancy.ErrNotFound)
	}},
	{"RegisterIsAtomic", func(t *testing.T, f *fixture) {
		a := f.tenant(t, "first")
		taken := f.user(t, a.ID, "taken", tenancy.RoleAdmin)
		tn := tenancy.Tenant{ID: uuid.New(), Name: f.name("second"), CreatedAt: f.now()}
		u := tenancy.User{ID: uuid.New(), TenantID: tn.ID, Email: taken.Email, Role: tenancy.RoleAdmin, PasswordHash: fakeHash, CreatedAt: f.now()}
		requireClean(t, f.s.Register(f.ctx, tn, u), "e-mail is taken")
		_, err := f.s.TenantByName(f.ctx, tn.Name)
		requireIs(t, err, tenancy.ErrNotFound, "a failed registration leaves no tenant")
		u.Email = f.email("other")
		tn.Name = a.Name
		requireClean(t, f.s.Register(f.ctx, tn, u), "tenant name is taken")
		_, err = f.s.UserByEmail(f.ctx, u.Email)
		requireIs(t, err, tenancy.ErrNotFound, "a failed registration leaves no user")
	}},
	{"EmailUniqueAcrossTenants", func(t *testing.T, f *fixture) {
		a, b := f.tenant(t, "a"), f.tenant(t, "b")
		u := f.user(t, a.ID, "same", tenancy.RoleAdmin)
		dup := tenancy.User{ID: uuid.New(), TenantID: b.ID, Email: u.Email, Role: tenancy.RoleAdmin, PasswordHash: fakeHash, CreatedAt: f.now()}
		requireClean(t, f.s.CreateUser(f.ctx, dup, nil), "e-mail is taken")
	}},
	{"CreateUserUnknownTenant", func(t *testing.T, f *fixture) {
		u := tenancy.User{ID: uuid.New(), TenantID: uuid.New(), Email: f.email("x"), Role: tenancy.RoleViewer, PasswordHash: fakeHash, CreatedAt: f.now()}
		requireIs(t, f.s.CreateUser(f.ctx, u, nil), tenancy.ErrNotFound)
		requireIs(t, f.s.CreateUser(f.ctx, tenancy.User{ID: uuid.New(), Email: f.email("y"), Role: tenancy.RoleViewer, PasswordHash: fakeHash}, nil), tenancy.ErrInvalid)
	}},
	{"ListCountDeleteIsolated", func(t *testing.T, f *fixture) {
		a, b := f.tenant(t, "a"), f.tenant(t, "b")
		ua1 := f.user(t, a.ID, "a1", tenancy.RoleAdmin)
		ua2 := f.user(t, a.ID, "a2", tenancy.RoleViewer)
		ub := f.user(t, b.ID, "b1", tenancy.RoleAdmin)
		list, err := f.s.Users(f.ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, list, 2)
		require.Equal(t, ua1.ID, list[0].ID)
		require.Equal(t, ua2.ID, list[1].ID)
		require.Equal(t, tenancy.RoleViewer, list[1].Role)
		n, err := f.s.CountUsers(f.ctx, b.ID)
		require.NoError(t, err)
		require.Equal(t, 1, n)

		requireIs(t, f.s.DeleteUser(f.ctx, a.ID, ub.ID), tenancy.ErrNotFound, "another tenant's user is not found")
		requireIs(t, f.s.SetPasswordHash(f.ctx, a.ID, ub.ID, fakeHash), tenancy.ErrNotFound)
		_, err = f.s.UserByEmail(f.ctx, ub.Email)
		require.NoError(t, err, "b's user is still there")

		require.NoError(t, f.s.DeleteUser(f.ctx, a.ID, ua2.ID))
		requireIs(t, f.s.DeleteUser(f.ctx, a.ID, ua2.ID), tenancy.ErrNotFound)
		n, err = f.s.CountUsers(f.ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, 1, n)
	}},
	{"SetPasswordHash", func(t *testing.T, f *fixture) {
		a := f.tenant(t, "pw")
		u := f.user(t, a.ID, "pw", tenancy.RoleAdmin)
		newHash := strings.Replace(fakeHash, "t=2", "t=3", 1)
		require.NoError(t, f.s.SetPasswordHash(f.ctx, a.ID, u.ID, newHash))
		got, err := f.s.UserByEmail(f.ctx, u.Email)
		require.NoError(t, err)
		require.Equal(t, newHash, got.PasswordHash)
	}},
}

var auditTests = []test{
	{"AppendAndPage", func(t *testing.T, f *fixture) {
		a, b := f.tenant(t, "a"), f.tenant(t, "b")
		for i := range 5 {
			require.NoError(t, f.s.AppendAudit(f.ctx, tenancy.AuditEntry{
				TenantID: a.ID, UserID: "u1", Action: "POST /api/v1/users", Target: string(rune('a' + i)),
				RequestID: "req", Outcome: "success", Status: 201, ClientIP: "192.0.2.1", At: f.now(),
			}))
		}
		require.NoError(t, f.s.AppendAudit(f.ctx, tenancy.AuditEntry{TenantID: b.ID, Action: "POST /x", Outcome: "failure", Status: 400, At: f.now()}))
		page, err := f.s.AuditEntries(f.ctx, a.ID, 0, 3)
		require.NoError(t, err)
		require.Len(t, page, 3)
		require.Equal(t, "e", page[0].Target, "newest first")
		require.Equal(t, "u1", page[0].UserID)
		require.Equal(t, "192.0.2.1", page[0].ClientIP)
		require.Equal(t, 201, page[0].Status)
		require.Equal(t, a.ID, page[0].TenantID)
		rest, err := f.s.AuditEntries(f.ctx, a.ID, page[2].ID, 10)
		require.NoError(t, err)
		require.Len(t, rest, 2)
		require.Equal(t, "a", rest[1].Target)
		other, err := f.s.AuditEntries(f.ctx, b.ID, 0, 10)
		require.NoError(t, err)
		require.Len(t, other, 1)
		require.Equal(t, "failure", other[0].Outcome)
	}},
}

func (f *fixture) claim(tenant uuid.UUID, key string, hash []byte, now time.Time) tenancy.IdempotencyClaim {
	return tenancy.IdempotencyClaim{TenantID: tenant, Key: key, Hash: hash, Now: now,
		ExpiredBefore: now.Add(-24 * time.Hour), StaleBefore: now.Add(-time.Minute)}
}

var idempotencyTests = []test{
	{"Lifecycle", func(t *testing.T, f *fixture) {
		a, b := f.tenant(t, "a"), f.tenant(t, "b")
		h1, h2 := []byte("hash-1"), []byte("hash-2")
		r, err := f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "k1", h1, f.now()))
		require.NoError(t, err)
		require.Nil(t, r, "the first claim owns the key")
		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "k1", h1, f.now()))
		requireIs(t, err, tenancy.ErrConflict, "in flight")
		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "k1", h2, f.now()))
		requireIs(t, err, tenancy.ErrMismatch)
		r, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(b.ID, "k1", h2, f.now()))
		require.NoError(t, err)
		require.Nil(t, r, "keys are per tenant")

		require.NoError(t, f.s.CompleteIdempotencyKey(f.ctx, tenancy.Completion{TenantID: a.ID, Key: "k1", Status: 201, Body: []byte(`{"id":"x"}`)}))
		r, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "k1", h1, f.now()))
		require.NoError(t, err)
		require.NotNil(t, r)
		require.Equal(t, 201, r.Status)
		require.JSONEq(t, `{"id":"x"}`, string(r.Body))
		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "k1", h2, f.now()))
		requireIs(t, err, tenancy.ErrMismatch, "a completed key with another body")
		requireIs(t, f.s.CompleteIdempotencyKey(f.ctx, tenancy.Completion{TenantID: a.ID, Key: "k1", Status: 500}), tenancy.ErrNotFound, "completing twice")
	}},
	{"ReleaseExpireStale", func(t *testing.T, f *fixture) {
		a := f.tenant(t, "a")
		h := []byte("h")
		_, err := f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "rel", h, f.now()))
		require.NoError(t, err)
		require.NoError(t, f.s.ReleaseIdempotencyKey(f.ctx, a.ID, "rel"))
		r, err := f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "rel", h, f.now()))
		require.NoError(t, err)
		require.Nil(t, r, "a released key is claimable again")

		old := f.now().Add(-25 * time.Hour)
		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "exp", h, old))
		require.NoError(t, err)
		require.NoError(t, f.s.CompleteIdempotencyKey(f.ctx, tenancy.Completion{TenantID: a.ID, Key: "exp", Status: 200, Body: []byte(`{}`)}))
		r, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "exp", []byte("other"), f.now()))
		require.NoError(t, err)
		require.Nil(t, r, "an expired key is forgotten, whatever its hash")

		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "stale", h, f.now().Add(-2*time.Minute)))
		require.NoError(t, err)
		r, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "stale", h, f.now()))
		require.NoError(t, err)
		require.Nil(t, r, "a key in flight past the lease is abandoned")
		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "stale", h, f.now()))
		requireIs(t, err, tenancy.ErrConflict, "and now in flight again")
	}},
	{"ConcurrentClaimsOneWins", func(t *testing.T, f *fixture) {
		a := f.tenant(t, "a")
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "race", []byte("h"), f.now()))
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
				continue
			}
			requireIs(t, err, tenancy.ErrConflict)
		}
		require.Equal(t, 1, won)
	}},
	{"CompletionInSameTransaction", func(t *testing.T, f *fixture) {
		a := f.tenant(t, "a")
		_, err := f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "tx", []byte("h"), f.now()))
		require.NoError(t, err)
		u := tenancy.User{ID: uuid.New(), TenantID: a.ID, Email: f.email("tx"), Role: tenancy.RoleAdmin, PasswordHash: fakeHash, CreatedAt: f.now()}
		done := &tenancy.Completion{TenantID: a.ID, Key: "tx", Status: 201, Body: []byte(`{"id":"` + u.ID.String() + `"}`)}
		require.NoError(t, f.s.CreateUser(f.ctx, u, done))
		r, err := f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "tx", []byte("h"), f.now()))
		require.NoError(t, err)
		require.NotNil(t, r)
		require.Equal(t, 201, r.Status)

		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "tx2", []byte("h"), f.now()))
		require.NoError(t, err)
		dup := u
		dup.ID = uuid.New()
		requireIs(t, f.s.CreateUser(f.ctx, dup, &tenancy.Completion{TenantID: a.ID, Key: "tx2", Status: 201, Body: []byte(`{}`)}), tenancy.ErrConflict)
		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "tx2", []byte("h"), f.now()))
		requireIs(t, err, tenancy.ErrConflict, "a failed side effect leaves the key in flight, not completed")

		_, err = f.s.ClaimIdempotencyKey(f.ctx, f.claim(a.ID, "tx3", []byte("h"), f.now()))
		require.NoError(t, err)
		other := tenancy.User{ID: uuid.New(), TenantID: a.ID, Email: f.email("tx3"), Role: tenancy.RoleViewer, PasswordHash: fakeHash, CreatedAt: f.now()}
		requireIs(t, f.s.CreateUser(f.ctx, other, &tenancy.Completion{TenantID: a.ID, Key: "not-claimed", Status: 201}), tenancy.ErrNotFound)
		_, err = f.s.UserByEmail(f.ctx, other.Email)
		requireIs(t, err, tenancy.ErrNotFound, "a completion that fails rolls the user back")
	}},
}
