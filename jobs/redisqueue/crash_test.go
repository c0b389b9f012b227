package redisqueue_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/redisqueue"
)

const (
	envWorkerPrefix = "AOS_JOBS_TEST_WORKER_PREFIX"
	crashLease      = time.Second
)

// TestCrashWorkerProcess is the worker process of TestWorkerKilled: it runs
// only when re-executed with envWorkerPrefix set, and blocks in its handler
// until it is killed.
func TestCrashWorkerProcess(t *testing.T) {
	prefix := os.Getenv(envWorkerPrefix)
	if prefix == "" {
		return
	}
	opt, err := redis.ParseURL(testenv.RedisURL())
	require.NoError(t, err)
	rdb := redis.NewClient(opt)
	d, err := redisqueue.New(rdb, &redisqueue.Options{Prefix: prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, nil)
	require.NoError(t, err)
	h := jobs.NewHandlers()
	require.NoError(t, h.Register("crashy", func(ctx context.Context, j *jobs.Job) error {
		if err := jobs.ReportProgress(ctx, 10, "worker process running"); err != nil {
			return err
		}
		<-ctx.Done()
		return ctx.Err()
	}))
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 1, Lease: crashLease,
		HeartbeatInterval: 200 * time.Millisecond, PollInterval: 20 * time.Millisecond, RecoverInterval: -1})
	require.NoError(t, err)
	require.NoError(t, w.Start(context.Background()))
	select {} // until SIGKILL
}

func TestWorkerKilled(t *testing.T) {
	t.Parallel()
	r := testenv.NewRedis(t)
	ctx := testenv.Context(t)
	d, err := redisqueue.New(r.Client, &redisqueue.Options{Prefix: r.Prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, nil)
	require.NoError(t, err)
	const tenant = "tenant-crash"
	semKey := r.Prefix + "job:semaphore:tenant:{" + tenant + "}"
	j, err := q.Enqueue(ctx, jobs.Job{Tenant: tenant, Type: "crashy"})
	require.NoError(t, err)

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWorkerProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), envWorkerPrefix+"="+r.Prefix)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	require.Eventually(t, func() bool {
		got, err := q.Get(ctx, tenant, j.ID)
		require.NoError(t, err)
		return got.State == jobs.StateRunning && got.Progress == 10
	}, 30*time.Second, 10*time.Millisecond, "worker process never ran the job; output:\n%s", &out)
	require.EqualValues(t, 1, r.Client.ZCard(ctx, semKey).Val())

	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	killed = true
	err = cmd.Wait()
	require.Error(t, err, "the worker process must die by the signal")

	h := jobs.NewHandlers()
	attempts := make(chan int, 4)
	require.NoError(t, h.Register("crashy", func(ctx context.Context, j *jobs.Job) error {
		attempts <- j.Attempt
		return nil
	}))
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 2, Lease: crashLease,
		HeartbeatInterval: 200 * time.Millisecond, PollInterval: 20 * time.Millisecond, RecoverInterval: 100 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))
	defer func() { require.NoError(t, w.Stop(ctx)) }()

	select {
	case a := <-attempts:
		require.Equal(t, 2, a)
	case <-time.After(20 * time.Second):
		t.Fatal("job not run again after its lease expired")
	}
	require.Eventually(t, func() bool {
		got, err := q.Get(ctx, tenant, j.ID)
		require.NoError(t, err)
		return got.State == jobs.StateCompleted
	}, 10*time.Second, 10*time.Millisecond)
	got, err := q.Get(ctx, tenant, j.ID)
	require.NoError(t, err)
	require.Equal(t, 2, got.Attempt)
	require.Empty(t, got.LastError, "a completed job shows no previous attempt's error")
	require.EqualValues(t, 0, r.Client.ZCard(ctx, semKey).Val(), "semaphore back to 0")
	running, err := q.List(ctx, tenant, &jobs.ListOptions{State: jobs.StateRunning})
	require.NoError(t, err)
	require.Empty(t, running, "nothing stuck")
	require.Empty(t, attempts, "ran exactly once more")
}

