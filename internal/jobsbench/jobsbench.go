// Package jobsbench is the `aos bench jobs` benchmark: no-op jobs spread over
// tenants, enqueued then drained with the same worker concurrency, through
// this project's Redis queue and through hibiken/asynq on the same Redis in
// the same run.
package jobsbench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/redisqueue"
)

// Options configures Run. Zero values mean the defaults.
type Options struct {
	// RedisURL is the server both queues run on; default
	// redis://127.0.0.1:6379/0.
	RedisURL string
	// Jobs is the number of jobs per run; default 100000.
	Jobs int
	// Tenants spreads the jobs round-robin; default 10.
	Tenants int
	// Concurrency is the worker concurrency of both queues; default 50.
	Concurrency int
	// Prefix is the key prefix of our queue's keys; default a random
	// "aosbench_<hex>:". Every key under it is deleted at the end.
	Prefix string
	// AsynqDB is the Redis database asynq runs in (its key names are fixed);
	// default 15. Only the keys of the queues this run creates are deleted.
	AsynqDB int
	// Timeout bounds each of the three runs; default 10 minutes.
	Timeout time.Duration
}

// Report holds the measured rates (jobs per second, enqueue plus drain).
type Report struct {
	// Ours is our queue without per-tenant limits.
	Ours float64
	// Asynq is hibiken/asynq, the reference.
	Asynq float64
	// OursLimited is our queue with the default limit of 5 running jobs per
	// tenant.
	OursLimited float64
	// Result is the benchmark contract line: ours against asynq.
	Result benchfmt.Result
}

// Write prints the three rates, one per line, then the benchmark contract
// line (benchfmt JSON) last.
func (r Report) Write(w io.Writer) error {
	for _, l := range []struct {
		name string
		rate float64
	}{{"ours", r.Ours}, {"asynq", r.Asynq}, {"ours (per-tenant limit)", r.OursLimited}} {
		if _, err := fmt.Fprintf(w, "%-24s %10.0f jobs/s\n", l.name+":", l.rate); err != nil {
			return fmt.Errorf("jobsbench: %w", err)
		}
	}
	return r.Result.Write(w)
}

func (o *Options) withDefaults() (Options, error) {
	var out Options
	if o != nil {
		out = *o
	}
	if out.RedisURL == "" {
		out.RedisURL = "redis://127.0.0.1:6379/0"
	}
	if out.Jobs == 0 {
		out.Jobs = 100000
	}
	if out.Tenants == 0 {
		out.Tenants = 10
	}
	if out.Concurrency == 0 {
		out.Concurrency = 50
	}
	if out.AsynqDB == 0 {
		out.AsynqDB = 15
	}
	if out.Timeout == 0 {
		out.Timeout = 10 * time.Minute
	}
	if out.Prefix == "" {
		var b [6]byte
		if _, err := rand.Read(b[:]); err != nil {
			return out, fmt.Errorf("jobsbench: random prefix: %w", err)
		}
		out.Prefix = "aosbench_" + hex.EncodeToString(b[:]) + ":"
	}
	switch {
	case out.Jobs < 0:
		return out, fmt.Errorf("jobsbench: Options.Jobs %d is negative", out.Jobs)
	case out.Tenants < 0:
		return out, fmt.Errorf("jobsbench: Options.Tenants %d is negative", out.Tenants)
	case out.Concurrency < 0:
		return out, fmt.Errorf("jobsbench: Options.Concurrency %d is negative", out.Concurrency)
	case out.AsynqDB < 0:
		return out, fmt.Errorf("jobsbench: Options.AsynqDB %d is negative", out.AsynqDB)
	}
	return out, nil
}

// Run measures our queue (without and with per-tenant limits) and asynq, and
// removes every key it created. It fails when Redis is unreachable or a run
// does not finish within Options.Timeout.
func Run(ctx context.Context, opts Options) (Report, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return Report{}, err
	}
	ropt, err := redis.ParseURL(o.RedisURL)
	if err != nil {
		return Report{}, fmt.Errorf("jobsbench: Options.RedisURL: %w", err)
	}
	var rep Report
	if rep.Ours, err = runOurs(ctx, o, ropt, o.Prefix+"free:", o.Jobs); err != nil {
		return rep, err
	}
	if rep.Asynq, err = runAsynq(ctx, o, ropt); err != nil {
		return rep, err
	}
	if rep.OursLimited, err = runOurs(ctx, o, ropt, o.Prefix+"limited:", 5); err != nil {
		return rep, err
	}
	rep.Result = benchfmt.New("jobs", "jobs/s", o.Jobs, rep.Ours, rep.Asynq)
	return rep, nil
}

func newClient(ropt *redis.Options, db, pool int) *redis.Client {
	c := *ropt
	c.DB = db
	c.PoolSize = pool
	return redis.NewClient(&c)
}

