// Package jobs is the job queue of AutonomOS: tenants' background work
// (connection syncs, bulk mapping generation) with leases, retries, per-tenant
// concurrency limits and fair scheduling across tenants.
//
// Queue is the type callers use: Enqueue, Get, List, Cancel, Requeue. It
// validates and defaults jobs, wraps errors and keeps metrics, and runs on a
// Driver — the JobQueue extension point — that does the storage:
// jobs/redisqueue for production, jobs/localqueue for local mode. Every
// driver passes the conformance suite in jobs/jobstest.
//
// Workers run jobs with the handlers of a Handlers registry:
//
//	h := jobs.NewHandlers()
//	h.Register(jobs.TypeTest, jobs.TestHandler)
//	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 20})
//	err = w.Start(ctx)
//	defer w.Stop(ctx)
//
// # Lifecycle
//
// A job is queued, then running while a worker holds its lease, then
// completed. A failed run is retried (retrying) with exponential back-off and
// jitter until MaxAttempts runs failed; then it is dead, with its last error,
// until Queue.Requeue. Handler errors wrapped by Permanent fail the job at
// once (failed). Queued, retrying and running jobs can be cancelled.
//
// Each job type may have a RetryPolicy (Options.RetryPolicies): back-off
// capped at its Max and a time Budget counted from the first failed run
// (Job.FailingSince), not an attempt count alone. Syncs and mapping
// generation default to SyncRetryPolicy (up to an hour, at most 5 minutes
// apart), so they ride out an outage of their source or of PostgreSQL. A
// completed job clears LastError and FailingSince.
//
// # Leases and concurrency
//
// A run holds a lease that its worker renews by heartbeat. If the worker
// process dies, the lease expires and a recovery (run by every Workers) puts
// the job back in line with the next attempt, exactly once. Each worker also
// keeps a local lease deadline per run — the time its last successful renewal
// was sent plus the lease, minus WorkerOptions.LeaseMargin — and cancels the
// handler (cause ErrLeaseLost) when it passes, whatever the backend does: a
// worker cut off from Redis stops before another worker can take the job.
// Outcomes are fenced by attempt: a late outcome of a run whose lease was
// lost is ignored. Each tenant has a
// concurrency limit (Options.TenantLimit, default 5, or per tenant with
// SetTenantLimit): a slot is the leased job itself, keyed by job ID with the
// lease deadline, so a crashed holder's slot is reclaimed with its lease and a
// double release cannot miscount. Workers rotate over the tenants that have
// work, so a tenant with a large backlog delays another tenant's job by at
// most one job per worker.
//
// # Handler contexts
//
// A handler's context is cancelled when the job times out, is cancelled,
// loses its lease, or the workers shut down; context.Cause returns
// ErrTimeout, ErrJobCancelled, ErrLeaseLost or ErrShutdown. Jobs interrupted
// by shutdown go back to the front of the line without using an attempt.
//
// # Errors
//
// Errors wrap the sentinels ErrInvalid, ErrNotFound, ErrDuplicate, ErrState
// and ErrClosed; test them with errors.Is.
//
// # Metrics
//
// With Options.Registerer set, the queue exports aos_jobs_depth{state},
// aos_jobs_running, aos_jobs_semaphore_holders, aos_jobs_semaphore_excess
// (the leak gauge) and aos_jobs_tenants{kind="all"|"excess"}, summed over
// tenants — no tenant label, which would be unbounded and leak tenant IDs
// (per-tenant figures: Queue.Stats) — the histograms
// aos_jobs_wait_seconds and aos_jobs_run_seconds, and counters of enqueued
// and recovered jobs.
//
// # Concurrency
//
// Queue, Handlers and Workers are safe for concurrent use.
package jobs
