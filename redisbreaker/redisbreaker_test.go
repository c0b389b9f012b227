package redisbreaker_test

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/faultproxy"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/redisqueue"
	"github.com/autonomos/autonomos/redisbreaker"
)

// TestRedisLatencyBreaker: with 2s of Redis latency, enqueues on the request
// path stay bounded (p99 about the call timeout), the breaker opens and
// then fails fast, and it closes again once Redis is fast.
func TestRedisLatencyBreaker(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	env := testenv.NewRedis(t)
	u, err := url.Parse(testenv.RedisURL())
	require.NoError(t, err)
	proxy, err := faultproxy.New(u.Host)
	require.NoError(t, err)
	defer proxy.Close()
	opt, err := redis.ParseURL(testenv.RedisURL())
	require.NoError(t, err)
	opt.Addr = proxy.Addr()
	rdb := redis.NewClient(redisqueue.BoundOptions(opt))
	defer rdb.Close()
	d, err := redisqueue.New(rdb, &redisqueue.Options{Prefix: env.Prefix})
	require.NoError(t, err)
	var states []string
	b, err := redisbreaker.New(&redisbreaker.Options{CallTimeout: 200 * time.Millisecond, Failures: 3,
		OpenFor: 500 * time.Millisecond, OnStateChange: func(_, s string) { states = append(states, s) }})
	require.NoError(t, err)
	q, err := jobs.New(d, &jobs.Options{EnqueueGuard: b})
	require.NoError(t, err)
	_, err = q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "t"})
	require.NoError(t, err)

	proxy.SetLatency(time.Second) // 2s per round trip
	var took []time.Duration
	var unavailable, timedOut int
	for range 40 {
		start := time.Now()
		_, err := q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "t"})
		took = append(took, time.Since(start))
		require.Error(t, err)
		switch {
		case errors.Is(err, jobs.ErrUnavailable):
			require.ErrorIs(t, err, redisbreaker.ErrOpen)
			unavailable++
		case errors.Is(err, context.DeadlineExceeded):
			timedOut++
		default:
			t.Fatalf("unexpected error %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	p99 := took[len(took)*99/100]
	t.Logf("2s Redis latency: %d timed out, %d refused by the open breaker, p50 %s, p99 %s, breaker %v",
		timedOut, unavailable, took[len(took)/2], p99, states)
	require.Less(t, p99, 500*time.Millisecond, "p99 of enqueue under 2s latency")
	require.Positive(t, unavailable, "the breaker opened")
	require.Contains(t, states, "open")

	proxy.SetLatency(0)
	require.Eventually(t, func() bool {
		_, err := q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "t"})
		return err == nil
	}, 10*time.Second, 100*time.Millisecond, "the breaker closes again once Redis is fast")
	require.Equal(t, "closed", b.State())
}

func TestCallerCancelNotCounted(t *testing.T) {
	t.Parallel()
	b, err := redisbreaker.New(&redisbreaker.Options{Failures: 1})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	err = b.Do(ctx, func(c context.Context) error { cancel(); return c.Err() })
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, "closed", b.State())
	require.ErrorIs(t, b.Do(context.Background(), func(context.Context) error { return redis.Nil }), redis.Nil)
	require.Equal(t, "closed", b.State(), "redis.Nil is an answer")
	require.Error(t, b.Do(context.Background(), func(context.Context) error { return errors.New("down") }))
	require.Equal(t, "open", b.State())
	require.ErrorIs(t, b.Do(context.Background(), func(context.Context) error { return nil }), redisbreaker.ErrOpen)
	_, err = redisbreaker.New(&redisbreaker.Options{Failures: -1})
	require.Error(t, err)
}
