package tenancy_test

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/tenancytest"
)

var testKey = tenancy.Key{ID: "k1", Secret: []byte("0123456789abcdef0123456789abcdef")}

func newAuth(t testing.TB, opts *tenancy.TokenOptions, verifyOnly ...tenancy.Key) *tenancy.Authenticator {
	t.Helper()
	a, err := tenancy.NewAuthenticator(testKey, verifyOnly, opts)
	require.NoError(t, err)
	return a
}

func TestTokenRoundTrip(t *testing.T) {
	t.Parallel()
	a := newAuth(t, nil)
	c := tenancy.Claims{UserID: uuid.New(), TenantID: uuid.New(), Role: tenancy.RoleEditor}
	tok, exp, err := a.Issue(c)
	require.NoError(t, err)
	require.WithinDuration(t, time.Now().Add(30*time.Minute), exp, 2*time.Second)
	got, err := a.Verify(tok)
	require.NoError(t, err)
	require.Equal(t, c.UserID, got.UserID)
	require.Equal(t, c.TenantID, got.TenantID)
	require.Equal(t, tenancy.RoleEditor, got.Role)
	require.Equal(t, exp.Unix(), got.ExpiresAt.Unix())
}

func TestTokenRefusesEveryBadKind(t *testing.T) {
	t.Parallel()
	a := newAuth(t, nil)
	for _, bad := range tenancytest.BadTokens(testKey, uuid.New(), uuid.New(), tenancy.RoleViewer) {
		t.Run(bad.Name, func(t *testing.T) {
			_, reason, err := a.VerifyReason(bad.Token)
			require.ErrorIs(t, err, tenancy.ErrUnauthorized)
			require.NotEmpty(t, reason)
			require.Equal(t, "invalid or expired token", tenancy.PublicMessage(err), "one message for every failure")
		})
	}
}

func TestTokenRotation(t *testing.T) {
	t.Parallel()
	old := newAuth(t, nil)
	tok, _, err := old.Issue(tenancy.Claims{UserID: uuid.New(), TenantID: uuid.New(), Role: tenancy.RoleAdmin})
	require.NoError(t, err)

	next := tenancy.Key{ID: "k2", Secret: []byte("fedcba9876543210fedcba9876543210")}
	rotated, err := tenancy.NewAuthenticator(next, []tenancy.Key{testKey}, nil)
	require.NoError(t, err)
	_, err = rotated.Verify(tok)
	require.NoError(t, err, "the old key still verifies during rotation")
	newTok, _, err := rotated.Issue(tenancy.Claims{UserID: uuid.New(), TenantID: uuid.New(), Role: tenancy.RoleAdmin})
	require.NoError(t, err)
	_, err = old.Verify(newTok)
	require.ErrorIs(t, err, tenancy.ErrUnauthorized, "the old set does not know k2")

	retired, err := tenancy.NewAuthenticator(next, nil, nil)
	require.NoError(t, err)
	_, err = retired.Verify(tok)
	require.ErrorIs(t, err, tenancy.ErrUnauthorized, "a removed key verifies nothing")
}

func TestTokenLeewayAndExpiry(t *testing.T) {
	t.Parallel()
	now := time.Now()
	clock := func() time.Time { return now }
	a := newAuth(t, &tenancy.TokenOptions{Now: clock, Leeway: 10 * time.Second})
	tok, _, err := a.Issue(tenancy.Claims{UserID: uuid.New(), TenantID: uuid.New(), Role: tenancy.RoleAdmin})
	require.NoError(t, err)
	now = now.Add(30*time.Minute + 5*time.Second)
	_, err = a.Verify(tok)
	require.NoError(t, err, "within leeway")
	now = now.Add(10 * time.Second)
	_, err = a.Verify(tok)
	require.ErrorIs(t, err, tenancy.ErrUnauthorized, "past leeway")

	_, err = tenancy.NewAuthenticator(testKey, nil, &tenancy.TokenOptions{Leeway: time.Minute})
	require.ErrorIs(t, err, tenancy.ErrInvalid, "leeway above 30 s")
	_, err = tenancy.NewAuthenticator(tenancy.Key{ID: "short", Secret: []byte("too short")}, nil, nil)
	require.ErrorIs(t, err, tenancy.ErrInvalid)
	_, err = tenancy.NewAuthenticator(tenancy.Key{ID: "../x", Secret: testKey.Secret}, nil, nil)
	require.ErrorIs(t, err, tenancy.ErrInvalid)
	_, err = tenancy.NewAuthenticator(testKey, []tenancy.Key{testKey}, nil)
	require.ErrorIs(t, err, tenancy.ErrInvalid, "duplicate kid")
}

func BenchmarkVerify(b *testing.B) {
	a := newAuth(b, nil)
	tok, _, err := a.Issue(tenancy.Claims{UserID: uuid.New(), TenantID: uuid.New(), Role: tenancy.RoleAdmin})
	require.NoError(b, err)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	a := newAuth(f, nil)
	tok, _, err := a.Issue(tenancy.Claims{UserID: uuid.New(), TenantID: uuid.New(), Role: tenancy.RoleAdmin})
	require.NoError(f, err)
	f.Add(tok)
	f.Add("")
	f.Add("a.b.c")
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := a.Verify(s)
		if err == nil {
			// Only a token this key signed may pass.
			require.NotEqual(t, uuid.Nil, c.UserID)
			require.True(t, c.Role.Valid())
		} else {
			require.ErrorIs(t, err, tenancy.ErrUnauthorized)
		}
	})
}
