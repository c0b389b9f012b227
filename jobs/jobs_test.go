package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/redisqueue"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newQueue(t *testing.T, opts *jobs.Options) *jobs.Queue {
	t.Helper()
	r := testenv.NewRedis(t)
	d, err := redisqueue.New(r.Client, &redisqueue.Options{Prefix: r.Prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, opts)
	require.NoError(t, err)
	return q
}

func TestValidateTenant(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"acme", "3f2b1c9e-8f7a-4c1d-9a55-0e6b7d1c2a10", "tenant_1.eu"} {
		require.NoError(t, jobs.ValidateTenant(ok), ok)
	}
	for _, bad := range []string{"", "a:b", "a{b", "a}b", "a b", "a\tb", "a\nb", strings.Repeat("x", 129), "a\x00b"} {
		err := jobs.ValidateTenant(bad)
		require.ErrorIs(t, err, jobs.ErrInvalid, "%q", bad)
		require.True(t, strings.HasPrefix(err.Error(), "jobs: tenant"), err.Error())
	}
}

func FuzzValidateTenant(f *testing.F) {
	f.Add("acme")
	f.Add("a:b")
	f.Fuzz(func(t *testing.T, s string) {
		if jobs.ValidateTenant(s) != nil {
			return
		}
		require.NotEmpty(t, s)
		require.LessOrEqual(t, len(s), 128)
		require.False(t, strings.ContainsAny(s, "{}:"), "%q", s)
		require.False(t, strings.ContainsFunc(s, unicode.IsSpace), "%q", s)
		// A valid tenant embedded in a key keeps exactly one hash tag.
		key := "job:semaphore:tenant:{" + s + "}"
		require.Equal(t, 1, strings.Count(key, "{"))
		require.Equal(t, 1, strings.Count(key, "}"))
	})
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := jobs.New(nil, nil)
	require.ErrorIs(t, err, jobs.ErrInvalid)
	r := testenv.NewRedis(t)
	d, err := redisqueue.New(r.Client, &redisqueue.Options{Prefix: r.Prefix})
	require.NoError(t, err)
	for name, o := range map[string]jobs.Options{
		"Options.MaxAttempts":  {MaxAttempts: -1},
		"Options.Timeout":      {Timeout: -time.Second},
		"Options.TenantLimit":  {TenantLimit: -2},
		"Options.StatsTimeout": {StatsTimeout: -time.Second},
	} {
		_, err := jobs.New(d, &o)
		require.ErrorIs(t, err, jobs.ErrInvalid)
		require.ErrorContains(t, err, name)
	}
}

func TestEnqueueValidates(t *testing.T) {
	t.Parallel()
	q := newQueue(t, nil)
	ctx := testenv.Context(t)
	for name, j := range map[string]jobs.Job{
		"tenant":      {Tenant: "a:b", Type: "t"},
		"job type":    {Tenant: "a", Type: ""},
		"queue":       {Tenant: "a", Type: "t", Queue: "x y"},
		"job id":      {Tenant: "a", Type: "t", ID: "{id}"},
		"MaxAttempts": {Tenant: "a", Type: "t", MaxAttempts: -1},
		"Timeout":     {Tenant: "a", Type: "t", Timeout: -1},
	} {
		_, err := q.Enqueue(ctx, j)
		require.ErrorIs(t, err, jobs.ErrInvalid, name)
		require.ErrorContains(t, err, name)
	}
	_, err := q.EnqueueMany(ctx, []jobs.Job{{Tenant: "a", Type: "t"}, {Tenant: "", Type: "t"}})
	require.ErrorIs(t, err, jobs.ErrInvalid)
	list, err := q.List(ctx, "a", nil)
	require.NoError(t, err)
	require.Empty(t, list, "an invalid job fails the whole batch")
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	base, maxD := 100*time.Millisecond, 2*time.Second
	for attempt := 1; attempt <= 10; attempt++ {
		want := base << (attempt - 1)
		if want > maxD {
			want = maxD
		}
		for range 50 {
			d := jobs.Backoff(attempt, base, maxD)
			require.GreaterOrEqual(t, d, want/2, "attempt %d", attempt)
			require.Less(t, d, want, "attempt %d", attempt)
		}
	}
}

func TestHandlersRegister(t *testing.T) {
	t.Parallel()
	h := jobs.NewHandlers()
	noop := func(context.Context, *jobs.Job) error { return nil }
	require.NoError(t, h.Register("b", noop))
	require.NoError(t, h.Register("a", noop))
	require.ErrorIs(t, h.Register("a", noop), jobs.ErrInvalid)
	require.ErrorIs(t, h.Register("c", nil), jobs.ErrInvalid)
	require.ErrorIs(t, h.Register("c:d", noop), jobs.ErrInvalid)
	require.Equal(t, []string{"a", "b"}, h.Types())
}

