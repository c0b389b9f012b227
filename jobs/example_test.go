package jobs_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/localqueue"
)

// openLocalQueue opens a queue in local mode on a fresh control store.
func openLocalQueue(ctx context.Context) (*jobs.Queue, func()) {
	dir, err := os.MkdirTemp("", "jobs-example")
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(dir, "control.duckdb"))
	if err != nil {
		log.Fatal(err)
	}
	d, err := localqueue.New(ctx, db, nil)
	if err != nil {
		log.Fatal(err)
	}
	q, err := jobs.New(d, &jobs.Options{TenantLimit: 5})
	if err != nil {
		log.Fatal(err)
	}
	return q, func() { db.Close(); os.RemoveAll(dir) }
}

// Enqueue a job, run it with a worker pool, and read its final state.
func Example() {
	ctx := context.Background()
	q, closeQueue := openLocalQueue(ctx)
	defer closeQueue()

	h := jobs.NewHandlers()
	done := make(chan struct{})
	err := h.Register("greet", func(ctx context.Context, j *jobs.Job) error {
		defer close(done)
		fmt.Printf("hello, %s\n", j.Payload)
		return jobs.ReportProgress(ctx, 100, "greeted")
	})
	if err != nil {
		log.Fatal(err)
	}
	w, err := jobs.NewWorkers(q, h, &jobs.WorkerOptions{Concurrency: 2})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Start(ctx); err != nil {
		log.Fatal(err)
	}

	j, err := q.Enqueue(ctx, jobs.Job{Tenant: "acme", Type: "greet", Payload: []byte("world")})
	if err != nil {
		log.Fatal(err)
	}
	<-done
	if err := w.Stop(ctx); err != nil { // waits until the outcome is recorded
		log.Fatal(err)
	}
	got, err := q.Get(ctx, "acme", j.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.State, got.Attempt, got.Progress, got.ProgressMessage)
	// Output:
	// hello, world
	// completed 1 100 greeted
}

// A unique key keeps a second sync of the same connection from being queued
// while the first is pending.
func ExampleQueue_Enqueue_unique() {
	ctx := context.Background()
	q, closeQueue := openLocalQueue(ctx)
	defer closeQueue()

	first, err := q.Enqueue(ctx, jobs.Job{Tenant: "acme", Type: jobs.TypeConnectionSync, UniqueKey: "sync:conn-42"})
	if err != nil {
		log.Fatal(err)
	}
	second, err := q.Enqueue(ctx, jobs.Job{Tenant: "acme", Type: jobs.TypeConnectionSync, UniqueKey: "sync:conn-42"})
	fmt.Println(errors.Is(err, jobs.ErrDuplicate), second.ID == first.ID)
	// Output: true true
}

// Cancelling a running job cancels its handler's context.
func ExampleQueue_Cancel() {
	ctx := context.Background()
	q, closeQueue := openLocalQueue(ctx)
	defer closeQueue()

	h := jobs.NewHandlers()
	started := make(chan struct{})
	stopped := make(chan error, 1)
	_ = h.Register("long", func(ctx context.Context, j *jobs.Job) error {
		close(started)
		<-ctx.Done()
		stopped <- context.Cause(ctx)
		return ctx.Err()
	})
	w, _ := jobs.NewWorkers(q, h, nil)
	_ = w.Start(ctx)
	defer w.Stop(ctx)

	j, _ := q.Enqueue(ctx, jobs.Job{Tenant: "acme", Type: "long", Timeout: time.Hour})
	<-started
	c, err := q.Cancel(ctx, "acme", j.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.State)
	fmt.Println(<-stopped)
	// Output:
	// cancelled
	// jobs: job cancelled
}
