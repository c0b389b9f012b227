// Package jobstest is the conformance suite of the jobs.Driver extension
// point. Every driver, built in or third party, runs it unchanged:
//
//	func TestConformance(t *testing.T) {
//		jobstest.Run(t, func(t *testing.T) jobs.Driver { return newDriver(t) })
//	}
//
// The suite uses fresh random tenant names in every subtest, so one driver
// may be shared, but each call of newDriver should give an isolated store.
package jobstest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/jobs"
)

// Run runs the conformance suite against drivers made by newDriver.
func Run(t *testing.T, newDriver func(t *testing.T) jobs.Driver) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s *suite)
	}{
		{"EnqueueGet", testEnqueueGet},
		{"GetNotFound", testGetNotFound},
		{"UniqueKey", testUniqueKey},
		{"EnqueueSameIDTwice", testEnqueueSameID},
		{"List", testList},
		{"DequeueFIFO", testDequeueFIFO},
		{"TenantLimit", testTenantLimit},
		{"Rotation", testRotation},
		{"Queues", testQueues},
		{"RunAfter", testRunAfter},
		{"RetryDeadRequeue", testRetryDeadRequeue},
		{"FinishIdempotent", testFinishIdempotent},
		{"Released", testReleased},
		{"HeartbeatRecover", testHeartbeatRecover},
		{"RecoverExactlyOnce", testRecoverExactlyOnce},
		{"RecoverExhausted", testRecoverExhausted},
		{"CancelQueued", testCancelQueued},
		{"CancelRunning", testCancelRunning},
		{"Progress", testProgress},
		{"Stats", testStats},
		{"WorkersComplete", testWorkersComplete},
		{"WorkersPanicRetry", testWorkersPanicRetry},
		{"WorkersDead", testWorkersDead},
		{"WorkersPermanent", testWorkersPermanent},
		{"WorkersCancelRunning", testWorkersCancelRunning},
		{"WorkersTimeout", testWorkersTimeout},
		{"WorkersShutdownReleases", testWorkersShutdownReleases},
		{"WorkersTenantLimit", testWorkersTenantLimit},
		{"WorkersFairness", testWorkersFairness},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, setup(t, newDriver))
		})
	}
}

type suite struct {
	d   jobs.Driver
	q   *jobs.Queue
	ctx context.Context
}

func setup(t *testing.T, newDriver func(t *testing.T) jobs.Driver) *suite {
	t.Helper()
	d := newDriver(t)
	require.NotNil(t, d)
	q, err := jobs.New(d, &jobs.Options{MaxAttempts: 3, Timeout: 10 * time.Second})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return &suite{d: d, q: q, ctx: ctx}
}

func tenant(t *testing.T) string {
	t.Helper()
	var b [6]byte
	_, err := rand.Read(b[:])
	require.NoError(t, err)
	return "t" + hex.EncodeToString(b[:])
}

func (s *suite) enqueue(t *testing.T, j jobs.Job) *jobs.Job {
	t.Helper()
	if j.Type == "" {
		j.Type = "test"
	}
	out, err := s.q.Enqueue(s.ctx, j)
	require.NoError(t, err)
	return out
}

func (s *suite) dequeue(t *testing.T, max int, lease time.Duration, limit int, queues ...string) []*jobs.Job {
	t.Helper()
	if len(queues) == 0 {
		queues = []string{jobs.DefaultQueue}
	}
	js, err := s.d.Dequeue(s.ctx, jobs.DequeueRequest{Queues: queues, Max: max, Lease: lease, DefaultLimit: limit})
	require.NoError(t, err)
	return js
}

// drain dequeues until nothing is returned, finishing every job at once.
func (s *suite) drain(t *testing.T, tenantOf string) []*jobs.Job {
	t.Helper()
	var all []*jobs.Job
	for {
		js := s.dequeue(t, 50, time.Minute, 1000)
		if len(js) == 0 {
			return all
		}
		for _, j := range js {
			if tenantOf == "" || j.Tenant == tenantOf {
				all = append(all, j)
			}
			require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: lease(j), Kind: jobs.OutcomeCompleted}}))
		}
	}
}

func lease(j *jobs.Job) jobs.Lease {
	return jobs.Lease{Tenant: j.Tenant, ID: j.ID, Attempt: j.Attempt}
}

func (s *suite) get(t *testing.T, j *jobs.Job) *jobs.Job {
	t.Helper()
	got, err := s.q.Get(s.ctx, j.Tenant, j.ID)
	require.NoError(t, err)
	return got
}

func (s *suite) slots(t *testing.T, tn string) int {
	t.Helper()
	st, err := s.d.Stats(s.ctx)
	require.NoError(t, err)
	for _, x := range st {
		if x.Tenant == tn {
			return x.SlotsHeld
		}
	}
	return 0
}

