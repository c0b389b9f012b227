package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
)

// syncBuffer is a bytes.Buffer safe for the server's logger and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestServerLocalModeServesHealthAndShutsDown(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	t.Setenv("REDIS_URL", "")
	addr := freeAddr(t)
	dir := testenv.DataDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", addr, "-data-dir", dir}, &logs) }()

	base := "http://" + addr
	waitReady(t, base, &logs)

	var ready map[string]string
	getJSON(t, base+"/readyz", http.StatusOK, &ready)
	require.Equal(t, "local", ready["mode"])
	getJSON(t, base+"/healthz", http.StatusOK, nil)

	resp, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(body), "go_goroutines")

	var nf struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	getJSON(t, base+"/nope", http.StatusNotFound, &nf)
	require.Equal(t, "not_found", nf.Error.Code)

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not shut down")
	}
	require.Contains(t, logs.String(), "shutting down")
}

func TestServerRefusesProductionWithoutSecret(t *testing.T) {
	t.Setenv("AOS_JWT_SECRET", "")
	err := run(context.Background(), []string{
		"-addr", "127.0.0.1:0", "-data-dir", testenv.DataDir(t),
		"-database-url", "postgres://x@127.0.0.1:1/x", "-redis-url", "redis://127.0.0.1:1",
	}, io.Discard)
	require.ErrorContains(t, err, "AOS_JWT_SECRET")
}

func TestBadLogLevel(t *testing.T) {
	err := run(context.Background(), []string{"-log-level", "loud", "-data-dir", testenv.DataDir(t)}, io.Discard)
	require.ErrorContains(t, err, "AOS_LOG_LEVEL")
}

func getJSON(t *testing.T, url string, status int, into any) {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, status, resp.StatusCode, url)
	require.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	if into != nil {
		require.NoError(t, json.NewDecoder(resp.Body).Decode(into), fmt.Sprintf("decode %s", url))
	}
}
