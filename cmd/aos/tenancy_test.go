package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/tenancy"
)

// TestTenantUserToken: an operator creates a tenant and its admin with the
// CLI, mints a token, and the platform on the same data directory accepts
// it with the user's role.
func TestTenantUserToken(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("REDIS_URL", "")
	t.Setenv("AOS_JWT_SECRET", "")
	dir := testenv.DataDir(t)

	code, out, errOut := runCLI(t, "tenant", "create", "--data-dir", dir, "--name", "acme", "--rate-limit", "120")
	require.Equal(t, 0, code, errOut)
	var tn tenancy.Tenant
	require.NoError(t, json.Unmarshal([]byte(out), &tn))
	require.Equal(t, "acme", tn.Name)
	require.Equal(t, 120, tn.RateLimit)

	code, _, errOut = runCLI(t, "tenant", "create", "--data-dir", dir, "--name", "acme")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "tenant name is taken")
	require.NotContains(t, strings.ToLower(errOut), "duplicate")
	for _, bad := range []string{"../evil", "/abs", strings.Repeat("x", 5000)} {
		code, _, errOut = runCLI(t, "tenant", "create", "--data-dir", dir, "--name", bad)
		require.Equal(t, 2, code, errOut)
	}

	t.Setenv("AOS_USER_PASSWORD", "correct horse battery")
	code, out, errOut = runCLI(t, "user", "create", "--data-dir", dir, "--tenant", "acme", "--email", "Ops@Acme.example", "--role", "viewer")
	require.Equal(t, 0, code, errOut)
	var u tenancy.User
	require.NoError(t, json.Unmarshal([]byte(out), &u))
	require.Equal(t, tenancy.RoleAdmin, u.Role, "the first user is the admin")
	require.NotContains(t, out, "argon2", "no hash printed")
	code, out, errOut = runCLI(t, "user", "create", "--data-dir", dir, "--tenant", tn.ID.String(), "--email", "viewer@acme.example", "--role", "viewer")
	require.Equal(t, 0, code, errOut)
	t.Setenv("AOS_USER_PASSWORD", "short")
	code, _, _ = runCLI(t, "user", "create", "--data-dir", dir, "--tenant", "acme", "--email", "x@acme.example")
	require.Equal(t, 2, code)

	code, out, errOut = runCLI(t, "token", "--data-dir", dir, "--tenant", "acme", "--user", "ops@acme.example")
	require.Equal(t, 0, code, errOut)
	var tok struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &tok))
	require.Equal(t, "bearer", tok.TokenType)
	require.Equal(t, 1800, tok.ExpiresIn)
	code, _, errOut = runCLI(t, "token", "--data-dir", dir, "--tenant", "acme", "--user", "viewer@acme.example", "--role", "admin")
	require.Equal(t, 2, code, "no escalation")
	require.Contains(t, errOut, "cannot get a admin token")

	p, err := autonomos.Open(context.Background(), autonomos.Config{DataDir: dir})
	require.NoError(t, err)
	defer p.Close()
	claims, err := p.Tenancy().Authenticate(tok.AccessToken)
	require.NoError(t, err, "the server on the same data directory accepts the token")
	require.Equal(t, tn.ID, claims.TenantID)
	require.Equal(t, u.ID, claims.UserID)
	require.Equal(t, tenancy.RoleAdmin, claims.Role)
}

// TestTokenOfflineWithSecret: with AOS_JWT_SECRET, ids and a role, a token
// is minted without any store, and verifies with the same key set.
func TestTokenOfflineWithSecret(t *testing.T) {
	secret := strings.Repeat("s", 40)
	t.Setenv("AOS_JWT_SECRET", secret)
	t.Setenv("AOS_JWT_KID", "2026-12")
	tenant, user := uuid.New(), uuid.New()
	code, out, errOut := runCLI(t, "token", "--data-dir", "/nonexistent/never-opened",
		"--tenant", tenant.String(), "--user", user.String(), "--role", "editor")
	require.Equal(t, 0, code, errOut)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &tok))
	auth, err := tenancy.NewAuthenticator(tenancy.Key{ID: "2026-12", Secret: []byte(secret)}, nil, nil)
	require.NoError(t, err)
	c, err := auth.Verify(tok.AccessToken)
	require.NoError(t, err)
	require.Equal(t, tenant, c.TenantID)
	require.Equal(t, tenancy.RoleEditor, c.Role)
}