func testEnqueueGet(t *testing.T, s *suite) {
	tn := tenant(t)
	runAfter := time.Now().Add(time.Hour).UTC().Truncate(time.Millisecond)
	j := s.enqueue(t, jobs.Job{Tenant: tn, Type: "sync", Payload: []byte(`{"a":1}`), Queue: "mappings",
		UniqueKey: "u1", MaxAttempts: 7, Timeout: 3 * time.Second, RunAfter: runAfter})
	require.NotEmpty(t, j.ID)
	got := s.get(t, j)
	require.Equal(t, j.ID, got.ID)
	require.Equal(t, tn, got.Tenant)
	require.Equal(t, "sync", got.Type)
	require.Equal(t, "mappings", got.Queue)
	require.Equal(t, `{"a":1}`, string(got.Payload))
	require.Equal(t, "u1", got.UniqueKey)
	require.Equal(t, 7, got.MaxAttempts)
	require.Equal(t, 3*time.Second, got.Timeout)
	require.True(t, runAfter.Equal(got.RunAfter), "run after %s, got %s", runAfter, got.RunAfter)
	require.Equal(t, jobs.StateQueued, got.State)
	require.Equal(t, 0, got.Attempt)
	require.False(t, got.CreatedAt.IsZero())

	def := s.enqueue(t, jobs.Job{Tenant: tn})
	got = s.get(t, def)
	require.Equal(t, jobs.DefaultQueue, got.Queue)
	require.Equal(t, 3, got.MaxAttempts)
	require.Equal(t, 10*time.Second, got.Timeout)
	require.Empty(t, got.Payload)
}

func testGetNotFound(t *testing.T, s *suite) {
	_, err := s.q.Get(s.ctx, tenant(t), "nope")
	require.ErrorIs(t, err, jobs.ErrNotFound)
	_, err = s.q.Cancel(s.ctx, tenant(t), "nope")
	require.ErrorIs(t, err, jobs.ErrNotFound)
	_, err = s.q.Requeue(s.ctx, tenant(t), "nope")
	require.ErrorIs(t, err, jobs.ErrNotFound)
	_, err = s.q.Get(s.ctx, "bad:tenant", "x")
	require.ErrorIs(t, err, jobs.ErrInvalid)
}

func testUniqueKey(t *testing.T, s *suite) {
	tn := tenant(t)
	first := s.enqueue(t, jobs.Job{Tenant: tn, UniqueKey: "sync-conn-1"})
	dup, err := s.q.Enqueue(s.ctx, jobs.Job{Tenant: tn, Type: "test", UniqueKey: "sync-conn-1"})
	require.ErrorIs(t, err, jobs.ErrDuplicate)
	require.Equal(t, first.ID, dup.ID)
	// Another tenant has its own key space.
	s.enqueue(t, jobs.Job{Tenant: tenant(t), UniqueKey: "sync-conn-1"})

	done := s.drain(t, tn)
	require.Len(t, done, 1)
	again := s.enqueue(t, jobs.Job{Tenant: tn, UniqueKey: "sync-conn-1"})
	require.NotEqual(t, first.ID, again.ID)
}

func testEnqueueSameID(t *testing.T, s *suite) {
	tn := tenant(t)
	s.enqueue(t, jobs.Job{Tenant: tn, ID: "fixed-1"})
	s.enqueue(t, jobs.Job{Tenant: tn, ID: "fixed-1"})
	require.Len(t, s.drain(t, tn), 1, "an ID enqueued twice is stored once")
}

func testList(t *testing.T, s *suite) {
	tn := tenant(t)
	for range 3 {
		s.enqueue(t, jobs.Job{Tenant: tn})
	}
	s.enqueue(t, jobs.Job{Tenant: tenant(t)})
	js := s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, js, 1)

	queued, err := s.q.List(s.ctx, tn, &jobs.ListOptions{State: jobs.StateQueued})
	require.NoError(t, err)
	running, err := s.q.List(s.ctx, tn, &jobs.ListOptions{State: jobs.StateRunning})
	require.NoError(t, err)
	all, err := s.q.List(s.ctx, tn, nil)
	require.NoError(t, err)
	limited, err := s.q.List(s.ctx, tn, &jobs.ListOptions{Limit: 2})
	require.NoError(t, err)

	// The dequeued job may belong to either tenant; count accordingly.
	wantRunning := 0
	if js[0].Tenant == tn {
		wantRunning = 1
	}
	require.Len(t, running, wantRunning)
	require.Len(t, queued, 3-wantRunning)
	require.Len(t, all, 3)
	require.Len(t, limited, 2)
	for _, j := range all {
		require.Equal(t, tn, j.Tenant)
	}
	_, err = s.q.List(s.ctx, tn, &jobs.ListOptions{State: "sleeping"})
	require.ErrorIs(t, err, jobs.ErrInvalid)
}