func TestNewWorkersValidates(t *testing.T) {
	t.Parallel()
	q := newQueue(t, nil)
	h := jobs.NewHandlers()
	_, err := jobs.NewWorkers(nil, h, nil)
	require.ErrorIs(t, err, jobs.ErrInvalid)
	_, err = jobs.NewWorkers(q, nil, nil)
	require.ErrorIs(t, err, jobs.ErrInvalid)
	for name, o := range map[string]jobs.WorkerOptions{
		"WorkerOptions.Concurrency":       {Concurrency: -1},
		"WorkerOptions.Lease":             {Lease: time.Millisecond},
		"WorkerOptions.HeartbeatInterval": {Lease: time.Second, HeartbeatInterval: 2 * time.Second},
		"WorkerOptions.MaxBatch":          {MaxBatch: -1},
		"WorkerOptions.Queues":            {Queues: []string{"a:b"}},
		"WorkerOptions.RetryBase":         {RetryBase: time.Minute, RetryMax: time.Second},
	} {
		_, err := jobs.NewWorkers(q, h, &o)
		require.ErrorIs(t, err, jobs.ErrInvalid, name)
		require.ErrorContains(t, err, name)
	}
	w, err := jobs.NewWorkers(q, h, nil)
	require.NoError(t, err)
	require.NoError(t, w.Stop(testenv.Context(t)), "stopping a pool never started")
}

func TestReportProgressOutsideHandler(t *testing.T) {
	t.Parallel()
	require.ErrorIs(t, jobs.ReportProgress(context.Background(), 10, ""), jobs.ErrInvalid)
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	base := errors.New("bad payload")
	err := jobs.Permanent(base)
	require.True(t, jobs.IsPermanent(err))
	require.ErrorIs(t, err, base)
	require.False(t, jobs.IsPermanent(base))
	require.NoError(t, jobs.Permanent(nil))
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewPedanticRegistry()
	q := newQueue(t, &jobs.Options{Registerer: reg, TenantLimit: 2})
	ctx := testenv.Context(t)
	for range 3 {
		_, err := q.Enqueue(ctx, jobs.Job{Tenant: "acme", Type: jobs.TypeTest, Payload: []byte("1h")})
		require.NoError(t, err)
	}
	_, err := q.Enqueue(ctx, jobs.Job{Tenant: "globex", Type: jobs.TypeTest, Payload: []byte("1h"), RunAfter: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	h := jobs.NewHandlers()
	require.NoError(t, h.Register(jobs.TypeTest, jobs.TestHandler))
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 4, PollInterval: 10 * time.Millisecond, ShutdownGrace: time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	defer func() { require.NoError(t, w.Stop(ctx)) }()

	require.Eventually(t, func() bool {
		return gauge(t, reg, "aos_jobs_running", "") == 2
	}, 10*time.Second, 10*time.Millisecond)
	require.Equal(t, 2.0, gauge(t, reg, "aos_jobs_semaphore_holders", ""))
	require.Equal(t, 0.0, gauge(t, reg, "aos_jobs_semaphore_excess", ""))
	require.Equal(t, 2.0, gauge(t, reg, "aos_jobs_depth", "queued"), "summed over tenants")
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				require.NotEqual(t, "tenant", l.GetName(), "%s has a tenant label", mf.GetName())
			}
		}
	}
	// The wait histogram is observed by the handler goroutines, just after
	// the store marked the jobs running.
	require.Eventually(t, func() bool {
		mfs, err := reg.Gather()
		require.NoError(t, err)
		var enqueued float64
		var waited uint64
		for _, mf := range mfs {
			switch mf.GetName() {
			case "aos_jobs_enqueued_total":
				enqueued = mf.GetMetric()[0].GetCounter().GetValue()
			case "aos_jobs_wait_seconds":
				waited = mf.GetMetric()[0].GetHistogram().GetSampleCount()
			}
		}
		return enqueued == 4 && waited == 2
	}, 10*time.Second, 10*time.Millisecond)
}

// gauge gathers reg and returns the value of the named gauge (of state).
func gauge(t *testing.T, reg *prometheus.Registry, name, state string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	v := 0.0
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if state == "" || labels["state"] == state {
				v = m.GetGauge().GetValue()
			}
		}
	}
	return v
}

func TestTestHandler(t *testing.T) {
	t.Parallel()
	q := newQueue(t, &jobs.Options{MaxAttempts: 1})
	ctx := testenv.Context(t)
	h := jobs.NewHandlers()
	require.NoError(t, h.Register(jobs.TypeTest, jobs.TestHandler))
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{PollInterval: 10 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	defer func() { require.NoError(t, w.Stop(ctx)) }()

	want := map[string]jobs.State{"": jobs.StateCompleted, "20ms": jobs.StateCompleted, "fail": jobs.StateDead, "soon": jobs.StateFailed}
	ids := map[string]string{}
	for payload := range want {
		j, err := q.Enqueue(ctx, jobs.Job{Tenant: "acme", Type: jobs.TypeTest, Payload: []byte(payload)})
		require.NoError(t, err)
		ids[payload] = j.ID
	}
	for payload, st := range want {
		require.Eventually(t, func() bool {
			got, err := q.Get(ctx, "acme", ids[payload])
			require.NoError(t, err)
			return got.State == st
		}, 10*time.Second, 10*time.Millisecond, "payload %q", payload)
	}
	got, err := q.Get(ctx, "acme", ids["20ms"])
	require.NoError(t, err)
	require.Equal(t, 100, got.Progress)
	require.Equal(t, "step 4 of 4", got.ProgressMessage)
}

func TestUnimplementedDriver(t *testing.T) {
	t.Parallel()
	type partial struct{ jobs.UnimplementedDriver }
	q, err := jobs.New(partial{}, nil)
	require.NoError(t, err)
	_, err = q.Get(context.Background(), "acme", "x")
	require.ErrorIs(t, err, errors.ErrUnsupported)
	require.ErrorContains(t, err, "Get")
}
