package redisqueue_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/faultproxy"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/redisqueue"
)

// faulty is a driver whose Redis traffic goes through a fault proxy, next to
// a direct driver on the same keys for checking what was stored.
type faulty struct {
	proxy  *faultproxy.Proxy
	client *redis.Client // through the proxy
	d      *redisqueue.Driver
	direct *redisqueue.Driver
	env    *testenv.Redis
}

func newFaulty(t *testing.T, tune func(*redis.Options)) *faulty {
	t.Helper()
	env := testenv.NewRedis(t)
	u, err := url.Parse(testenv.RedisURL())
	require.NoError(t, err)
	p, err := faultproxy.New(u.Host)
	require.NoError(t, err)
	t.Cleanup(func() { _ = p.Close() })
	opt, err := redis.ParseURL(testenv.RedisURL())
	require.NoError(t, err)
	opt.Addr = p.Addr()
	if tune != nil {
		tune(opt)
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { _ = client.Close() })
	d, err := redisqueue.New(client, &redisqueue.Options{Prefix: env.Prefix})
	require.NoError(t, err)
	direct, err := redisqueue.New(env.Client, &redisqueue.Options{Prefix: env.Prefix})
	require.NoError(t, err)
	return &faulty{proxy: p, client: client, d: d, direct: direct, env: env}
}

// TestEnqueueDeadlineStillRuns: a context deadline that fires while the
// enqueue is on the wire must never leave a job stored but unreachable. The
// job is either not stored, or stored and leased by the next Dequeue.
func TestEnqueueDeadlineStillRuns(t *testing.T) {
	t.Parallel()
	f := newFaulty(t, nil)
	ctx := testenv.Context(t)
	q, err := jobs.New(f.d, nil)
	require.NoError(t, err)
	// Warm the connection and the script cache before the fault.
	_, err = q.Enqueue(ctx, jobs.Job{Tenant: "warm", Type: "t"})
	require.NoError(t, err)

	f.proxy.SetLatency(300 * time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	_, err = q.Enqueue(short, jobs.Job{ID: "late", Tenant: "t1", Type: "t"})
	cancel()
	t.Logf("enqueue under 600ms round trip with a 100ms context: %v", err)
	f.proxy.SetLatency(0)
	time.Sleep(800 * time.Millisecond) // let whatever was sent arrive

	stored, err := f.direct.Get(ctx, "t1", "late")
	if err != nil {
		require.ErrorIs(t, err, jobs.ErrNotFound)
		return // not stored: the caller's error was the truth
	}
	require.Equal(t, jobs.StateQueued, stored.State)
	var leased []*jobs.Job
	require.Eventually(t, func() bool {
		js, err := f.direct.Dequeue(ctx, jobs.DequeueRequest{Queues: []string{jobs.DefaultQueue}, Max: 10, Lease: time.Minute, DefaultLimit: 5})
		require.NoError(t, err)
		leased = append(leased, js...)
		for _, j := range leased {
			if j.ID == "late" {
				return true
			}
		}
		return false
	}, 3*time.Second, 50*time.Millisecond, "the job was stored queued but is not reachable by Dequeue")
}

// TestFinishDeadlineStillRuns: a retry outcome recorded under a deadline
// that fires mid-flight must not leave the job retrying but unreachable.
func TestFinishDeadlineStillRuns(t *testing.T) {
	t.Parallel()
	f := newFaulty(t, nil)
	ctx := testenv.Context(t)
	q, err := jobs.New(f.direct, nil)
	require.NoError(t, err)
	_, err = q.Enqueue(ctx, jobs.Job{ID: "j1", Tenant: "t1", Type: "t"})
	require.NoError(t, err)
	req := jobs.DequeueRequest{Queues: []string{jobs.DefaultQueue}, Max: 10, Lease: time.Minute, DefaultLimit: 5}
	got, err := f.direct.Dequeue(ctx, req)
	require.NoError(t, err)
	require.Len(t, got, 1)
	// Drain the rotation so only the finish can put the tenant back.
	for range 3 {
		_, err = f.direct.Dequeue(ctx, req)
		require.NoError(t, err)
	}
	require.NoError(t, f.client.Ping(ctx).Err()) // warm the proxied connection
	require.NoError(t, f.d.Finish(ctx, nil))

	f.proxy.SetLatency(300 * time.Millisecond)
	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	err = f.d.Finish(short, []jobs.Outcome{{Lease: jobs.Lease{Tenant: "t1", ID: "j1", Attempt: 1}, Kind: jobs.OutcomeRetry, Error: "boom"}})
	cancel()
	t.Logf("finish under a 600ms round trip with a 100ms context: %v", err)
	f.proxy.SetLatency(0)
	time.Sleep(800 * time.Millisecond)

	j, err := f.direct.Get(ctx, "t1", "j1")
	require.NoError(t, err)
	if j.State == jobs.StateRunning {
		return // the outcome never arrived; the lease will expire and Recover acts
	}
	require.Equal(t, jobs.StateRetrying, j.State)
	require.Eventually(t, func() bool {
		js, err := f.direct.Dequeue(ctx, req)
		require.NoError(t, err)
		return len(js) == 1 && js[0].ID == "j1"
	}, 3*time.Second, 50*time.Millisecond, "the job is retrying but unreachable by Dequeue")
}
