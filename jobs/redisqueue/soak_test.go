package redisqueue_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/faultproxy"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/redisqueue"
)

// The soak runs only when AOS_JOBS_SOAK=1:
//
//	AOS_JOBS_SOAK=1 go test -run '^TestSoak$' -timeout 30m -v ./jobs/redisqueue/
//
// AOS_JOBS_SOAK_JOBS (default 10000) and AOS_JOBS_SOAK_DURATION (default
// 10m) size it; jobs are enqueued evenly over the duration for 10 tenants.
const (
	envSoak         = "AOS_JOBS_SOAK"
	envSoakWorker   = "AOS_JOBS_SOAK_WORKER" // prefix, set in worker processes
	envSoakProxy    = "AOS_JOBS_SOAK_PROXY"
	soakTenants     = 10
	soakLease       = 2 * time.Second
	soakConcurrency = 8
)

// TestSoakWorkerProcess is a worker process of TestSoak: its queue traffic
// goes through the fault proxy; its side effects (the count of completed
// runs per job, and overlapping runs) go to Redis directly.
func TestSoakWorkerProcess(t *testing.T) {
	prefix := os.Getenv(envSoakWorker)
	if prefix == "" {
		return
	}
	opt, err := redis.ParseURL(testenv.RedisURL())
	require.NoError(t, err)
	direct := redis.NewClient(opt)
	popt := *opt
	popt.Addr = os.Getenv(envSoakProxy)
	proxied := redis.NewClient(redisqueue.BoundOptions(&popt))
	d, err := redisqueue.New(proxied, &redisqueue.Options{Prefix: prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, &jobs.Options{MaxAttempts: 1000})
	require.NoError(t, err)
	h := jobs.NewHandlers()
	pid := strconv.Itoa(os.Getpid())
	require.NoError(t, h.Register("soak", func(ctx context.Context, j *jobs.Job) error {
		bg := context.Background()
		if !direct.SetNX(bg, prefix+"soak:active:"+j.ID, pid, time.Minute).Val() {
			direct.Incr(bg, prefix+"soak:overlaps")
		}
		defer direct.Del(bg, prefix+"soak:active:"+j.ID)
		select {
		case <-time.After(time.Duration(5+rand.IntN(45)) * time.Millisecond):
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		direct.HIncrBy(bg, prefix+"soak:effects", j.ID, 1)
		direct.HSet(bg, prefix+"soak:effect_pid", j.ID, pid)
		return nil
	}))
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: soakConcurrency, Lease: soakLease,
		HeartbeatInterval: 400 * time.Millisecond, PollInterval: 50 * time.Millisecond, RecoverInterval: time.Second,
		RetryBase: 50 * time.Millisecond, RetryMax: time.Second})
	require.NoError(t, err)
	require.NoError(t, w.Start(context.Background()))
	fmt.Println("SOAK WORKER READY")
	select {} // until SIGKILL
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func TestSoak(t *testing.T) {
	if os.Getenv(envSoak) == "" {
		t.Skip("soak test: set AOS_JOBS_SOAK=1 (see the comment above envSoak)")
	}
	total := envInt("AOS_JOBS_SOAK_JOBS", 10000)
	duration, err := time.ParseDuration(os.Getenv("AOS_JOBS_SOAK_DURATION"))
	if err != nil || duration <= 0 {
		duration = 10 * time.Minute
	}
	env := testenv.NewRedis(t)
	ctx := testenv.Context(t)
	u, err := url.Parse(testenv.RedisURL())
	require.NoError(t, err)
	proxy, err := faultproxy.New(u.Host)
	require.NoError(t, err)
	defer proxy.Close()
	d, err := redisqueue.New(env.Client, &redisqueue.Options{Prefix: env.Prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, &jobs.Options{MaxAttempts: 1000})
	require.NoError(t, err)

	// Workers: three processes, SIGKILLed and restarted at random.
	var mu sync.Mutex
	procs := make([]*exec.Cmd, 3)
	kills := 0
	startWorker := func(i int) {
		cmd := exec.Command(os.Args[0], "-test.run=^TestSoakWorkerProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), envSoakWorker+"="+env.Prefix, envSoakProxy+"="+proxy.Addr())
		require.NoError(t, cmd.Start())
		procs[i] = cmd
	}
	for i := range procs {
		startWorker(i)
	}
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range procs {
			_ = c.Process.Kill()
			_ = c.Wait()
		}
	}()

	chaosCtx, stopChaos := context.WithCancel(ctx)
	var chaos sync.WaitGroup
	var spikes, holes, cuts int
	chaos.Add(2)
	go func() { // network faults
		defer chaos.Done()
		for chaosCtx.Err() == nil {
			time.Sleep(time.Duration(500+rand.IntN(2000)) * time.Millisecond)
			switch rand.IntN(3) {
			case 0:
				spikes++
				proxy.SetLatency(time.Duration(50+rand.IntN(450)) * time.Millisecond)
				time.Sleep(time.Duration(200+rand.IntN(1500)) * time.Millisecond)
				proxy.SetLatency(0)
			case 1:
				holes++
				proxy.Blackhole(true)
				time.Sleep(time.Duration(200+rand.IntN(2500)) * time.Millisecond)
				proxy.Blackhole(false)
			case 2:
				cuts++
				proxy.Cut()
			}
		}
	}()
	go func() { // worker SIGKILLs
		defer chaos.Done()
		for chaosCtx.Err() == nil {
			time.Sleep(time.Duration(3000+rand.IntN(5000)) * time.Millisecond)
			if chaosCtx.Err() != nil {
				return
			}
			i := rand.IntN(len(procs))
			mu.Lock()
			_ = procs[i].Process.Signal(syscall.SIGKILL)
			_ = procs[i].Wait()
			kills++
			startWorker(i)
			mu.Unlock()
		}
	}()

	start := time.Now()
	ids := make([]string, 0, total)
	tenantOf := map[string]string{}
	const batch = 50
	for n := 0; n < total; n += batch {
		var js []jobs.Job
		for k := n; k < min(n+batch, total); k++ {
			js = append(js, jobs.Job{Tenant: fmt.Sprintf("tenant-%d", k%soakTenants), Type: "soak"})
		}
		out, err := q.EnqueueMany(ctx, js)
		require.NoError(t, err)
		for _, j := range out {
			ids = append(ids, j.ID)
			tenantOf[j.ID] = j.Tenant
		}
		// Spread the enqueues over the duration.
		if due := start.Add(time.Duration(float64(duration) * float64(n+batch) / float64(total))); time.Until(due) > 0 {
			time.Sleep(time.Until(due))
		}
	}
	stopChaos()
	chaos.Wait()
	proxy.Reset()
	t.Logf("chaos over after %s: %d latency spikes, %d silent drops, %d cuts, %d worker SIGKILLs",
		time.Since(start).Round(time.Second), spikes, holes, cuts, kills)

	// Drain: every job must complete.
	deadline := time.Now().Add(5 * time.Minute)
	for {
		stats, err := q.Stats(ctx)
		require.NoError(t, err)
		done, slots := 0, 0
		for _, s := range stats {
			done += s.Jobs[jobs.StateCompleted]
			slots += s.SlotsHeld
		}
		if done == total && slots == 0 {
			break
		}
		require.True(t, time.Now().Before(deadline), "stuck: %d of %d jobs completed, %d slots held: %+v", done, total, slots, stats)
		time.Sleep(500 * time.Millisecond)
	}
	drained := time.Since(start)

	effects, err := env.Client.HGetAll(ctx, env.Prefix+"soak:effects").Result()
	require.NoError(t, err)
	overlaps, _ := env.Client.Get(ctx, env.Prefix+"soak:overlaps").Int()
	dups, missing := 0, 0
	for _, id := range ids {
		switch effects[id] {
		case "":
			missing++
		case "1":
		default:
			dups++
		}
	}
	var maxAttempt int
	for _, id := range ids[:min(len(ids), 200)] {
		j, err := q.Get(ctx, tenantOf[id], id)
		require.NoError(t, err)
		maxAttempt = max(maxAttempt, j.Attempt)
	}
	stats, err := q.Stats(ctx)
	require.NoError(t, err)
	t.Logf("soak: %d jobs, %d tenants, drained in %s; side effects: %d exactly once, %d twice or more, %d missing; "+
		"%d overlapping runs; slots held at end: %d; max attempt (sample of 200): %d",
		total, len(stats), drained.Round(time.Second), total-dups-missing, dups, missing, overlaps, 0, maxAttempt)
	require.Zero(t, missing, "a completed job whose handler never finished")
	require.Zero(t, overlaps, "two runs of one job at once")
	// A worker SIGKILLed after its handler's side effect and before its
	// outcome was recorded makes the job run again: at most the runs in
	// flight at each kill.
	require.LessOrEqual(t, dups, kills*soakConcurrency, "duplicates beyond what the SIGKILLs explain")
	for _, s := range stats {
		require.Zero(t, s.SlotsHeld, "tenant %s semaphore", s.Tenant)
		require.Equal(t, s.Jobs[jobs.StateCompleted], total/soakTenants, "tenant %s", s.Tenant)
	}
}
