package jobs

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// Options configures a Queue. The zero value (or nil) means the defaults.
type Options struct {
	// MaxAttempts is the default number of runs a job gets; default 5.
	MaxAttempts int
	// RetryPolicies holds the retry policy of each job type (see
	// RetryPolicy); types without one use MaxAttempts and the workers'
	// RetryBase/RetryMax. Nil means DefaultRetryPolicies().
	RetryPolicies map[string]RetryPolicy
	// Timeout is the default time limit of one run; default 30 minutes.
	Timeout time.Duration
	// TenantLimit is how many jobs of one tenant run at once unless the tenant
	// has its own limit (SetTenantLimit); default 5.
	TenantLimit int
	// Registerer, when set, receives the queue's Prometheus collectors; no
	// metrics are registered when nil.
	Registerer prometheus.Registerer
	// StatsTimeout bounds the driver call behind each metrics scrape;
	// default 5 seconds.
	StatsTimeout time.Duration
	// NewID returns a new job ID; default a random UUID.
	NewID func() string
	// EnqueueGuard, when set, wraps every driver call of Enqueue and
	// EnqueueMany, such as a circuit breaker (redisbreaker.Breaker) that
	// fails fast while Redis is slow or down. A guard error that has a
	// method Unavailable() bool returning true is reported as
	// ErrUnavailable. Default none.
	EnqueueGuard Guard
}

// Guard protects a backend call on a request path; Do runs fn, or refuses
// to. redisbreaker.Breaker implements it.
type Guard interface {
	Do(ctx context.Context, fn func(context.Context) error) error
}

func (o *Options) withDefaults() (Options, error) {
	var out Options
	if o != nil {
		out = *o
	}
	if out.MaxAttempts == 0 {
		out.MaxAttempts = 5
	}
	if out.Timeout == 0 {
		out.Timeout = 30 * time.Minute
	}
	if out.TenantLimit == 0 {
		out.TenantLimit = 5
	}
	if out.StatsTimeout == 0 {
		out.StatsTimeout = 5 * time.Second
	}
	if out.RetryPolicies == nil {
		out.RetryPolicies = DefaultRetryPolicies()
	}
	for typ, p := range out.RetryPolicies {
		if err := p.validate(typ); err != nil {
			return out, err
		}
	}
	if out.NewID == nil {
		out.NewID = func() string { return uuid.NewString() }
	}
	switch {
	case out.MaxAttempts < 0:
		return out, fmt.Errorf("jobs: Options.MaxAttempts %d is negative: %w", out.MaxAttempts, ErrInvalid)
	case out.Timeout < 0:
		return out, fmt.Errorf("jobs: Options.Timeout %s is negative: %w", out.Timeout, ErrInvalid)
	case out.TenantLimit < 0:
		return out, fmt.Errorf("jobs: Options.TenantLimit %d is negative: %w", out.TenantLimit, ErrInvalid)
	case out.StatsTimeout < 0:
		return out, fmt.Errorf("jobs: Options.StatsTimeout %s is negative: %w", out.StatsTimeout, ErrInvalid)
	}
	return out, nil
}

// Queue is the job queue users call: it validates and defaults jobs, wraps
// driver errors, keeps metrics, and lets in-process workers react at once to
// enqueues and cancels. The driver does the storage.
//
// A Queue is safe for concurrent use.
type Queue struct {
	d       Driver
	opts    Options
	metrics *metrics

	mu      sync.Mutex
	wake    []chan struct{}                    // one per Workers, buffered 1
	running map[string]context.CancelCauseFunc // tenant/id → cancel of the local run
}