func testDequeueFIFO(t *testing.T, s *suite) {
	tn := tenant(t)
	var ids []string
	for range 4 {
		ids = append(ids, s.enqueue(t, jobs.Job{Tenant: tn}).ID)
	}
	var got []string
	for range 4 {
		js := s.dequeue(t, 1, time.Minute, 10)
		require.Len(t, js, 1)
		j := js[0]
		require.Equal(t, jobs.StateRunning, j.State)
		require.Equal(t, 1, j.Attempt)
		require.True(t, j.LeaseUntil.After(time.Now().Add(30*time.Second)), "lease until %s", j.LeaseUntil)
		require.False(t, j.StartedAt.IsZero())
		got = append(got, j.ID)
	}
	require.Equal(t, ids, got)
	require.Empty(t, s.dequeue(t, 5, time.Minute, 10))
	require.Equal(t, 4, s.slots(t, tn))
}

func testTenantLimit(t *testing.T, s *suite) {
	tn := tenant(t)
	for range 6 {
		s.enqueue(t, jobs.Job{Tenant: tn})
	}
	first := s.dequeue(t, 10, time.Minute, 2)
	require.Len(t, first, 2, "default limit 2")
	require.Empty(t, s.dequeue(t, 10, time.Minute, 2))

	require.NoError(t, s.q.SetTenantLimit(s.ctx, tn, 3))
	require.Len(t, s.dequeue(t, 10, time.Minute, 2), 1, "own limit 3")
	require.Equal(t, 3, s.slots(t, tn))

	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: lease(first[0]), Kind: jobs.OutcomeCompleted}}))
	require.Equal(t, 2, s.slots(t, tn))
	require.Len(t, s.dequeue(t, 10, time.Minute, 2), 1, "a finished job frees its slot")

	require.NoError(t, s.q.SetTenantLimit(s.ctx, tn, 0))
	require.Empty(t, s.dequeue(t, 10, time.Minute, 2), "back to default 2 with 3 held")
	require.ErrorIs(t, s.q.SetTenantLimit(s.ctx, tn, -1), jobs.ErrInvalid)
}

func testRotation(t *testing.T, s *suite) {
	busy, quiet := tenant(t), tenant(t)
	batch := make([]jobs.Job, 200)
	for i := range batch {
		batch[i] = jobs.Job{Tenant: busy, Type: "test"}
	}
	_, err := s.q.EnqueueMany(s.ctx, batch)
	require.NoError(t, err)
	for range 3 {
		require.Len(t, s.dequeue(t, 1, time.Minute, 1000), 1)
	}
	single := s.enqueue(t, jobs.Job{Tenant: quiet})
	// The quiet tenant must be served within the next two single-job
	// dequeues, whatever the busy tenant's backlog.
	found := false
	for range 2 {
		js := s.dequeue(t, 1, time.Minute, 1000)
		require.Len(t, js, 1)
		if js[0].ID == single.ID {
			found = true
		}
	}
	require.True(t, found, "tenant with one job waited behind a backlog")
}

func testQueues(t *testing.T, s *suite) {
	tn := tenant(t)
	a := s.enqueue(t, jobs.Job{Tenant: tn, Queue: "alpha"})
	b := s.enqueue(t, jobs.Job{Tenant: tn, Queue: "beta"})
	require.Empty(t, s.dequeue(t, 5, time.Minute, 5, "gamma"))
	got := s.dequeue(t, 5, time.Minute, 5, "beta")
	require.Len(t, got, 1)
	require.Equal(t, b.ID, got[0].ID)
	got = s.dequeue(t, 5, time.Minute, 5, "beta", "alpha")
	require.Len(t, got, 1)
	require.Equal(t, a.ID, got[0].ID)
}

func testRunAfter(t *testing.T, s *suite) {
	tn := tenant(t)
	j := s.enqueue(t, jobs.Job{Tenant: tn, RunAfter: time.Now().Add(time.Second)})
	require.Empty(t, s.dequeue(t, 5, time.Minute, 5))
	var got []*jobs.Job
	require.Eventually(t, func() bool {
		got = s.dequeue(t, 5, time.Minute, 5)
		return len(got) == 1
	}, 5*time.Second, 20*time.Millisecond)
	require.Equal(t, j.ID, got[0].ID)
	require.False(t, time.Now().Before(j.RunAfter))
}

