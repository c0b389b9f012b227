// Package outbox is the transactional outbox of the job queue: a job is
// recorded in PostgreSQL in the same transaction as the change that asks for
// it, and a Relay moves it to the queue afterwards.
//
// # Why
//
// When an API request commits something (a sync request and its idempotency
// key) and then enqueues a job in Redis, a process that dies between the
// commit and the enqueue loses the job: the request is recorded as accepted
// and nothing ever runs it. Enqueueing first and committing after has the
// opposite failure (a job for a request that was rolled back). With the
// outbox, the job row commits or rolls back with the request:
//
//	err := store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
//		// ... store the idempotency key and the request ...
//		_, err := outbox.Enqueue(ctx, tx, job)
//		return err
//	})
//
// # Exactly once
//
// The Relay reads committed rows (FOR UPDATE SKIP LOCKED, so several relays
// share the work), enqueues them with their job IDs, and deletes them in the
// same transaction. Relaying is at least once — a relay that dies after the
// enqueue but before its commit leaves the rows, and they are relayed again
// — and enqueueing is idempotent by job ID (a job that already exists is
// not stored again; a unique key held by another job makes it a duplicate
// that is not stored either), so each job is enqueued exactly once.
//
// Relayed rows are enqueued within Options.Interval of the commit (default
// 200ms), or at once when the writer calls Relay.Notify after its commit.
//
// The table job_outbox is a tenant table under row-level security: Enqueue
// must run in a pgstore.Store.WithTenant transaction of the job's tenant
// (whose ID must therefore be a UUID); the Relay reads all tenants in a
// system transaction.
package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/pgstore"
)

// MaxPayload bounds the payload of an outboxed job (1 MiB).
const MaxPayload = 1 << 20

// record is the JSON form of a job in the outbox.
type record struct {
	ID          string        `json:"id"`
	Tenant      string        `json:"tenant"`
	Type        string        `json:"type"`
	Queue       string        `json:"queue,omitempty"`
	Payload     []byte        `json:"payload,omitempty"`
	UniqueKey   string        `json:"unique_key,omitempty"`
	MaxAttempts int           `json:"max_attempts,omitempty"`
	Timeout     time.Duration `json:"timeout,omitempty"`
	RunAfter    time.Time     `json:"run_after,omitzero"`
}