// New returns a Queue on driver d. It fails with ErrInvalid when d is nil or
// an option is out of range, and when the metrics cannot be registered.
func New(d Driver, opts *Options) (*Queue, error) {
	if d == nil {
		return nil, fmt.Errorf("jobs: driver is nil: %w", ErrInvalid)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	q := &Queue{d: d, opts: o, running: make(map[string]context.CancelCauseFunc)}
	q.metrics = newMetrics(q)
	if o.Registerer != nil {
		if err := q.metrics.register(o.Registerer); err != nil {
			return nil, fmt.Errorf("jobs: register metrics: %w", err)
		}
	}
	return q, nil
}

// Driver returns the driver the queue runs on.
func (q *Queue) Driver() Driver { return q.d }

// prepare validates j and fills the defaults; it returns a new Job.
func (q *Queue) prepare(j Job, now time.Time) (*Job, error) {
	if err := ValidateTenant(j.Tenant); err != nil {
		return nil, err
	}
	if err := ValidateName("job type", j.Type); err != nil {
		return nil, err
	}
	if j.ID == "" {
		j.ID = q.opts.NewID()
	}
	if err := ValidateName("job id", j.ID); err != nil {
		return nil, err
	}
	if j.Queue == "" {
		j.Queue = DefaultQueue
	}
	if err := ValidateName("queue", j.Queue); err != nil {
		return nil, err
	}
	if j.MaxAttempts < 0 {
		return nil, fmt.Errorf("jobs: job %q: MaxAttempts %d is negative: %w", j.ID, j.MaxAttempts, ErrInvalid)
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = q.opts.MaxAttempts
		if p := q.opts.RetryPolicies[j.Type]; p.MaxAttempts > 0 {
			j.MaxAttempts = p.MaxAttempts
		}
	}
	if j.Timeout < 0 {
		return nil, fmt.Errorf("jobs: job %q: Timeout %s is negative: %w", j.ID, j.Timeout, ErrInvalid)
	}
	if j.Timeout == 0 {
		j.Timeout = q.opts.Timeout
	}
	if len(j.UniqueKey) > 512 {
		return nil, fmt.Errorf("jobs: job %q: UniqueKey longer than 512 bytes: %w", j.ID, ErrInvalid)
	}
	j.State = StateQueued
	j.Attempt = 0
	j.Progress, j.ProgressMessage, j.LastError, j.FailingSince = 0, "", "", time.Time{}
	j.CreatedAt, j.UpdatedAt = now, now
	j.StartedAt, j.FinishedAt, j.LeaseUntil = time.Time{}, time.Time{}, time.Time{}
	j.Payload = append([]byte(nil), j.Payload...)
	return &j, nil
}

// Enqueue validates j, fills its defaults and stores it queued. It returns
// the stored job. When j.UniqueKey is held by an unfinished job it returns
// that job's ID in the returned Job and an error wrapping ErrDuplicate.
// Invalid jobs fail with ErrInvalid.
func (q *Queue) Enqueue(ctx context.Context, j Job) (*Job, error) {
	out, err := q.EnqueueMany(ctx, []Job{j})
	if len(out) == 1 {
		return out[0], err
	}
	return nil, err
}

// EnqueueMany stores many jobs in one batch, which is much faster than
// calling Enqueue in a loop. It returns the jobs in order; when some were
// duplicates it still returns every job (duplicates carrying the holder's ID)
// and an error wrapping ErrDuplicate. Any invalid job fails the whole batch
// with ErrInvalid before anything is stored.
func (q *Queue) EnqueueMany(ctx context.Context, js []Job) ([]*Job, error) {
	if len(js) == 0 {
		return nil, nil
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	prepared := make([]*Job, len(js))
	for i, j := range js {
		p, err := q.prepare(j, now)
		if err != nil {
			return nil, err
		}
		prepared[i] = p
	}
	var res []EnqueueResult
	var err error
	if q.opts.EnqueueGuard != nil {
		err = q.opts.EnqueueGuard.Do(ctx, func(ctx context.Context) error {
			var derr error
			res, derr = q.d.Enqueue(ctx, prepared)
			return derr
		})
		var u interface{ Unavailable() bool }
		if errors.As(err, &u) && u.Unavailable() {
			return nil, fmt.Errorf("jobs: enqueue %d jobs: %w: %w", len(prepared), ErrUnavailable, err)
		}
	} else {
		res, err = q.d.Enqueue(ctx, prepared)
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: enqueue %d jobs: %w", len(prepared), err)
	}
	if len(res) != len(prepared) {
		return nil, fmt.Errorf("jobs: enqueue: driver returned %d results for %d jobs", len(res), len(prepared))
	}
	var dupErr error
	for i, r := range res {
		if r.Duplicate {
			prepared[i].ID = r.ID
			if dupErr == nil {
				dupErr = fmt.Errorf("jobs: job unique key %q held by job %q: %w", prepared[i].UniqueKey, r.ID, ErrDuplicate)
			}
			continue
		}
		q.metrics.enqueued.WithLabelValues(prepared[i].Type).Inc()
	}
	q.notify()
	return prepared, dupErr
}

// Get returns the job tenant/id, or an error wrapping ErrNotFound.
func (q *Queue) Get(ctx context.Context, tenant, id string) (*Job, error) {
	if err := validateRef(tenant, id); err != nil {
		return nil, err
	}
	j, err := q.d.Get(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("jobs: get job %q: %w", id, err)
	}
	return j, nil
}

// ListOptions filters List.
type ListOptions struct {
	// State selects one state; empty means every state.
	State State
	// Limit bounds the result; default 100.
	Limit int
}

// List returns a tenant's jobs, most recently updated first. It fails with
// ErrInvalid for a bad tenant, state or limit.
func (q *Queue) List(ctx context.Context, tenant string, opts *ListOptions) ([]*Job, error) {
	if err := ValidateTenant(tenant); err != nil {
		return nil, err
	}
	var o ListOptions
	if opts != nil {
		o = *opts
	}
	if o.State != "" && !o.State.Valid() {
		return nil, fmt.Errorf("jobs: list: state %q: %w", o.State, ErrInvalid)
	}
	if o.Limit < 0 {
		return nil, fmt.Errorf("jobs: list: ListOptions.Limit %d is negative: %w", o.Limit, ErrInvalid)
	}
	if o.Limit == 0 {
		o.Limit = 100
	}
	js, err := q.d.List(ctx, tenant, o.State, o.Limit)
	if err != nil {
		return nil, fmt.Errorf("jobs: list tenant %q: %w", tenant, err)
	}
	return js, nil
}

// Cancel cancels a queued, retrying or running job and returns it. A running
// job's handler has its context cancelled: at once when it runs in this
// process, otherwise at its worker's next heartbeat. Finished jobs fail with
// ErrState, unknown ones with ErrNotFound.
func (q *Queue) Cancel(ctx context.Context, tenant, id string) (*Job, error) {
	if err := validateRef(tenant, id); err != nil {
		return nil, err
	}
	j, err := q.d.Cancel(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("jobs: cancel job %q: %w", id, err)
	}
	q.mu.Lock()
	cancel := q.running[runKey(tenant, id)]
	q.mu.Unlock()
	if cancel != nil {
		cancel(errCancelled)
	}
	return j, nil
}

// Requeue puts a dead or failed job back in line with its attempts reset.
// Other states fail with ErrState, unknown jobs with ErrNotFound.
func (q *Queue) Requeue(ctx context.Context, tenant, id string) (*Job, error) {
	if err := validateRef(tenant, id); err != nil {
		return nil, err
	}
	j, err := q.d.Requeue(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("jobs: requeue job %q: %w", id, err)
	}
	q.notify()
	return j, nil
}

// Recover re-queues the jobs whose leases expired; see Driver.Recover.
// Workers call it periodically; it is exported for operators and tests.
func (q *Queue) Recover(ctx context.Context) (int, error) {
	n, err := q.d.Recover(ctx)
	if err != nil {
		return n, fmt.Errorf("jobs: recover: %w", err)
	}
	if n > 0 {
		q.metrics.recovered.Add(float64(n))
		q.notify()
	}
	return n, nil
}

// SetTenantLimit sets how many of tenant's jobs run at once; zero restores
// Options.TenantLimit. Negative limits fail with ErrInvalid.
func (q *Queue) SetTenantLimit(ctx context.Context, tenant string, limit int) error {
	if err := ValidateTenant(tenant); err != nil {
		return err
	}
	if limit < 0 {
		return fmt.Errorf("jobs: tenant %q: limit %d is negative: %w", tenant, limit, ErrInvalid)
	}
	if err := q.d.SetTenantLimit(ctx, tenant, limit); err != nil {
		return fmt.Errorf("jobs: set limit of tenant %q: %w", tenant, err)
	}
	q.notify()
	return nil
}

// Stats returns the per-tenant counts the metrics are built from.
func (q *Queue) Stats(ctx context.Context) ([]TenantStats, error) {
	s, err := q.d.Stats(ctx)
	if err != nil {
		return nil, fmt.Errorf("jobs: stats: %w", err)
	}
	return s, nil
}

func validateRef(tenant, id string) error {
	if err := ValidateTenant(tenant); err != nil {
		return err
	}
	return ValidateName("job id", id)
}

func runKey(tenant, id string) string { return tenant + "\x00" + id }

// subscribe returns a channel that receives a value whenever work may have
// become ready in this process.
func (q *Queue) subscribe() chan struct{} {
	ch := make(chan struct{}, 1)
	q.mu.Lock()
	q.wake = append(q.wake, ch)
	q.mu.Unlock()
	return ch
}

func (q *Queue) unsubscribe(ch chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, c := range q.wake {
		if c == ch {
			q.wake = append(q.wake[:i], q.wake[i+1:]...)
			return
		}
	}
}

func (q *Queue) notify() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, ch := range q.wake {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

func (q *Queue) trackRun(tenant, id string, cancel context.CancelCauseFunc) {
	q.mu.Lock()
	q.running[runKey(tenant, id)] = cancel
	q.mu.Unlock()
}

func (q *Queue) untrackRun(tenant, id string) {
	q.mu.Lock()
	delete(q.running, runKey(tenant, id))
	q.mu.Unlock()
}