func testRetryDeadRequeue(t *testing.T, s *suite) {
	tn := tenant(t)
	j := s.enqueue(t, jobs.Job{Tenant: tn, MaxAttempts: 2, UniqueKey: "k"})
	r1 := s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, r1, 1)
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: lease(r1[0]), Kind: jobs.OutcomeRetry, Error: "boom 1", RetryAfter: 100 * time.Millisecond}}))
	got := s.get(t, j)
	require.Equal(t, jobs.StateRetrying, got.State)
	require.Equal(t, "boom 1", got.LastError)
	require.Equal(t, 0, s.slots(t, tn))

	var r2 []*jobs.Job
	require.Eventually(t, func() bool {
		r2 = s.dequeue(t, 1, time.Minute, 5)
		return len(r2) == 1
	}, 5*time.Second, 10*time.Millisecond)
	require.Equal(t, 2, r2[0].Attempt)
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: lease(r2[0]), Kind: jobs.OutcomeDead, Error: "boom 2"}}))
	got = s.get(t, j)
	require.Equal(t, jobs.StateDead, got.State)
	require.Equal(t, "boom 2", got.LastError)
	require.False(t, got.FinishedAt.IsZero())
	dead, err := s.q.List(s.ctx, tn, &jobs.ListOptions{State: jobs.StateDead})
	require.NoError(t, err)
	require.Len(t, dead, 1)

	// The unique key is free once the job is dead.
	other := s.enqueue(t, jobs.Job{Tenant: tn, UniqueKey: "k"})
	_, err = s.q.Cancel(s.ctx, tn, other.ID)
	require.NoError(t, err)

	back, err := s.q.Requeue(s.ctx, tn, j.ID)
	require.NoError(t, err)
	require.Equal(t, jobs.StateQueued, back.State)
	require.Equal(t, 0, back.Attempt)
	require.Equal(t, "boom 2", back.LastError)
	r3 := s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, r3, 1)
	require.Equal(t, j.ID, r3[0].ID)
	require.Equal(t, 1, r3[0].Attempt)
	_, err = s.q.Requeue(s.ctx, tn, j.ID)
	require.ErrorIs(t, err, jobs.ErrState, "a running job cannot be re-queued")
}

func testFinishIdempotent(t *testing.T, s *suite) {
	tn := tenant(t)
	j := s.enqueue(t, jobs.Job{Tenant: tn})
	r := s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, r, 1)
	stale := lease(r[0])
	stale.Attempt = 7
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: stale, Kind: jobs.OutcomeDead, Error: "stale"}}))
	require.Equal(t, jobs.StateRunning, s.get(t, j).State, "an outcome of another attempt is ignored")
	done := jobs.Outcome{Lease: lease(r[0]), Kind: jobs.OutcomeCompleted}
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{done}))
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{done, {Lease: lease(r[0]), Kind: jobs.OutcomeRetry}}))
	got := s.get(t, j)
	require.Equal(t, jobs.StateCompleted, got.State)
	require.False(t, got.FinishedAt.IsZero())
	require.Equal(t, 0, s.slots(t, tn))
}

func testReleased(t *testing.T, s *suite) {
	tn := tenant(t)
	a := s.enqueue(t, jobs.Job{Tenant: tn})
	s.enqueue(t, jobs.Job{Tenant: tn})
	r := s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, r, 1)
	require.Equal(t, a.ID, r[0].ID)
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: lease(r[0]), Kind: jobs.OutcomeReleased}}))
	got := s.get(t, a)
	require.Equal(t, jobs.StateQueued, got.State)
	require.Equal(t, 0, got.Attempt)
	r = s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, r, 1)
	require.Equal(t, a.ID, r[0].ID, "a released job goes back to the front")
	require.Equal(t, 1, r[0].Attempt)
}

func testHeartbeatRecover(t *testing.T, s *suite) {
	tn := tenant(t)
	j := s.enqueue(t, jobs.Job{Tenant: tn})
	r := s.dequeue(t, 1, 300*time.Millisecond, 5)
	require.Len(t, r, 1)
	for range 3 {
		time.Sleep(150 * time.Millisecond) // lease renewals are time-based by nature
		st, err := s.d.Heartbeat(s.ctx, []jobs.Lease{lease(r[0])}, 300*time.Millisecond)
		require.NoError(t, err)
		require.Equal(t, []jobs.LeaseStatus{jobs.LeaseHeld}, st)
		n, err := s.q.Recover(s.ctx)
		require.NoError(t, err)
		require.Equal(t, 0, n, "a renewed lease is not recovered")
	}
	require.Eventually(t, func() bool {
		n, err := s.q.Recover(s.ctx)
		require.NoError(t, err)
		return n == 1
	}, 5*time.Second, 50*time.Millisecond)
	got := s.get(t, j)
	require.Equal(t, jobs.StateRetrying, got.State)
	require.Equal(t, 0, s.slots(t, tn))
	st, err := s.d.Heartbeat(s.ctx, []jobs.Lease{lease(r[0])}, time.Minute)
	require.NoError(t, err)
	require.Equal(t, []jobs.LeaseStatus{jobs.LeaseLost}, st)

	r2 := s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, r2, 1)
	require.Equal(t, j.ID, r2[0].ID)
	require.Equal(t, 2, r2[0].Attempt)
	// The crashed run's late outcome changes nothing.
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: lease(r[0]), Kind: jobs.OutcomeCompleted}}))
	require.Equal(t, jobs.StateRunning, s.get(t, j).State)
}

