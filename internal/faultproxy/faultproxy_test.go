package faultproxy_test

import (
	"bufio"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/faultproxy"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// echo starts a line echo server and returns its address.
func echo(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	done := make(chan struct{})
	t.Cleanup(func() { _ = ln.Close(); <-done })
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				r := bufio.NewReader(c)
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if _, err := c.Write([]byte(line)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func setup(t *testing.T) (*faultproxy.Proxy, net.Conn, *bufio.Reader) {
	t.Helper()
	p, err := faultproxy.New(echo(t))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, p.Close()) })
	c, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return p, c, bufio.NewReader(c)
}

func roundTrip(t *testing.T, c net.Conn, r *bufio.Reader, msg string, wait time.Duration) (string, error) {
	t.Helper()
	require.NoError(t, c.SetDeadline(time.Now().Add(wait)))
	if _, err := c.Write([]byte(msg + "\n")); err != nil {
		return "", err
	}
	return r.ReadString('\n')
}

func TestForwardAndLatency(t *testing.T) {
	t.Parallel()
	p, c, r := setup(t)
	got, err := roundTrip(t, c, r, "a", 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "a\n", got)

	p.SetLatency(100 * time.Millisecond)
	start := time.Now()
	got, err = roundTrip(t, c, r, "b", 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "b\n", got)
	require.GreaterOrEqual(t, time.Since(start), 200*time.Millisecond, "two one-way delays")
}

func TestBlackholeIsSilent(t *testing.T) {
	t.Parallel()
	p, c, r := setup(t)
	p.Blackhole(true)
	_, err := roundTrip(t, c, r, "lost", 300*time.Millisecond)
	var ne net.Error
	require.ErrorAs(t, err, &ne)
	require.True(t, ne.Timeout(), "the peer sees silence, not a closed connection: %v", err)
	p.Blackhole(false)
	got, err := roundTrip(t, c, r, "back", 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, "back\n", got, "the connection still works; the swallowed line is gone")
}

func TestCut(t *testing.T) {
	t.Parallel()
	p, c, r := setup(t)
	_, err := roundTrip(t, c, r, "x", 5*time.Second)
	require.NoError(t, err)
	require.Equal(t, 1, p.Cut())
	_, err = roundTrip(t, c, r, "y", 5*time.Second)
	require.Error(t, err, "a cut connection fails at once")
	accepted, cut := p.Stats()
	require.EqualValues(t, 1, accepted)
	require.EqualValues(t, 1, cut)

	p.Refuse(true)
	c2, err := net.Dial("tcp", p.Addr())
	require.NoError(t, err)
	defer c2.Close()
	_, err = roundTrip(t, c2, bufio.NewReader(c2), "z", 2*time.Second)
	require.Error(t, err, "refused connections are closed")
}
