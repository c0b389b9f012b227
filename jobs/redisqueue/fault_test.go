package redisqueue_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
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

// TestWorkerCutOff: a worker whose Redis traffic is silently dropped must
// cancel its handler before its lease expires (whatever Redis does), so the
// recovered run of another worker never overlaps it; its late completion is
// rejected.
func TestWorkerCutOff(t *testing.T) {
	t.Parallel()
	f := newFaulty(t, nil) // default client options, as a careless deployment would have
	ctx := testenv.Context(t)
	const lease = 1500 * time.Millisecond
	cutQ, err := jobs.New(f.d, nil)
	require.NoError(t, err)
	j, err := cutQ.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "long"})
	require.NoError(t, err)

	type span struct {
		attempt    int
		start, end time.Time
		cause      error
	}
	spans := make(chan span, 4)
	started := make(chan struct{}, 4)
	h := jobs.NewHandlers()
	require.NoError(t, h.Register("long", func(ctx context.Context, j *jobs.Job) error {
		s := span{attempt: j.Attempt, start: time.Now()}
		started <- struct{}{}
		if j.Attempt == 1 {
			<-ctx.Done()
			s.cause = context.Cause(ctx)
		}
		s.end = time.Now()
		spans <- s
		return nil
	}))
	cut, err := jobs.NewWorkers(cutQ, h, &jobs.WorkerOptions{Concurrency: 1, Lease: lease,
		HeartbeatInterval: 300 * time.Millisecond, PollInterval: 20 * time.Millisecond, RecoverInterval: -1})
	require.NoError(t, err)
	require.NoError(t, cut.Start(ctx))
	<-started
	f.proxy.Blackhole(true)
	cutAt := time.Now()

	okQ, err := jobs.New(f.direct, nil)
	require.NoError(t, err)
	other, err := jobs.NewWorkers(okQ, h, &jobs.WorkerOptions{Concurrency: 1, Lease: lease,
		HeartbeatInterval: 300 * time.Millisecond, PollInterval: 20 * time.Millisecond, RecoverInterval: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, other.Start(ctx))

	var first, second span
	for range 2 {
		select {
		case s := <-spans:
			if s.attempt == 1 {
				first = s
			} else {
				second = s
			}
		case <-time.After(30 * time.Second):
			cur, err := f.direct.Get(ctx, "t1", j.ID)
			t.Fatalf("runs did not end: first %+v second %+v job %+v %v", first, second, cur, err)
		}
	}
	require.Equal(t, 2, second.attempt)
	require.ErrorIs(t, first.cause, jobs.ErrLeaseLost)
	t.Logf("cut-off handler cancelled %s after the cut; attempt 2 started %s after the cut",
		first.end.Sub(cutAt), second.start.Sub(cutAt))
	require.True(t, first.end.Before(second.start), "attempt 1 ran until %s, attempt 2 started at %s: two attempts at once",
		first.end.Sub(cutAt), second.start.Sub(cutAt))
	require.Less(t, first.end.Sub(cutAt), lease, "the cut-off handler outlived its lease")

	got := waitFor(t, okQ, j, jobs.StateCompleted)
	require.Equal(t, 2, got.Attempt)
	// The cut-off worker's late completion of attempt 1 is rejected.
	require.NoError(t, f.direct.Finish(ctx, []jobs.Outcome{{Lease: jobs.Lease{Tenant: "t1", ID: j.ID, Attempt: 1}, Kind: jobs.OutcomeFailed, Error: "late"}}))
	got, err = okQ.Get(ctx, "t1", j.ID)
	require.NoError(t, err)
	require.Equal(t, jobs.StateCompleted, got.State)

	f.proxy.Blackhole(false)
	stop, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	require.NoError(t, other.Stop(stop))
	f.proxy.Cut()
	require.NoError(t, cut.Stop(stop))
}

func waitFor(t *testing.T, q *jobs.Queue, j *jobs.Job, want jobs.State) *jobs.Job {
	t.Helper()
	var got *jobs.Job
	require.Eventually(t, func() bool {
		var err error
		got, err = q.Get(context.Background(), j.Tenant, j.ID)
		require.NoError(t, err)
		return got.State == want
	}, 20*time.Second, 20*time.Millisecond)
	return got
}