func testRecoverExactlyOnce(t *testing.T, s *suite) {
	tn := tenant(t)
	batch := make([]jobs.Job, 20)
	for i := range batch {
		batch[i] = jobs.Job{Tenant: tn, Type: "test"}
	}
	_, err := s.q.EnqueueMany(s.ctx, batch)
	require.NoError(t, err)
	leased := s.dequeue(t, 20, 50*time.Millisecond, 20)
	require.Len(t, leased, 20)
	require.Eventually(t, func() bool {
		st, err := s.d.Heartbeat(s.ctx, []jobs.Lease{lease(leased[0])}, 50*time.Millisecond)
		require.NoError(t, err)
		return st[0] == jobs.LeaseLost || time.Now().After(leased[0].LeaseUntil.Add(20*time.Millisecond))
	}, 5*time.Second, 20*time.Millisecond)

	var total atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 3 {
				n, err := s.d.Recover(s.ctx)
				if err != nil {
					t.Error(err)
				}
				total.Add(int64(n))
			}
		}()
	}
	wg.Wait()
	// One lease may have been renewed by the probe above and recovered later.
	require.Eventually(t, func() bool {
		n, err := s.d.Recover(s.ctx)
		require.NoError(t, err)
		total.Add(int64(n))
		return total.Load() >= 20
	}, 5*time.Second, 20*time.Millisecond)
	require.EqualValues(t, 20, total.Load())
	again := s.drain(t, tn)
	require.Len(t, again, 20)
	seen := map[string]bool{}
	for _, j := range again {
		require.False(t, seen[j.ID], "job %s re-queued twice", j.ID)
		seen[j.ID] = true
		require.Equal(t, 2, j.Attempt)
	}
}

func testRecoverExhausted(t *testing.T, s *suite) {
	tn := tenant(t)
	j := s.enqueue(t, jobs.Job{Tenant: tn, MaxAttempts: 1})
	require.Len(t, s.dequeue(t, 1, 30*time.Millisecond, 5), 1)
	require.Eventually(t, func() bool {
		n, err := s.q.Recover(s.ctx)
		require.NoError(t, err)
		return n == 1
	}, 5*time.Second, 20*time.Millisecond)
	got := s.get(t, j)
	require.Equal(t, jobs.StateDead, got.State)
	require.Contains(t, got.LastError, "lease expired")
	require.Equal(t, 0, s.slots(t, tn))
}

func testCancelQueued(t *testing.T, s *suite) {
	tn := tenant(t)
	j := s.enqueue(t, jobs.Job{Tenant: tn, UniqueKey: "u"})
	later := s.enqueue(t, jobs.Job{Tenant: tn, RunAfter: time.Now().Add(100 * time.Millisecond)})
	c, err := s.q.Cancel(s.ctx, tn, j.ID)
	require.NoError(t, err)
	require.Equal(t, jobs.StateCancelled, c.State)
	_, err = s.q.Cancel(s.ctx, tn, later.ID)
	require.NoError(t, err)
	time.Sleep(150 * time.Millisecond) // let the delayed job come due
	require.Empty(t, s.dequeue(t, 5, time.Minute, 5), "cancelled jobs never run")
	_, err = s.q.Cancel(s.ctx, tn, j.ID)
	require.ErrorIs(t, err, jobs.ErrState)
	s.enqueue(t, jobs.Job{Tenant: tn, UniqueKey: "u"}) // key released
}

func testCancelRunning(t *testing.T, s *suite) {
	tn := tenant(t)
	j := s.enqueue(t, jobs.Job{Tenant: tn})
	r := s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, r, 1)
	c, err := s.q.Cancel(s.ctx, tn, j.ID)
	require.NoError(t, err)
	require.Equal(t, jobs.StateCancelled, c.State)
	require.Equal(t, 1, s.slots(t, tn), "the slot is held until the handler stops")
	st, err := s.d.Heartbeat(s.ctx, []jobs.Lease{lease(r[0])}, time.Minute)
	require.NoError(t, err)
	require.Equal(t, []jobs.LeaseStatus{jobs.LeaseCancelled}, st)
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: lease(r[0]), Kind: jobs.OutcomeCancelled}}))
	require.Equal(t, 0, s.slots(t, tn))
	require.Equal(t, jobs.StateCancelled, s.get(t, j).State)
}