// Enqueue records j in tx, to be enqueued once tx commits. tx must be a
// pgstore WithTenant transaction of j.Tenant. When j.ID is empty a random
// UUID is assigned; the job (with its ID) is returned so the caller can
// report it. Recording the same job ID twice fails with an error wrapping
// jobs.ErrDuplicate. Invalid jobs fail with jobs.ErrInvalid before any I/O.
func Enqueue(ctx context.Context, tx pgx.Tx, j jobs.Job) (jobs.Job, error) {
	if tx == nil {
		return j, fmt.Errorf("outbox: transaction is nil: %w", jobs.ErrInvalid)
	}
	tenant, err := uuid.Parse(j.Tenant)
	if err != nil {
		return j, fmt.Errorf("outbox: tenant %q is not a UUID: %w", j.Tenant, jobs.ErrInvalid)
	}
	if j.ID == "" {
		j.ID = uuid.NewString()
	}
	for what, v := range map[string]string{"job id": j.ID, "job type": j.Type} {
		if err := jobs.ValidateName(what, v); err != nil {
			return j, fmt.Errorf("outbox: %w", err)
		}
	}
	if j.Queue != "" {
		if err := jobs.ValidateName("queue", j.Queue); err != nil {
			return j, fmt.Errorf("outbox: %w", err)
		}
	}
	if len(j.Payload) > MaxPayload {
		return j, fmt.Errorf("outbox: job %q: payload of %d bytes exceeds %d: %w", j.ID, len(j.Payload), MaxPayload, jobs.ErrInvalid)
	}
	if j.MaxAttempts < 0 || j.Timeout < 0 || len(j.UniqueKey) > 512 {
		return j, fmt.Errorf("outbox: job %q: negative MaxAttempts or Timeout, or UniqueKey over 512 bytes: %w", j.ID, jobs.ErrInvalid)
	}
	doc, err := json.Marshal(record{ID: j.ID, Tenant: j.Tenant, Type: j.Type, Queue: j.Queue, Payload: j.Payload,
		UniqueKey: j.UniqueKey, MaxAttempts: j.MaxAttempts, Timeout: j.Timeout, RunAfter: j.RunAfter})
	if err != nil {
		return j, fmt.Errorf("outbox: job %q: %w", j.ID, err)
	}
	tag, err := tx.Exec(ctx, `INSERT INTO job_outbox (tenant_id, id, job) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
		tenant, j.ID, doc)
	if err != nil {
		return j, fmt.Errorf("outbox: record job %q: %w", j.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return j, fmt.Errorf("outbox: job %q already recorded: %w", j.ID, jobs.ErrDuplicate)
	}
	return j, nil
}

// Options configures a Relay. The zero value (or nil) means the defaults.
type Options struct {
	// Interval is how often Run looks for committed rows; default 200ms.
	Interval time.Duration
	// Batch bounds the rows relayed per transaction; default 500.
	Batch int
	// Logger receives relay errors; default discards.
	Logger *slog.Logger
}

// Relay moves committed outbox rows to a job queue. It is safe for
// concurrent use, and several relays (in one or many processes) may run on
// the same database.
type Relay struct {
	store *pgstore.Store
	q     *jobs.Queue
	o     Options
	wake  chan struct{}
}

// NewRelay returns a relay from store's outbox to q. It fails with
// jobs.ErrInvalid for nil arguments or negative options.
func NewRelay(store *pgstore.Store, q *jobs.Queue, opts *Options) (*Relay, error) {
	if store == nil || q == nil {
		return nil, fmt.Errorf("outbox: store and queue are required: %w", jobs.ErrInvalid)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Interval < 0 || o.Batch < 0 {
		return nil, fmt.Errorf("outbox: Options.Interval %s / Batch %d negative: %w", o.Interval, o.Batch, jobs.ErrInvalid)
	}
	if o.Interval == 0 {
		o.Interval = 200 * time.Millisecond
	}
	if o.Batch == 0 {
		o.Batch = 500
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Relay{store: store, q: q, o: o, wake: make(chan struct{}, 1)}, nil
}

// Notify asks Run to relay at once (call it after committing an Enqueue).
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// RelayOnce relays up to Options.Batch committed rows in one transaction and
// returns how many it relayed. Rows are deleted only after their jobs are
// enqueued; when the enqueue fails, nothing is deleted and the error is
// returned (the rows are relayed by a later call).
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	n := 0
	err := r.store.WithSystem(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT tenant_id, id, job FROM job_outbox ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED`, r.o.Batch)
		if err != nil {
			return err
		}
		var tenants []uuid.UUID
		var ids []string
		var batch []jobs.Job
		for rows.Next() {
			var tenant uuid.UUID
			var id string
			var doc []byte
			if err := rows.Scan(&tenant, &id, &doc); err != nil {
				rows.Close()
				return err
			}
			var rec record
			if err := json.Unmarshal(doc, &rec); err != nil {
				rows.Close()
				return fmt.Errorf("outbox: row %s/%s: %w", tenant, id, err)
			}
			tenants, ids = append(tenants, tenant), append(ids, id)
			batch = append(batch, jobs.Job{ID: rec.ID, Tenant: rec.Tenant, Type: rec.Type, Queue: rec.Queue,
				Payload: rec.Payload, UniqueKey: rec.UniqueKey, MaxAttempts: rec.MaxAttempts, Timeout: rec.Timeout,
				RunAfter: rec.RunAfter})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		// Idempotent by job ID: a job relayed before (by a relay that died
		// before deleting its rows) is not stored again. A duplicate unique
		// key means another job already does the work: done as well.
		if _, err := r.q.EnqueueMany(ctx, batch); err != nil && !errors.Is(err, jobs.ErrDuplicate) {
			return fmt.Errorf("outbox: enqueue %d jobs: %w", len(batch), err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM job_outbox o USING unnest($1::uuid[], $2::text[]) AS d(t, i)
			WHERE o.tenant_id = d.t AND o.id = d.i`, tenants, ids); err != nil {
			return err
		}
		n = len(batch)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("outbox: relay: %w", err)
	}
	return n, nil
}

// Run relays until ctx ends, every Options.Interval or at once after
// Notify, and returns ctx's error. Errors are logged and retried.
func (r *Relay) Run(ctx context.Context) error {
	t := time.NewTicker(r.o.Interval)
	defer t.Stop()
	for {
		for {
			n, err := r.RelayOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					r.o.Logger.Error("outbox: relay", "error", err)
				}
				break
			}
			if n < r.o.Batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-r.wake:
		}
	}
}