// runOurs enqueues and drains o.Jobs no-op jobs through jobs.Queue on the
// Redis driver with the given per-tenant limit; it returns jobs per second.
func runOurs(ctx context.Context, o Options, ropt *redis.Options, prefix string, limit int) (rate float64, err error) {
	rdb := newClient(ropt, ropt.DB, o.Concurrency+16)
	defer rdb.Close()
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if cerr := deletePrefix(cctx, rdb, prefix); cerr != nil && err == nil {
			err = fmt.Errorf("jobsbench: clean up %q: %w", prefix, cerr)
		}
	}()
	d, err := redisqueue.New(rdb, &redisqueue.Options{Prefix: prefix, Retention: time.Hour})
	if err != nil {
		return 0, fmt.Errorf("jobsbench: %w", err)
	}
	q, err := jobs.New(d, &jobs.Options{TenantLimit: limit})
	if err != nil {
		return 0, fmt.Errorf("jobsbench: %w", err)
	}
	var done atomic.Int64
	finished := make(chan struct{})
	h := jobs.NewHandlers()
	if err := h.Register("noop", func(context.Context, *jobs.Job) error {
		if done.Add(1) == int64(o.Jobs) {
			close(finished)
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("jobsbench: %w", err)
	}
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: o.Concurrency, PollInterval: 10 * time.Millisecond})
	if err != nil {
		return 0, fmt.Errorf("jobsbench: %w", err)
	}
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	start := time.Now()
	if err := enqueueOurs(rctx, q, o); err != nil {
		return 0, err
	}
	if err := w.Start(rctx); err != nil {
		return 0, fmt.Errorf("jobsbench: %w", err)
	}
	select {
	case <-finished:
	case <-rctx.Done():
	}
	elapsed := time.Since(start)
	stopCtx, stopCancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer stopCancel()
	if err := w.Stop(stopCtx); err != nil {
		return 0, fmt.Errorf("jobsbench: %w", err)
	}
	if n := done.Load(); n != int64(o.Jobs) {
		return 0, fmt.Errorf("jobsbench: ours: %d of %d jobs ran before %v: %w", n, o.Jobs, o.Timeout, rctx.Err())
	}
	return float64(o.Jobs) / elapsed.Seconds(), nil
}

// enqueueOurs enqueues in batches of 1,000 from a few goroutines.
func enqueueOurs(ctx context.Context, q *jobs.Queue, o Options) error {
	const batch = 1000
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]jobs.Job, 0, batch)
			for {
				from := int(next.Add(batch)) - batch
				if from >= o.Jobs {
					return
				}
				buf = buf[:0]
				for i := from; i < from+batch && i < o.Jobs; i++ {
					buf = append(buf, jobs.Job{Tenant: fmt.Sprintf("tenant-%d", i%o.Tenants), Type: "noop"})
				}
				if _, err := q.EnqueueMany(ctx, buf); err != nil {
					errs <- fmt.Errorf("jobsbench: ours: %w", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// runAsynq enqueues and drains o.Jobs no-op tasks through asynq, one queue
// per tenant with equal weights; it returns tasks per second.
func runAsynq(ctx context.Context, o Options, ropt *redis.Options) (rate float64, err error) {
	rdb := newClient(ropt, o.AsynqDB, o.Concurrency+16)
	defer rdb.Close()
	queues := map[string]int{}
	names := make([]string, o.Tenants)
	tag := o.Prefix[len("aosbench_") : len(o.Prefix)-1]
	if len(o.Prefix) <= len("aosbench_") {
		tag = "run"
	}
	for i := range names {
		names[i] = fmt.Sprintf("aosbench-%s-tenant-%d", tag, i)
		queues[names[i]] = 1
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		for _, n := range names {
			if cerr := deletePrefix(cctx, rdb, "asynq:{"+n+"}"); cerr != nil && err == nil {
				err = fmt.Errorf("jobsbench: clean up asynq queue %q: %w", n, cerr)
			}
			rdb.SRem(cctx, "asynq:queues", n)
		}
	}()
	client := asynq.NewClientFromRedisClient(rdb)
	rctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()

	var done atomic.Int64
	finished := make(chan struct{})
	mux := asynq.NewServeMux()
	mux.HandleFunc("noop", func(context.Context, *asynq.Task) error {
		if done.Add(1) == int64(o.Jobs) {
			close(finished)
		}
		return nil
	})
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency: o.Concurrency, Queues: queues, LogLevel: asynq.FatalLevel,
	})

	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, o.Concurrency)
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= o.Jobs {
					return
				}
				if _, err := client.EnqueueContext(rctx, asynq.NewTask("noop", nil), asynq.Queue(names[i%o.Tenants]), asynq.MaxRetry(0)); err != nil {
					errs <- fmt.Errorf("jobsbench: asynq enqueue: %w", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return 0, err
	}
	if err := srv.Start(mux); err != nil {
		return 0, fmt.Errorf("jobsbench: asynq start: %w", err)
	}
	select {
	case <-finished:
	case <-rctx.Done():
	}
	elapsed := time.Since(start)
	srv.Shutdown()
	if n := done.Load(); n != int64(o.Jobs) {
		return 0, fmt.Errorf("jobsbench: asynq: %d of %d tasks ran before %v: %w", n, o.Jobs, o.Timeout, rctx.Err())
	}
	return float64(o.Jobs) / elapsed.Seconds(), nil
}

// deletePrefix deletes every key starting with prefix (glob characters in
// prefix are escaped).
func deletePrefix(ctx context.Context, rdb *redis.Client, prefix string) error {
	esc := ""
	for _, r := range prefix {
		switch r {
		case '*', '?', '[', ']', '\\':
			esc += `\`
		}
		esc += string(r)
	}
	iter := rdb.Scan(ctx, 0, esc+"*", 1000).Iterator()
	var batch []string
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 1000 {
			if err := rdb.Unlink(ctx, batch...).Err(); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	if err := iter.Err(); err != nil {
		return err
	}
	if len(batch) > 0 {
		return rdb.Unlink(ctx, batch...).Err()
	}
	return nil
}
