package main

import (
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/internal/faultproxy"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
)

// TestTakenPortRunsNoJobs: a second instance whose port is taken exits
// before its workers run anything.
func TestTakenPortRunsNoJobs(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("REDIS_URL", "")
	ctx := testenv.Context(t)
	dir := testenv.DataDir(t)
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	var ids []string
	for range 5 {
		j, err := p.Jobs().Enqueue(ctx, jobs.Job{Tenant: "acme", Type: jobs.TypeTest})
		require.NoError(t, err)
		ids = append(ids, j.ID)
	}
	require.NoError(t, p.Close())

	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	err = run(ctx, []string{"-addr", taken.Addr().String(), "-data-dir", dir}, io.Discard)
	require.ErrorContains(t, err, "listen on")

	p, err = autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	defer p.Close()
	for _, id := range ids {
		j, err := p.Jobs().Get(ctx, "acme", id)
		require.NoError(t, err)
		require.Equal(t, jobs.StateQueued, j.State, "the instance that could not bind its port ran a job")
	}
}

// TestReadyzHidesBackendDetails: when PostgreSQL is unreachable (the proxy
// in front of it refuses and cuts connections), /readyz answers 503 without
// the database user, name or address.
func TestReadyzHidesBackendDetails(t *testing.T) {
	ctx := testenv.Context(t)
	dsn := testenv.PostgresURL(t)
	u, err := url.Parse(dsn)
	require.NoError(t, err)
	proxy, err := faultproxy.New(u.Host)
	require.NoError(t, err)
	defer proxy.Close()
	dbName := strings.TrimPrefix(u.Path, "/")
	u.Host = proxy.Addr()
	var logs syncBuffer
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: testenv.DataDir(t), DatabaseURL: u.String(),
		RedisURL: testenv.RedisURL(), JWTSecret: strings.Repeat("s", 40),
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	require.NoError(t, err)
	defer p.Close()
	mux, err := newMux(p, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	getJSON(t, srv.URL+"/readyz", http.StatusOK, nil)
	proxy.Refuse(true)
	proxy.Cut()
	c := &http.Client{Timeout: 10 * time.Second}
	var body string
	require.Eventually(t, func() bool {
		resp, err := c.Get(srv.URL + "/readyz")
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusServiceUnavailable
	}, 20*time.Second, 100*time.Millisecond)
	bodies := []string{body}
	for range 5 { // later probes need new connections, whose errors say more
		resp, err := c.Get(srv.URL + "/readyz")
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		bodies = append(bodies, string(b))
	}
	for _, body := range bodies {
		for _, secret := range []string{"user=", u.User.Username(), dbName, proxy.Addr(), "127.0.0.1"} {
			require.NotContains(t, body, secret)
		}
	}
	require.Contains(t, body, `"unavailable"`)
	require.Contains(t, logs.String(), "not ready", "the cause goes to the log")
}