// TestCallsBoundedByContext: with the client built by BoundOptions, a call
// with a 100ms context returns after about 100ms when Redis is silent.
func TestCallsBoundedByContext(t *testing.T) {
	t.Parallel()
	f := newFaulty(t, func(o *redis.Options) { redisqueue.BoundOptions(o) })
	ctx := testenv.Context(t)
	q, err := jobs.New(f.d, nil)
	require.NoError(t, err)
	_, err = q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "t"})
	require.NoError(t, err)
	f.proxy.Blackhole(true)
	calls := map[string]func(context.Context) error{
		"enqueue": func(c context.Context) error { _, err := q.Enqueue(c, jobs.Job{Tenant: "t1", Type: "t"}); return err },
		"dequeue": func(c context.Context) error {
			_, err := f.d.Dequeue(c, jobs.DequeueRequest{Queues: []string{"default"}, Max: 1, Lease: time.Second, DefaultLimit: 1})
			return err
		},
		"get":     func(c context.Context) error { _, err := q.Get(c, "t1", "x"); return err },
		"recover": func(c context.Context) error { _, err := q.Recover(c); return err },
	}
	for name, call := range calls {
		c, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		start := time.Now()
		err := call(c)
		took := time.Since(start)
		cancel()
		require.Error(t, err, name)
		t.Logf("%s: %s: %v", name, took, err)
		require.Less(t, took, 600*time.Millisecond, "%s with a 100ms context took %s", name, took)
	}
}

// TestLeaseKeyLost: when the semaphore key vanishes while a job runs, the
// handler stops, the job is found from its own record and run again, and
// its unique key does not block new jobs.
func TestLeaseKeyLost(t *testing.T) {
	t.Parallel()
	env := testenv.NewRedis(t)
	ctx := testenv.Context(t)
	d, err := redisqueue.New(env.Client, &redisqueue.Options{Prefix: env.Prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, nil)
	require.NoError(t, err)
	j, err := q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "sync", UniqueKey: "conn-1"})
	require.NoError(t, err)
	first := j.ID
	causes := make(chan error, 4)
	started := make(chan int, 4)
	h := jobs.NewHandlers()
	require.NoError(t, h.Register("sync", func(ctx context.Context, j *jobs.Job) error {
		if j.ID != first {
			return nil
		}
		started <- j.Attempt
		if j.Attempt == 1 {
			<-ctx.Done()
			causes <- context.Cause(ctx)
			return ctx.Err()
		}
		return nil
	}))
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 2, Lease: time.Second,
		HeartbeatInterval: 100 * time.Millisecond, PollInterval: 20 * time.Millisecond, RecoverInterval: 100 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	defer func() { require.NoError(t, w.Stop(ctx)) }()
	require.Equal(t, 1, <-started)
	require.NoError(t, env.Client.Del(ctx, env.Prefix+"job:semaphore:tenant:{t1}").Err())
	select {
	case c := <-causes:
		require.ErrorIs(t, c, jobs.ErrLeaseLost)
	case <-time.After(10 * time.Second):
		t.Fatal("handler not stopped after its lease key vanished")
	}
	select {
	case a := <-started:
		require.Equal(t, 2, a)
	case <-time.After(10 * time.Second):
		got, _ := q.Get(ctx, "t1", j.ID)
		t.Fatalf("job not run again after lease-key loss; it is %s", got.State)
	}
	waitFor(t, q, j, jobs.StateCompleted)
	j2, err := q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "sync", UniqueKey: "conn-1"})
	require.NoError(t, err, "the unique key was released")
	waitFor(t, q, j2, jobs.StateCompleted)
	require.EqualValues(t, 0, env.Client.ZCard(ctx, env.Prefix+"job:semaphore:tenant:{t1}").Val())
}