func testProgress(t *testing.T, s *suite) {
	tn := tenant(t)
	j := s.enqueue(t, jobs.Job{Tenant: tn})
	r := s.dequeue(t, 1, time.Minute, 5)
	require.Len(t, r, 1)
	require.NoError(t, s.d.Progress(s.ctx, lease(r[0]), 40, "40 of 100 records"))
	got := s.get(t, j)
	require.Equal(t, 40, got.Progress)
	require.Equal(t, "40 of 100 records", got.ProgressMessage)
	stale := lease(r[0])
	stale.Attempt++
	require.ErrorIs(t, s.d.Progress(s.ctx, stale, 50, ""), jobs.ErrState)
}

func testStats(t *testing.T, s *suite) {
	tn := tenant(t)
	for range 3 {
		s.enqueue(t, jobs.Job{Tenant: tn})
	}
	r := s.dequeue(t, 2, time.Minute, 5)
	require.Len(t, r, 2)
	require.NoError(t, s.d.Finish(s.ctx, []jobs.Outcome{{Lease: lease(r[0]), Kind: jobs.OutcomeCompleted}}))
	st, err := s.q.Stats(s.ctx)
	require.NoError(t, err)
	var mine *jobs.TenantStats
	for i := range st {
		if st[i].Tenant == tn {
			mine = &st[i]
		}
	}
	require.NotNil(t, mine)
	require.Equal(t, 1, mine.Jobs[jobs.StateQueued])
	require.Equal(t, 1, mine.Jobs[jobs.StateRunning])
	require.Equal(t, 1, mine.Jobs[jobs.StateCompleted])
	require.Equal(t, 1, mine.SlotsHeld)
}

// workers starts a pool on s.q with fast test timings.
func (s *suite) workers(t *testing.T, h *jobs.Handlers, o *jobs.WorkerOptions) *jobs.Workers {
	t.Helper()
	var opts jobs.WorkerOptions
	if o != nil {
		opts = *o
	}
	if opts.Lease == 0 {
		opts.Lease = 5 * time.Second
	}
	if opts.HeartbeatInterval == 0 {
		opts.HeartbeatInterval = 50 * time.Millisecond
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = 20 * time.Millisecond
	}
	if opts.RetryBase == 0 {
		opts.RetryBase, opts.RetryMax = 10*time.Millisecond, 50*time.Millisecond
	}
	if opts.ShutdownGrace == 0 {
		opts.ShutdownGrace = 5 * time.Second
	}
	w, err := jobs.NewWorkers(s.q, h, &opts)
	require.NoError(t, err)
	require.NoError(t, w.Start(s.ctx))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		require.NoError(t, w.Stop(ctx))
	})
	return w
}

func (s *suite) waitState(t *testing.T, j *jobs.Job, want jobs.State) *jobs.Job {
	t.Helper()
	var got *jobs.Job
	require.Eventually(t, func() bool {
		got = s.get(t, j)
		return got.State == want
	}, 15*time.Second, 10*time.Millisecond, "job %s never reached %s", j.ID, want)
	return got
}

func testWorkersComplete(t *testing.T, s *suite) {
	tn := tenant(t)
	h := jobs.NewHandlers()
	var mu sync.Mutex
	seen := map[string]int{}
	require.NoError(t, h.Register("echo", func(ctx context.Context, j *jobs.Job) error {
		require.NoError(t, jobs.ReportProgress(ctx, 50, "half"))
		mu.Lock()
		seen[string(j.Payload)]++
		mu.Unlock()
		return nil
	}))
	s.workers(t, h, &jobs.WorkerOptions{Concurrency: 4})
	var js []*jobs.Job
	for i := range 10 {
		js = append(js, s.enqueue(t, jobs.Job{Tenant: tn, Type: "echo", Payload: []byte(fmt.Sprint(i))}))
	}
	for _, j := range js {
		got := s.waitState(t, j, jobs.StateCompleted)
		require.Equal(t, 1, got.Attempt)
		require.Equal(t, 50, got.Progress)
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, seen, 10)
	for k, n := range seen {
		require.Equal(t, 1, n, "payload %s ran %d times", k, n)
	}
	require.Equal(t, 0, s.slots(t, tn))
}

