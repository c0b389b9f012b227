package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// Causes of a handler's context cancellation, seen through context.Cause.
var (
	errCancelled = errors.New("jobs: job cancelled")
	errShutdown  = errors.New("jobs: worker shutting down")
	errLeaseLost = errors.New("jobs: lease lost")
	errTimeout   = errors.New("jobs: job timed out")
)

// Cancellation causes a handler can compare with context.Cause(ctx).
var (
	// ErrJobCancelled is the cause when the job was cancelled.
	ErrJobCancelled = errCancelled
	// ErrShutdown is the cause when the workers are stopping; the job is
	// put back in line.
	ErrShutdown = errShutdown
	// ErrLeaseLost is the cause when the run's lease could not be renewed;
	// another worker may run the job after its recovery.
	ErrLeaseLost = errLeaseLost
	// ErrTimeout is the cause when the job's Timeout passed.
	ErrTimeout = errTimeout
)

// WorkerOptions configures Workers. The zero value (or nil) means the
// defaults.
type WorkerOptions struct {
	// Concurrency is the number of handlers running at once; default 10.
	Concurrency int
	// Queues are the queue names served, in order of preference; default
	// [DefaultQueue].
	Queues []string
	// Lease is how long a run holds its job and tenant slot without a
	// heartbeat; a crashed worker's jobs come back after it. Default 30s.
	Lease time.Duration
	// HeartbeatInterval is how often leases are renewed and remote cancels
	// noticed; default Lease/3, and it must be shorter than Lease. Each
	// renewal call is bounded by this interval.
	HeartbeatInterval time.Duration
	// LeaseMargin is the safety margin of the local lease deadline: a run
	// cancels its own handler (cause ErrLeaseLost) when its last successful
	// renewal (measured from when the renewal was sent) plus Lease minus
	// LeaseMargin passes, whatever the backend does — so a worker cut off
	// from the backend stops before another worker may take the job.
	// Default (Lease-HeartbeatInterval)/4; it must be in
	// (0, Lease-HeartbeatInterval).
	LeaseMargin time.Duration
	// PollInterval is how long an idle worker pool waits before asking for
	// work again; in-process enqueues and finished jobs wake it at once.
	// Default 250ms.
	PollInterval time.Duration
	// MaxBatch bounds the jobs leased in one driver call; default 64.
	MaxBatch int
	// RecoverInterval is how often expired leases are recovered; default
	// Lease/2; negative disables recovery in this pool.
	RecoverInterval time.Duration
	// ShutdownGrace is how long Stop lets running handlers finish before
	// cancelling their contexts; default 10s.
	ShutdownGrace time.Duration
	// RetryBase and RetryMax shape the retry back-off (see Backoff);
	// defaults 1s and 10m.
	RetryBase, RetryMax time.Duration
	// Logger receives operational errors; default discards.
	Logger *slog.Logger
}