// TestSyncSurvivesPostgresOutage: scheduled sync jobs whose handler needs
// PostgreSQL ride out an outage (the proxy refuses and cuts every
// connection) under their type's retry policy, and complete without the
// outage's error once it ends; a job type without a policy dies after its
// five quick attempts, as every sync did before.
func TestSyncSurvivesPostgresOutage(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	env := testenv.NewRedis(t)
	pgURL, err := url.Parse(testenv.PostgresURL(t))
	require.NoError(t, err)
	proxy, err := faultproxy.New(pgURL.Host)
	require.NoError(t, err)
	defer proxy.Close()
	pgURL.Host = proxy.Addr()
	cfg, err := pgxpool.ParseConfig(pgURL.String())
	require.NoError(t, err)
	cfg.MaxConns = 2
	cfg.ConnConfig.ConnectTimeout = time.Second
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()

	d, err := redisqueue.New(env.Client, &redisqueue.Options{Prefix: env.Prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, &jobs.Options{RetryPolicies: map[string]jobs.RetryPolicy{
		"sync": {MaxAttempts: 1000, Budget: time.Minute, Base: 20 * time.Millisecond, Max: 200 * time.Millisecond},
	}})
	require.NoError(t, err)
	work := func(ctx context.Context, j *jobs.Job) error {
		c, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err := pool.Exec(c, "SELECT 1")
		return err
	}
	h := jobs.NewHandlers()
	require.NoError(t, h.Register("sync", work))
	require.NoError(t, h.Register("nopolicy", work))

	proxy.Refuse(true)
	proxy.Cut()
	start := time.Now().Add(100 * time.Millisecond)
	syncs := make([]*jobs.Job, 3)
	for i := range syncs {
		syncs[i], err = q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "sync", RunAfter: start})
		require.NoError(t, err)
	}
	control, err := q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "nopolicy", RunAfter: start})
	require.NoError(t, err)
	require.Equal(t, 1000, syncs[0].MaxAttempts, "the policy sets the type's attempts")

	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 4, Lease: 2 * time.Second,
		PollInterval: 20 * time.Millisecond, RetryBase: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	defer func() { require.NoError(t, w.Stop(ctx)) }()

	dead := waitFor(t, q, control, jobs.StateDead)
	require.Equal(t, 5, dead.Attempt)
	time.Sleep(2 * time.Second) // the outage goes on
	for _, j := range syncs {
		got, err := q.Get(ctx, "t1", j.ID)
		require.NoError(t, err)
		require.Contains(t, []jobs.State{jobs.StateRetrying, jobs.StateRunning}, got.State, "a sync must outlive the outage")
		require.Greater(t, got.Attempt, 5)
		require.False(t, got.FailingSince.IsZero())
	}
	proxy.Refuse(false)
	for _, j := range syncs {
		got := waitFor(t, q, j, jobs.StateCompleted)
		require.Greater(t, got.Attempt, 5)
		require.Empty(t, got.LastError, "a completed job shows no previous attempt's error")
		require.True(t, got.FailingSince.IsZero())
	}
}

// TestRetryBudgetSpent: once the budget is spent, the next failure is final.
func TestRetryBudgetSpent(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	q, err := jobs.New(newDriver(t), &jobs.Options{RetryPolicies: map[string]jobs.RetryPolicy{
		"sync": {MaxAttempts: 1000, Budget: 500 * time.Millisecond, Base: 20 * time.Millisecond, Max: 50 * time.Millisecond},
	}})
	require.NoError(t, err)
	h := jobs.NewHandlers()
	require.NoError(t, h.Register("sync", func(ctx context.Context, j *jobs.Job) error { return errors.New("source down") }))
	j, err := q.Enqueue(ctx, jobs.Job{Tenant: "t1", Type: "sync"})
	require.NoError(t, err)
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 1, Lease: 2 * time.Second, PollInterval: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	defer func() { require.NoError(t, w.Stop(ctx)) }()
	got := waitFor(t, q, j, jobs.StateDead)
	require.Contains(t, got.LastError, "retry budget of 500ms spent")
	require.Greater(t, got.Attempt, 3)
	require.Less(t, got.Attempt, 1000)
}