func testWorkersPanicRetry(t *testing.T, s *suite) {
	tn := tenant(t)
	h := jobs.NewHandlers()
	var runs atomic.Int32
	seen := make(chan *jobs.Job, 1)
	require.NoError(t, h.Register("flaky", func(ctx context.Context, j *jobs.Job) error {
		if runs.Add(1) == 1 {
			panic("first run explodes")
		}
		seen <- j
		return nil
	}))
	s.workers(t, h, nil)
	j := s.enqueue(t, jobs.Job{Tenant: tn, Type: "flaky"})
	got := s.waitState(t, j, jobs.StateCompleted)
	require.Equal(t, 2, got.Attempt)
	second := <-seen
	require.Contains(t, second.LastError, "first run explodes", "the retry sees the previous error")
	require.False(t, second.FailingSince.IsZero(), "the retry knows when the failures began")
	require.Empty(t, got.LastError, "a completed job shows no previous attempt's error")
	require.True(t, got.FailingSince.IsZero())
	require.EqualValues(t, 2, runs.Load())
	require.Equal(t, 0, s.slots(t, tn))
}

func testWorkersDead(t *testing.T, s *suite) {
	tn := tenant(t)
	h := jobs.NewHandlers()
	var runs atomic.Int32
	require.NoError(t, h.Register("broken", func(ctx context.Context, j *jobs.Job) error {
		runs.Add(1)
		if j.Attempt == 2 {
			panic("still broken")
		}
		return errors.New("broken")
	}))
	s.workers(t, h, nil)
	j := s.enqueue(t, jobs.Job{Tenant: tn, Type: "broken", MaxAttempts: 3})
	got := s.waitState(t, j, jobs.StateDead)
	require.Equal(t, 3, got.Attempt)
	require.Equal(t, "broken", got.LastError)
	require.EqualValues(t, 3, runs.Load())
	require.Equal(t, 0, s.slots(t, tn))
}

func testWorkersPermanent(t *testing.T, s *suite) {
	tn := tenant(t)
	h := jobs.NewHandlers()
	require.NoError(t, h.Register("bad-input", func(ctx context.Context, j *jobs.Job) error {
		return jobs.Permanent(errors.New("payload is not json"))
	}))
	s.workers(t, h, nil)
	j := s.enqueue(t, jobs.Job{Tenant: tn, Type: "bad-input"})
	got := s.waitState(t, j, jobs.StateFailed)
	require.Equal(t, 1, got.Attempt)
	require.Equal(t, "payload is not json", got.LastError)
	unknown := s.enqueue(t, jobs.Job{Tenant: tn, Type: "no-such-type"})
	got = s.waitState(t, unknown, jobs.StateFailed)
	require.Contains(t, got.LastError, "no handler")
}

func testWorkersCancelRunning(t *testing.T, s *suite) {
	tn := tenant(t)
	h := jobs.NewHandlers()
	started := make(chan struct{})
	stopped := make(chan error, 1)
	require.NoError(t, h.Register("long", func(ctx context.Context, j *jobs.Job) error {
		close(started)
		<-ctx.Done()
		stopped <- context.Cause(ctx)
		return ctx.Err()
	}))
	s.workers(t, h, nil)
	j := s.enqueue(t, jobs.Job{Tenant: tn, Type: "long"})
	<-started
	_, err := s.q.Cancel(s.ctx, tn, j.ID)
	require.NoError(t, err)
	select {
	case cause := <-stopped:
		require.ErrorIs(t, cause, jobs.ErrJobCancelled)
	case <-s.ctx.Done():
		t.Fatal("handler context not cancelled")
	}
	s.waitState(t, j, jobs.StateCancelled)
	require.Eventually(t, func() bool { return s.slots(t, tn) == 0 }, 10*time.Second, 10*time.Millisecond)
}

func testWorkersTimeout(t *testing.T, s *suite) {
	tn := tenant(t)
	h := jobs.NewHandlers()
	var causes []error
	var mu sync.Mutex
	require.NoError(t, h.Register("slow", func(ctx context.Context, j *jobs.Job) error {
		<-ctx.Done()
		mu.Lock()
		causes = append(causes, context.Cause(ctx))
		mu.Unlock()
		return ctx.Err()
	}))
	s.workers(t, h, nil)
	j := s.enqueue(t, jobs.Job{Tenant: tn, Type: "slow", Timeout: 50 * time.Millisecond, MaxAttempts: 2})
	got := s.waitState(t, j, jobs.StateDead)
	require.Contains(t, got.LastError, "timed out")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, causes, 2)
	for _, c := range causes {
		require.ErrorIs(t, c, jobs.ErrTimeout)
	}
}