func (o *WorkerOptions) withDefaults() (WorkerOptions, error) {
	var out WorkerOptions
	if o != nil {
		out = *o
	}
	if out.Concurrency == 0 {
		out.Concurrency = 10
	}
	if len(out.Queues) == 0 {
		out.Queues = []string{DefaultQueue}
	}
	if out.Lease == 0 {
		out.Lease = 30 * time.Second
	}
	if out.HeartbeatInterval == 0 {
		out.HeartbeatInterval = out.Lease / 3
	}
	if out.LeaseMargin == 0 && out.HeartbeatInterval < out.Lease {
		out.LeaseMargin = (out.Lease - out.HeartbeatInterval) / 4
	}
	if out.PollInterval == 0 {
		out.PollInterval = 250 * time.Millisecond
	}
	if out.MaxBatch == 0 {
		out.MaxBatch = 64
	}
	if out.RecoverInterval == 0 {
		out.RecoverInterval = out.Lease / 2
	}
	if out.ShutdownGrace == 0 {
		out.ShutdownGrace = 10 * time.Second
	}
	if out.RetryBase == 0 {
		out.RetryBase = time.Second
	}
	if out.RetryMax == 0 {
		out.RetryMax = 10 * time.Minute
	}
	if out.Logger == nil {
		out.Logger = slog.New(slog.DiscardHandler)
	}
	switch {
	case out.Concurrency < 0:
		return out, fmt.Errorf("jobs: WorkerOptions.Concurrency %d is negative: %w", out.Concurrency, ErrInvalid)
	case out.Lease < 10*time.Millisecond:
		return out, fmt.Errorf("jobs: WorkerOptions.Lease %s is shorter than 10ms: %w", out.Lease, ErrInvalid)
	case out.HeartbeatInterval <= 0 || out.HeartbeatInterval >= out.Lease:
		return out, fmt.Errorf("jobs: WorkerOptions.HeartbeatInterval %s must be in (0, Lease): %w", out.HeartbeatInterval, ErrInvalid)
	case out.LeaseMargin <= 0 || out.LeaseMargin >= out.Lease-out.HeartbeatInterval:
		return out, fmt.Errorf("jobs: WorkerOptions.LeaseMargin %s must be in (0, Lease-HeartbeatInterval): %w", out.LeaseMargin, ErrInvalid)
	case out.PollInterval < 0:
		return out, fmt.Errorf("jobs: WorkerOptions.PollInterval %s is negative: %w", out.PollInterval, ErrInvalid)
	case out.MaxBatch < 0:
		return out, fmt.Errorf("jobs: WorkerOptions.MaxBatch %d is negative: %w", out.MaxBatch, ErrInvalid)
	case out.ShutdownGrace < 0:
		return out, fmt.Errorf("jobs: WorkerOptions.ShutdownGrace %s is negative: %w", out.ShutdownGrace, ErrInvalid)
	case out.RetryBase < 0 || out.RetryMax < out.RetryBase:
		return out, fmt.Errorf("jobs: WorkerOptions.RetryBase %s / RetryMax %s out of order: %w", out.RetryBase, out.RetryMax, ErrInvalid)
	}
	for _, name := range out.Queues {
		if err := ValidateName("WorkerOptions.Queues entry", name); err != nil {
			return out, err
		}
	}
	return out, nil
}

// Workers is a pool of goroutines running jobs from a Queue with the handlers
// of a Handlers registry. It leases jobs in batches, renews leases with
// heartbeats, records outcomes in batches, and recovers expired leases of
// crashed processes.
//
// Start and Stop may be called once each; Workers is safe for concurrent use.
type Workers struct {
	q *Queue
	h *Handlers
	o WorkerOptions

	mu       sync.Mutex
	started  bool
	stopped  bool
	inflight map[*run]struct{}

	slots    chan struct{}
	wake     chan struct{}
	outcomes chan outcome

	loopCancel context.CancelFunc      // stops fetching and recovery
	runCancel  context.CancelCauseFunc // cancels every handler
	ackCancel  context.CancelFunc      // abandons unrecorded outcomes
	hbCancel   context.CancelFunc      // stops heartbeats
	loops      sync.WaitGroup          // fetcher, recoverer
	runs       sync.WaitGroup          // handlers
	hbDone     chan struct{}
	ackDone    chan struct{}
}

type run struct {
	job        *Job
	cancel     context.CancelCauseFunc
	leaseUntil time.Time   // guarded by Workers.mu
	watchdog   *time.Timer // cancels the run at leaseUntil - LeaseMargin
}

// extend moves the local lease deadline of r to until; the caller holds
// Workers.mu. A watchdog that already fired stays fired: the handler was
// cancelled and the lease may be gone.
func (r *run) extend(until time.Time, margin time.Duration) {
	if !until.After(r.leaseUntil) {
		return
	}
	if r.watchdog.Stop() {
		r.leaseUntil = until
		r.watchdog.Reset(time.Until(until.Add(-margin)))
	}
}

type outcome struct {
	Outcome
	job     *Job
	elapsed time.Duration
}

