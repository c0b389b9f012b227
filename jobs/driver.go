package jobs

import (
	"context"
	"time"
)

// Driver is the JobQueue extension point: the storage and coordination a
// Queue and its Workers run on. Adapters (jobs/redisqueue, jobs/localqueue)
// implement it; Queue validates and defaults every argument before calling, so
// a driver only does I/O. Every adapter must pass jobs/jobstest unchanged.
//
// Drivers must be safe for concurrent use, including by several processes
// sharing one backend where the backend allows it. Errors for a missing job
// wrap ErrNotFound; operations not allowed in the job's state wrap ErrState.
type Driver interface {
	// Enqueue stores new jobs, already validated and defaulted (ID, Queue,
	// MaxAttempts, Timeout, CreatedAt set; State queued). A job whose unique
	// key is held by an unfinished job is not stored; its result carries the
	// holder's ID and Duplicate.
	Enqueue(ctx context.Context, jobs []*Job) ([]EnqueueResult, error)

	// Dequeue leases up to req.Max ready jobs from req.Queues, rotating over
	// the tenants with work so that no tenant starves another, and never
	// letting a tenant hold more leases than its limit. Each returned job is
	// running with Attempt incremented and LeaseUntil set. It returns an empty
	// slice, not an error, when nothing is ready.
	Dequeue(ctx context.Context, req DequeueRequest) ([]*Job, error)

	// Heartbeat extends the leases held by the caller, one result per lease
	// in order.
	Heartbeat(ctx context.Context, leases []Lease, d time.Duration) ([]LeaseStatus, error)

	// Finish records the outcome of runs and releases their concurrency
	// slots. An outcome whose lease is no longer held (expired and recovered,
	// or already finished) is ignored, so Finish is idempotent.
	Finish(ctx context.Context, outcomes []Outcome) error

	// Progress stores the progress of a run whose lease is held; it returns
	// ErrState when the lease is not held.
	Progress(ctx context.Context, l Lease, percent int, message string) error

	// Get returns one job.
	Get(ctx context.Context, tenant, id string) (*Job, error)

	// List returns up to limit jobs of tenant in state (every state when
	// state is empty), most recently updated first.
	List(ctx context.Context, tenant string, state State, limit int) ([]*Job, error)

	// Cancel moves a queued, retrying or running job to cancelled and returns
	// it. A running job keeps its concurrency slot until its worker stops it
	// (the worker learns of the cancel from Heartbeat).
	Cancel(ctx context.Context, tenant, id string) (*Job, error)

	// Requeue moves a dead or failed job back to queued with Attempt reset
	// to zero, keeping LastError.
	Requeue(ctx context.Context, tenant, id string) (*Job, error)

	// Recover finds leases that expired (their worker crashed or lost its
	// connection) and puts their jobs back in line, or marks them dead when
	// their attempts are exhausted, releasing the slots. Each expired lease is
	// recovered exactly once even when several processes call Recover at the
	// same time. It returns the number of leases recovered.
	Recover(ctx context.Context) (int, error)

	// SetTenantLimit sets how many jobs of tenant may run at once; zero
	// restores the default given with each DequeueRequest.
	SetTenantLimit(ctx context.Context, tenant string, limit int) error

	// Stats reports, per tenant with jobs, the number of jobs in each state
	// and the number of concurrency slots held.
	Stats(ctx context.Context) ([]TenantStats, error)
}

// EnqueueResult is the result of enqueueing one job.
type EnqueueResult struct {
	// ID is the stored job's ID, or the holder's ID for a duplicate.
	ID string
	// Duplicate reports that the unique key was held and nothing was stored.
	Duplicate bool
}

// DequeueRequest asks a driver for work.
type DequeueRequest struct {
	// Queues are served in order of preference; non-empty.
	Queues []string
	// Max is the most jobs to lease; at least 1.
	Max int
	// Lease is how long the leases last before they must be renewed.
	Lease time.Duration
	// DefaultLimit is the concurrency limit of tenants without their own.
	DefaultLimit int
}

// Lease identifies one run of a job: the job and the attempt that holds it.
type Lease struct {
	Tenant  string
	ID      string
	Attempt int
}

// LeaseStatus is the result of renewing one lease.
type LeaseStatus int

// The lease statuses.
const (
	// LeaseHeld: the lease was extended; keep running.
	LeaseHeld LeaseStatus = iota
	// LeaseCancelled: the lease was extended but the job was cancelled; stop.
	LeaseCancelled
	// LeaseLost: the lease is no longer held (expired and recovered); stop
	// without recording an outcome.
	LeaseLost
)

// OutcomeKind says how a run ended.
type OutcomeKind int

// The outcome kinds.
const (
	// OutcomeCompleted: the handler succeeded.
	OutcomeCompleted OutcomeKind = iota + 1
	// OutcomeRetry: the run failed; run again after RetryAfter.
	OutcomeRetry
	// OutcomeFailed: the run failed permanently.
	OutcomeFailed
	// OutcomeDead: the run failed and the attempts are exhausted.
	OutcomeDead
	// OutcomeCancelled: the handler stopped because the job was cancelled.
	OutcomeCancelled
	// OutcomeReleased: the worker shut down; the job goes back in line at
	// the front with the attempt not counted.
	OutcomeReleased
)

// Outcome is the end of one run, reported by a worker.
type Outcome struct {
	Lease
	Kind OutcomeKind
	// Error is the run's error for failing kinds.
	Error string
	// RetryAfter is the back-off before the next run for OutcomeRetry.
	RetryAfter time.Duration
}

// TenantStats is a snapshot of one tenant's jobs.
type TenantStats struct {
	Tenant string
	// Jobs counts the jobs per state.
	Jobs map[State]int
	// SlotsHeld is the number of concurrency slots held; it equals
	// Jobs[StateRunning] plus cancelled jobs still stopping unless a slot
	// leaked.
	SlotsHeld int
}
