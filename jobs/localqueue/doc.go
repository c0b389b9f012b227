// Package localqueue is the in-process driver of the jobs queue
// (jobs.Driver) for local mode: queues, leases and tenant slots in memory,
// every change written through to the local control store (DuckDB, tables
// local_jobs and local_job_limits created on demand) before it is visible,
// so that queued, delayed and interrupted jobs survive a restart.
//
// On start, jobs that were running belong to a process that is gone: they
// come back at the front of their line with their next run counting one more
// attempt, or dead when their attempts are exhausted. If a write fails, the
// memory state is reloaded from the store and the error returned.
//
// Scheduling matches jobs/redisqueue: per-queue rotation over tenants with
// work, per-tenant limits, leases recovered by Recover.
package localqueue
