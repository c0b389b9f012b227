package localqueue_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/localqueue"
)

// Jobs enqueued in local mode survive closing and reopening the control
// store.
func ExampleNew() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "localqueue-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "control.duckdb")

	open := func() (*sql.DB, *jobs.Queue) {
		db, err := sql.Open("duckdb", path)
		if err != nil {
			log.Fatal(err)
		}
		d, err := localqueue.New(ctx, db, nil)
		if err != nil {
			log.Fatal(err)
		}
		q, err := jobs.New(d, nil)
		if err != nil {
			log.Fatal(err)
		}
		return db, q
	}
	db, q := open()
	j, err := q.Enqueue(ctx, jobs.Job{Tenant: "acme", Type: "t"})
	if err != nil {
		log.Fatal(err)
	}
	db.Close()

	db, q = open()
	defer db.Close()
	got, err := q.Get(ctx, "acme", j.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.State)
	// Output: queued
}