func testWorkersShutdownReleases(t *testing.T, s *suite) {
	tn := tenant(t)
	h := jobs.NewHandlers()
	started := make(chan struct{})
	require.NoError(t, h.Register("stubborn", func(ctx context.Context, j *jobs.Job) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	}))
	w, err := jobs.NewWorkers(s.q, h, &jobs.WorkerOptions{Lease: 2 * time.Second, HeartbeatInterval: 50 * time.Millisecond,
		PollInterval: 20 * time.Millisecond, ShutdownGrace: 50 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start(s.ctx))
	j := s.enqueue(t, jobs.Job{Tenant: tn, Type: "stubborn"})
	<-started
	require.NoError(t, w.Stop(s.ctx))
	got := s.get(t, j)
	require.Equal(t, jobs.StateQueued, got.State, "a job interrupted by shutdown goes back in line")
	require.Equal(t, 0, got.Attempt)
	require.Equal(t, 0, s.slots(t, tn))
	require.ErrorIs(t, w.Start(s.ctx), jobs.ErrClosed)
}

func testWorkersTenantLimit(t *testing.T, s *suite) {
	tenants := []string{tenant(t), tenant(t), tenant(t)}
	h := jobs.NewHandlers()
	var mu sync.Mutex
	running := map[string]int{}
	maxSeen := map[string]int{}
	require.NoError(t, h.Register("hold", func(ctx context.Context, j *jobs.Job) error {
		mu.Lock()
		running[j.Tenant]++
		if running[j.Tenant] > maxSeen[j.Tenant] {
			maxSeen[j.Tenant] = running[j.Tenant]
		}
		mu.Unlock()
		time.Sleep(20 * time.Millisecond) // the job's work
		mu.Lock()
		running[j.Tenant]--
		mu.Unlock()
		return nil
	}))
	var batch []jobs.Job
	for i := range 20 {
		for _, tn := range tenants {
			batch = append(batch, jobs.Job{Tenant: tn, Type: "hold", Payload: []byte(fmt.Sprint(i))})
		}
	}
	js, err := s.q.EnqueueMany(s.ctx, batch)
	require.NoError(t, err)
	s.workers(t, h, &jobs.WorkerOptions{Concurrency: 20})
	// Sample the store's view while the jobs run as well.
	stop := make(chan struct{})
	sampled := make(chan int, 1)
	go func() {
		worst := 0
		for {
			select {
			case <-stop:
				sampled <- worst
				return
			default:
			}
			st, err := s.d.Stats(s.ctx)
			if err == nil {
				for _, x := range st {
					for _, tn := range tenants {
						if x.Tenant == tn && x.Jobs[jobs.StateRunning] > worst {
							worst = x.Jobs[jobs.StateRunning]
						}
					}
				}
			}
			time.Sleep(2 * time.Millisecond)
		}
	}()
	for _, j := range js {
		s.waitState(t, j, jobs.StateCompleted)
	}
	close(stop)
	worst := <-sampled
	require.LessOrEqual(t, worst, 5, "sampled running count per tenant")
	mu.Lock()
	defer mu.Unlock()
	for _, tn := range tenants {
		require.LessOrEqual(t, maxSeen[tn], 5, "tenant %s ran %d at once", tn, maxSeen[tn])
		require.Positive(t, maxSeen[tn])
		require.Equal(t, 0, s.slots(t, tn))
	}
}

func testWorkersFairness(t *testing.T, s *suite) {
	busy, quiet := tenant(t), tenant(t)
	const workers = 4
	require.NoError(t, s.q.SetTenantLimit(s.ctx, busy, workers))
	h := jobs.NewHandlers()
	var started atomic.Int64 // busy-tenant runs started
	var startedBefore atomic.Int64
	quietDone := make(chan struct{})
	require.NoError(t, h.Register("work", func(ctx context.Context, j *jobs.Job) error {
		if j.Tenant == quiet {
			startedBefore.Store(started.Load())
			close(quietDone)
			return nil
		}
		started.Add(1)
		select {
		case <-ctx.Done():
		case <-time.After(10 * time.Millisecond):
		}
		return nil
	}))
	batch := make([]jobs.Job, 1000)
	for i := range batch {
		batch[i] = jobs.Job{Tenant: busy, Type: "work"}
	}
	_, err := s.q.EnqueueMany(s.ctx, batch)
	require.NoError(t, err)
	s.workers(t, h, &jobs.WorkerOptions{Concurrency: workers})
	require.Eventually(t, func() bool { return started.Load() >= 2*workers }, 10*time.Second, time.Millisecond)
	before := started.Load()
	s.enqueue(t, jobs.Job{Tenant: quiet, Type: "work"})
	<-quietDone
	// Every worker was busy with the backlog; the quiet tenant's job must
	// start as soon as one worker frees up: at most one more backlog job per
	// worker may start first.
	require.LessOrEqual(t, startedBefore.Load()-before, int64(workers),
		"backlog jobs started before the quiet tenant's single job")
}