// TestConnectionKilled kills the workers' Redis connections again and again
// while they run; every job must still run exactly once, never twice at the
// same time.
func TestConnectionKilled(t *testing.T) {
	t.Parallel()
	env := testenv.NewRedis(t)
	ctx := testenv.Context(t)
	opt, err := redis.ParseURL(testenv.RedisURL())
	require.NoError(t, err)
	name := strings.TrimSuffix(env.Prefix, ":") + "-workers"
	opt.ClientName = name
	opt.MinRetryBackoff, opt.MaxRetryBackoff = time.Millisecond, 20*time.Millisecond
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	d, err := redisqueue.New(rdb, &redisqueue.Options{Prefix: env.Prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, &jobs.Options{MaxAttempts: 10})
	require.NoError(t, err)

	var mu sync.Mutex
	runs := map[string]int{}
	active := map[string]int{}
	var overlaps []string
	h := jobs.NewHandlers()
	require.NoError(t, h.Register("work", func(ctx context.Context, j *jobs.Job) error {
		mu.Lock()
		runs[j.ID]++
		active[j.ID]++
		if active[j.ID] > 1 {
			overlaps = append(overlaps, j.ID)
		}
		mu.Unlock()
		time.Sleep(2 * time.Millisecond) // the job's work
		mu.Lock()
		active[j.ID]--
		mu.Unlock()
		return nil
	}))
	const n = 400
	batch := make([]jobs.Job, n)
	for i := range batch {
		batch[i] = jobs.Job{Tenant: fmt.Sprintf("tenant-%d", i%4), Type: "work"}
	}
	js, err := q.EnqueueMany(ctx, batch)
	require.NoError(t, err)

	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 8, MaxBatch: 4, Lease: crashLease,
		HeartbeatInterval: 100 * time.Millisecond, PollInterval: 20 * time.Millisecond, RecoverInterval: 100 * time.Millisecond})
	require.NoError(t, err)
	require.NoError(t, w.Start(ctx))

	stopKiller := make(chan struct{})
	killerDone := make(chan int)
	go func() {
		kills := 0
		for {
			select {
			case <-stopKiller:
				killerDone <- kills
				return
			case <-time.After(15 * time.Millisecond):
			}
			list, err := env.Client.ClientList(ctx).Result()
			if err != nil {
				continue
			}
			for _, line := range strings.Split(list, "\n") {
				if !strings.Contains(line, " name="+name+" ") {
					continue
				}
				for _, f := range strings.Fields(line) {
					if id, ok := strings.CutPrefix(f, "id="); ok {
						if env.Client.Do(ctx, "CLIENT", "KILL", "ID", id).Err() == nil {
							kills++
						}
					}
				}
			}
		}
	}()

	done := func() bool {
		for _, j := range js {
			got, err := q.Get(ctx, j.Tenant, j.ID)
			if err != nil || got.State != jobs.StateCompleted {
				return false
			}
		}
		return true
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		ran := len(runs)
		mu.Unlock()
		return ran >= n/2
	}, 30*time.Second, 5*time.Millisecond)
	close(stopKiller)
	kills := <-killerDone
	require.Positive(t, kills, "no connection was killed")
	require.Eventually(t, done, 30*time.Second, 50*time.Millisecond)
	require.NoError(t, w.Stop(ctx))

	mu.Lock()
	defer mu.Unlock()
	require.Empty(t, overlaps, "jobs ran twice at the same time")
	require.Len(t, runs, n)
	for id, c := range runs {
		require.Equal(t, 1, c, "job %s ran %d times", id, c)
	}
	for i := range 4 {
		require.EqualValues(t, 0, env.Client.ZCard(ctx, env.Prefix+fmt.Sprintf("job:semaphore:tenant:{tenant-%d}", i)).Val())
	}
	t.Logf("%d connections killed", kills)
}
