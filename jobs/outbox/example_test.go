package outbox_test

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/outbox"
	"github.com/autonomos/autonomos/pgstore"
)

// The request and its job commit together; the relay enqueues the job.
func ExampleEnqueue() {
	var (
		ctx    = context.Background()
		store  *pgstore.Store // opened by the application
		q      *jobs.Queue
		tenant = uuid.New()
	)
	relay, err := outbox.NewRelay(store, q, nil)
	if err != nil {
		return
	}
	go func() { _ = relay.Run(ctx) }()

	err = store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		// ... store the request and its idempotency key in tx ...
		_, err := outbox.Enqueue(ctx, tx, jobs.Job{Tenant: tenant.String(), Type: jobs.TypeConnectionSync})
		return err
	})
	if err == nil {
		relay.Notify()
	}
}
