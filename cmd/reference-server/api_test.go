package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
)

func postJSON(t *testing.T, url, token string, body any) (int, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(body)
	require.NoError(t, err)
	req, err := http.NewRequest("POST", url, bytes.NewReader(raw))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// TestServerMountsTheAPI: the server serves the auth and users routes in
// local mode, and -open-registration=false closes registration.
func TestServerMountsTheAPI(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("REDIS_URL", "")
	for _, open := range []bool{true, false} {
		addr := freeAddr(t)
		ctx, cancel := context.WithCancel(context.Background())
		var logs syncBuffer
		done := make(chan error, 1)
		args := []string{"-addr", addr, "-data-dir", testenv.DataDir(t)}
		if !open {
			args = append(args, "-open-registration=false")
		}
		go func() { done <- run(ctx, args, &logs) }()
		base := "http://" + addr
		waitReady(t, base, &logs)

		status, body := postJSON(t, base+"/api/v1/auth/register", "", map[string]string{
			"tenant_name": "acme", "email": "admin@acme.example", "password": "correct horse battery"})
		if !open {
			require.Equal(t, http.StatusForbidden, status, "%v", body)
		} else {
			require.Equal(t, http.StatusCreated, status, "%v", body)
			status, body = postJSON(t, base+"/api/v1/auth/login", "", map[string]string{
				"email": "admin@acme.example", "password": "correct horse battery"})
			require.Equal(t, http.StatusOK, status, "%v", body)
			req, _ := http.NewRequest("GET", base+"/api/v1/users", nil)
			req.Header.Set("Authorization", "Bearer "+body["access_token"].(string))
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			require.Equal(t, http.StatusOK, resp.StatusCode)
			require.NotEmpty(t, resp.Header.Get("RateLimit-Policy"))
		}
		cancel()
		require.NoError(t, <-done)
		require.NotContains(t, logs.String(), "correct horse", "no password in the logs")
	}
}

func TestServerRefusesBadTenancySettings(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("REDIS_URL", "")
	err := run(context.Background(), []string{"-data-dir", testenv.DataDir(t), "-rate-limit-fail", "sometimes"}, &bytes.Buffer{})
	require.ErrorContains(t, err, "AOS_RATE_LIMIT_FAIL")
	t.Setenv("AOS_RATE_LIMIT", "lots")
	err = run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data-dir", testenv.DataDir(t)}, &bytes.Buffer{})
	require.ErrorContains(t, err, "AOS_RATE_LIMIT")
}

// waitReady waits until the server at base answers /readyz with 200.
func waitReady(t *testing.T, base string, logs *syncBuffer) {
	t.Helper()
	require.Eventually(t, func() bool {
		resp, err := http.Get(base + "/readyz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 20*time.Second, 50*time.Millisecond, "server never became ready; logs:\n%s", logs)
}