// NewWorkers returns a stopped pool running jobs of q with handlers h. It
// fails with ErrInvalid when q or h is nil or an option is out of range.
func NewWorkers(q *Queue, h *Handlers, opts *WorkerOptions) (*Workers, error) {
	if q == nil {
		return nil, fmt.Errorf("jobs: workers: queue is nil: %w", ErrInvalid)
	}
	if h == nil {
		return nil, fmt.Errorf("jobs: workers: handlers is nil: %w", ErrInvalid)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Workers{q: q, h: h, o: o, inflight: make(map[*run]struct{})}, nil
}

// Start launches the pool and returns at once. Cancelling ctx stops leasing
// work and cancels running handlers (their jobs go back in line); call Stop
// in any case to wait for the pool. Start fails with ErrClosed when called
// twice or after Stop.
func (w *Workers) Start(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.started || w.stopped {
		return fmt.Errorf("jobs: workers already started: %w", ErrClosed)
	}
	w.started = true
	w.slots = make(chan struct{}, w.o.Concurrency)
	for range w.o.Concurrency {
		w.slots <- struct{}{}
	}
	w.wake = w.q.subscribe()
	w.outcomes = make(chan outcome, w.o.Concurrency*2)
	w.hbDone = make(chan struct{})
	w.ackDone = make(chan struct{})

	loopCtx, loopCancel := context.WithCancel(ctx)
	runCtx, runCancel := context.WithCancelCause(ctx)
	ackCtx, ackCancel := context.WithCancel(context.WithoutCancel(ctx))
	hbCtx, hbCancel := context.WithCancel(context.WithoutCancel(ctx))
	w.loopCancel, w.runCancel, w.ackCancel, w.hbCancel = loopCancel, runCancel, ackCancel, hbCancel

	w.loops.Add(1)
	go func() { defer w.loops.Done(); w.fetch(loopCtx, runCtx) }()
	if w.o.RecoverInterval > 0 {
		w.loops.Add(1)
		go func() { defer w.loops.Done(); w.recoverLoop(loopCtx) }()
	}
	go w.heartbeatLoop(hbCtx)
	go w.ackLoop(ackCtx)
	return nil
}

// Stop stops leasing work, lets running handlers finish for up to
// ShutdownGrace, then cancels their contexts (cause ErrShutdown) and puts
// their jobs back in line; it returns once every outcome is recorded. If ctx
// ends first, Stop cancels everything and returns ctx's error; jobs whose
// outcome was not recorded come back after their lease expires. Stop on
// a pool never started returns nil.
func (w *Workers) Stop(ctx context.Context) error {
	w.mu.Lock()
	if !w.started || w.stopped {
		w.stopped = true
		w.mu.Unlock()
		return nil
	}
	w.stopped = true
	w.mu.Unlock()

	w.loopCancel()
	w.loops.Wait()

	runsDone := make(chan struct{})
	go func() { w.runs.Wait(); close(runsDone) }()
	grace := time.NewTimer(w.o.ShutdownGrace)
	defer grace.Stop()
	var err error
	select {
	case <-runsDone:
	case <-grace.C:
		w.runCancel(errShutdown)
	case <-ctx.Done():
		w.runCancel(errShutdown)
		err = ctx.Err()
	}
	select {
	case <-runsDone:
	case <-ctx.Done():
		err = ctx.Err()
		w.ackCancel()
		<-runsDone // handlers were cancelled; a handler ignoring its context blocks here
	}
	w.runCancel(errShutdown)
	w.hbCancel()
	<-w.hbDone
	close(w.outcomes)
	select {
	case <-w.ackDone:
	case <-ctx.Done():
		err = ctx.Err()
		w.ackCancel()
		<-w.ackDone
	}
	w.ackCancel()
	w.q.unsubscribe(w.wake)
	if err != nil {
		return fmt.Errorf("jobs: stop workers: %w", err)
	}
	return nil
}

// fetch leases jobs whenever slots are free and starts their handlers.
func (w *Workers) fetch(ctx, runCtx context.Context) {
	req := DequeueRequest{Queues: w.o.Queues, Lease: w.o.Lease, DefaultLimit: w.q.opts.TenantLimit}
	idle := time.NewTimer(0)
	<-idle.C
	var failures int
	for {
		select {
		case <-w.slots:
		case <-ctx.Done():
			return
		}
		n := 1
	collect:
		for n < w.o.MaxBatch {
			select {
			case <-w.slots:
				n++
			default:
				break collect
			}
		}
		req.Max = n
		sent := time.Now() // leases run from no earlier than this
		jobs, err := w.q.d.Dequeue(ctx, req)
		for range n - len(jobs) {
			w.slots <- struct{}{}
		}
		for _, j := range jobs {
			w.start(runCtx, j, sent)
		}
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			failures++
			w.o.Logger.Error("jobs: dequeue", "error", err)
			if !sleep(ctx, Backoff(failures, 50*time.Millisecond, 5*time.Second)) {
				return
			}
			continue
		}
		failures = 0
		if len(jobs) > 0 {
			continue
		}
		idle.Reset(w.o.PollInterval)
		select {
		case <-ctx.Done():
			idle.Stop()
			return
		case <-w.wake:
		case <-idle.C:
		}
		if !idle.Stop() {
			select {
			case <-idle.C:
			default:
			}
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (w *Workers) start(runCtx context.Context, j *Job, sent time.Time) {
	ctx, cancel := context.WithCancelCause(runCtx)
	r := &run{job: j, cancel: cancel, leaseUntil: sent.Add(w.o.Lease)}
	r.watchdog = time.AfterFunc(time.Until(r.leaseUntil.Add(-w.o.LeaseMargin)), func() {
		w.q.metrics.leaseExpired.Inc()
		cancel(errLeaseLost)
	})
	w.mu.Lock()
	w.inflight[r] = struct{}{}
	w.mu.Unlock()
	w.q.trackRun(j.Tenant, j.ID, cancel)
	w.runs.Add(1)
	go func() {
		defer w.runs.Done()
		w.execute(ctx, r)
	}()
}

func (w *Workers) execute(ctx context.Context, r *run) {
	j := r.job
	lease := Lease{Tenant: j.Tenant, ID: j.ID, Attempt: j.Attempt}
	due := j.CreatedAt
	if j.RunAfter.After(due) {
		due = j.RunAfter
	}
	if !j.StartedAt.IsZero() && j.StartedAt.After(due) {
		w.q.metrics.wait.WithLabelValues(j.Type).Observe(j.StartedAt.Sub(due).Seconds())
	}
	timeout := j.Timeout
	if timeout <= 0 {
		timeout = w.q.opts.Timeout
	}
	hctx, stopTimeout := context.WithTimeoutCause(ctx, timeout, errTimeout)
	hctx = context.WithValue(hctx, progressKey{}, &progressReporter{d: w.q.d, lease: lease})
	began := time.Now()
	err := w.call(hctx, j)
	elapsed := time.Since(began)
	cause := context.Cause(hctx)
	stopTimeout()

	w.q.untrackRun(j.Tenant, j.ID)
	w.mu.Lock()
	r.watchdog.Stop()
	delete(w.inflight, r)
	w.mu.Unlock()
	r.cancel(nil)
	w.slots <- struct{}{}

	o := outcome{Outcome: Outcome{Lease: lease}, job: j, elapsed: elapsed}
	switch {
	case errors.Is(cause, errLeaseLost):
		w.o.Logger.Warn("jobs: lease lost, outcome dropped", "tenant", j.Tenant, "job", j.ID)
		return
	case errors.Is(cause, errCancelled):
		o.Kind = OutcomeCancelled
	case err == nil:
		o.Kind = OutcomeCompleted
	case errors.Is(cause, errShutdown) || (cause != nil && !errors.Is(cause, errTimeout) && ctx.Err() != nil):
		o.Kind = OutcomeReleased
	default:
		if errors.Is(cause, errTimeout) {
			err = fmt.Errorf("timed out after %s: %w", timeout, err)
		}
		o.Error = err.Error()
		p := w.q.opts.RetryPolicies[j.Type]
		base, maxDelay := w.o.RetryBase, w.o.RetryMax
		if p.Base > 0 {
			base = p.Base
		}
		if p.Max > 0 {
			maxDelay = p.Max
		}
		delay := Backoff(j.Attempt, base, maxDelay)
		since := j.FailingSince
		if since.IsZero() {
			since = time.Now() // this is the first failure of the streak
		}
		switch {
		case IsPermanent(err):
			o.Kind = OutcomeFailed
		case j.Attempt >= j.MaxAttempts:
			o.Kind = OutcomeDead
		case p.Budget > 0 && time.Now().Add(delay).After(since.Add(p.Budget)):
			o.Kind = OutcomeDead
			o.Error = fmt.Sprintf("%s (retry budget of %s spent)", o.Error, p.Budget)
		default:
			o.Kind = OutcomeRetry
			o.RetryAfter = delay
		}
	}
	w.outcomes <- o
}

// call runs the handler, turning a panic into an error.
func (w *Workers) call(ctx context.Context, j *Job) (err error) {
	h := w.h.lookup(j.Type)
	if h == nil {
		return Permanent(fmt.Errorf("jobs: no handler for job type %q", j.Type))
	}
	defer func() {
		if p := recover(); p != nil {
			w.o.Logger.Error("jobs: handler panic", "type", j.Type, "job", j.ID, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("jobs: handler of job type %q panicked: %v", j.Type, p)
		}
	}()
	return h(ctx, j.Clone())
}

func (w *Workers) heartbeatLoop(ctx context.Context) {
	defer close(w.hbDone)
	t := time.NewTicker(w.o.HeartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		w.heartbeat(ctx)
	}
}

func (w *Workers) heartbeat(ctx context.Context) {
	w.mu.Lock()
	runs := make([]*run, 0, len(w.inflight))
	leases := make([]Lease, 0, len(w.inflight))
	var earliest time.Time
	for r := range w.inflight {
		runs = append(runs, r)
		leases = append(leases, Lease{Tenant: r.job.Tenant, ID: r.job.ID, Attempt: r.job.Attempt})
		if earliest.IsZero() || r.leaseUntil.Before(earliest) {
			earliest = r.leaseUntil
		}
	}
	w.mu.Unlock()
	if len(runs) == 0 {
		return
	}
	sent := time.Now()
	// A renewal answered after the earliest local lease deadline is useless:
	// bound the call by that deadline (or the interval, if later). The
	// watchdog of each run stops handlers whose renewals keep failing.
	bound := max(time.Until(earliest.Add(-w.o.LeaseMargin)), w.o.HeartbeatInterval)
	hctx, cancel := context.WithTimeout(ctx, bound)
	st, err := w.q.d.Heartbeat(hctx, leases, w.o.Lease)
	cancel()
	if err != nil || len(st) != len(runs) {
		if ctx.Err() != nil {
			return
		}
		w.o.Logger.Error("jobs: heartbeat", "error", err)
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, r := range runs {
		switch st[i] {
		case LeaseHeld:
			r.extend(sent.Add(w.o.Lease), w.o.LeaseMargin)
		case LeaseCancelled:
			r.extend(sent.Add(w.o.Lease), w.o.LeaseMargin)
			r.cancel(errCancelled)
		case LeaseLost:
			r.cancel(errLeaseLost)
		}
	}
}

func (w *Workers) ackLoop(ctx context.Context) {
	defer close(w.ackDone)
	const maxBatch = 512
	batch := make([]outcome, 0, maxBatch)
	for o := range w.outcomes {
		batch = append(batch[:0], o)
	drain:
		for len(batch) < maxBatch {
			select {
			case o2, ok := <-w.outcomes:
				if !ok {
					break drain
				}
				batch = append(batch, o2)
			default:
				break drain
			}
		}
		w.record(ctx, batch)
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

// record stores a batch of outcomes, retrying while the backend is
// unreachable; if ctx ends first the outcomes are dropped and their jobs come
// back after lease expiry.
func (w *Workers) record(ctx context.Context, batch []outcome) {
	outs := make([]Outcome, len(batch))
	for i, o := range batch {
		outs[i] = o.Outcome
	}
	for attempt := 1; ; attempt++ {
		err := w.q.d.Finish(ctx, outs)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			w.o.Logger.Error("jobs: outcomes dropped", "count", len(outs), "error", err)
			return
		}
		w.o.Logger.Error("jobs: record outcomes", "error", err)
		if !sleep(ctx, Backoff(attempt, 20*time.Millisecond, 2*time.Second)) {
			return
		}
	}
	for _, o := range batch {
		w.q.metrics.run.WithLabelValues(o.job.Type, outcomeLabel(o.Kind)).Observe(o.elapsed.Seconds())
	}
}

func outcomeLabel(k OutcomeKind) string {
	switch k {
	case OutcomeCompleted:
		return "completed"
	case OutcomeRetry:
		return "retry"
	case OutcomeFailed:
		return "failed"
	case OutcomeDead:
		return "dead"
	case OutcomeCancelled:
		return "cancelled"
	case OutcomeReleased:
		return "released"
	}
	return "unknown"
}

func (w *Workers) recoverLoop(ctx context.Context) {
	t := time.NewTicker(w.o.RecoverInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := w.q.Recover(ctx); err != nil && ctx.Err() == nil {
			w.o.Logger.Error("jobs: recover", "error", err)
		}
	}
}
