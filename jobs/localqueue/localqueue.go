package localqueue

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/autonomos/autonomos/jobs"
)

// Options configures a Driver. The zero value (or nil) means the defaults.
type Options struct {
	// Retention is how long completed and cancelled jobs stay readable;
	// default 24h. They are pruned by Recover. Failed and dead jobs stay
	// until re-queued.
	Retention time.Duration
}

// Driver is the in-process implementation of jobs.Driver for local mode:
// state in memory under one mutex, written through to the control store so
// that queued and interrupted jobs survive a restart. Only one Driver may use
// a database at a time (DuckDB allows one writing process per file).
//
// A Driver is safe for concurrent use by many goroutines.
type Driver struct {
	db        *sql.DB
	retention time.Duration

	mu      sync.Mutex
	tenants map[string]*tenantState
	rings   map[string]*ring
	head    int64 // seq of the front of every ready line, decreasing
	tail    int64 // seq of the back of every ready line, increasing
}

var _ jobs.Driver = (*Driver)(nil)

type entry struct {
	job jobs.Job
	due int64 // ms when a waiting job becomes ready; 0 when in its ready line
	seq int64 // order within the ready line
}

type tenantState struct {
	jobs   map[string]*entry
	lines  map[string][]string         // queue → ready job ids, front first
	sched  map[string]map[string]int64 // queue → id → due (ms)
	slots  map[string]int64            // id → lease deadline (ms)
	unique map[string]string           // unique key → job id
	limit  int
}

type ring struct {
	order  []string
	member map[string]bool
}

// New returns a Driver on the control store db, which the caller keeps
// owning. It creates the tables when missing and loads the jobs; jobs that
// were running when the previous process stopped come back in line
// (retrying, their next run counting one more attempt), or dead when their
// attempts are exhausted. It fails with jobs.ErrInvalid for a nil db or bad
// option, and with the database error when the tables cannot be read.
func New(ctx context.Context, db *sql.DB, opts *Options) (*Driver, error) {
	if db == nil {
		return nil, fmt.Errorf("localqueue: db is nil: %w", jobs.ErrInvalid)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Retention < 0 {
		return nil, fmt.Errorf("localqueue: Options.Retention %s is negative: %w", o.Retention, jobs.ErrInvalid)
	}
	if o.Retention == 0 {
		o.Retention = 24 * time.Hour
	}
	if _, err := db.ExecContext(ctx, schema); err != nil {
		return nil, fmt.Errorf("localqueue: create tables: %w", err)
	}
	d := &Driver{db: db, retention: o.Retention}
	d.mu.Lock()
	defer d.mu.Unlock()
	entries, limits, err := d.load(ctx)
	if err != nil {
		return nil, err
	}
	interrupted := d.rebuild(entries, limits, true)
	if err := d.persist(ctx, interrupted, nil); err != nil {
		return nil, err
	}
	return d, nil
}

func nowMS() int64 { return time.Now().UnixMilli() }

func (d *Driver) tenant(t string) *tenantState {
	ts := d.tenants[t]
	if ts == nil {
		ts = &tenantState{jobs: map[string]*entry{}, lines: map[string][]string{},
			sched: map[string]map[string]int64{}, slots: map[string]int64{}, unique: map[string]string{}}
		d.tenants[t] = ts
	}
	return ts
}

// rebuild replaces the memory state with entries. With restart set, running
// jobs belong to a process that is gone: they are put back in line (or dead)
// and returned for writing.
func (d *Driver) rebuild(entries []*entry, limits map[string]int, restart bool) []*entry {
	d.tenants = map[string]*tenantState{}
	d.rings = map[string]*ring{}
	d.head, d.tail = 0, 0
	for _, e := range entries {
		d.head = min(d.head, e.seq)
		d.tail = max(d.tail, e.seq)
	}
	now := nowMS()
	var changed []*entry
	for _, e := range entries {
		j := &e.job
		ts := d.tenant(j.Tenant)
		ts.jobs[j.ID] = e
		if j.UniqueKey != "" && !j.State.Terminal() {
			ts.unique[j.UniqueKey] = j.ID
		}
		switch j.State {
		case jobs.StateQueued, jobs.StateRetrying:
			if e.due > 0 {
				d.schedule(ts, j.Queue, j.ID, e.due)
			} else {
				ts.lines[j.Queue] = append(ts.lines[j.Queue], j.ID)
			}
			d.ringAdd(j.Queue, j.Tenant)
		case jobs.StateRunning:
			if restart {
				d.expire(ts, e, now, "interrupted by restart")
				changed = append(changed, e)
			} else {
				ts.slots[j.ID] = msOf(j.LeaseUntil)
			}
		}
	}
	for t, n := range limits {
		d.tenant(t).limit = n
	}
	return changed
}

// reload rebuilds memory from the database after a failed write, so that
// memory never holds changes the store lost.
func (d *Driver) reload(ctx context.Context, cause error) error {
	entries, limits, err := d.load(context.WithoutCancel(ctx))
	if err != nil {
		return fmt.Errorf("%w (and reload failed: %w)", cause, err)
	}
	d.rebuild(entries, limits, false)
	return cause
}

// commit persists the changes of one operation.
func (d *Driver) commit(ctx context.Context, rows, deleted []*entry) error {
	if err := d.persist(ctx, dedupe(rows), deleted); err != nil {
		return d.reload(ctx, err)
	}
	return nil
}

func dedupe(rows []*entry) []*entry {
	if len(rows) < 2 {
		return rows
	}
	seen := make(map[*entry]bool, len(rows))
	out := rows[:0:0]
	for _, e := range rows {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

func (d *Driver) schedule(ts *tenantState, queue, id string, due int64) {
	m := ts.sched[queue]
	if m == nil {
		m = map[string]int64{}
		ts.sched[queue] = m
	}
	m[id] = due
}

func (d *Driver) pushBack(ts *tenantState, e *entry) {
	d.tail++
	e.seq, e.due = d.tail, 0
	ts.lines[e.job.Queue] = append(ts.lines[e.job.Queue], e.job.ID)
}

func (d *Driver) pushFront(ts *tenantState, e *entry) {
	d.head--
	e.seq, e.due = d.head, 0
	ts.lines[e.job.Queue] = append([]string{e.job.ID}, ts.lines[e.job.Queue]...)
}

func (d *Driver) ringAdd(queue, tenant string) {
	r := d.rings[queue]
	if r == nil {
		r = &ring{member: map[string]bool{}}
		d.rings[queue] = r
	}
	if !r.member[tenant] {
		r.member[tenant] = true
		r.order = append([]string{tenant}, r.order...)
	}
}

// ringNext rotates the ring of queue and returns its next n tenants.
func (d *Driver) ringNext(queue string, n int) []string {
	r := d.rings[queue]
	if r == nil || len(r.order) == 0 {
		return nil
	}
	n = min(n, len(r.order))
	out := append([]string(nil), r.order[:n]...)
	r.order = append(r.order[n:], out...)
	return out
}

func (d *Driver) ringRemove(queue, tenant string) {
	r := d.rings[queue]
	if r == nil || !r.member[tenant] {
		return
	}
	delete(r.member, tenant)
	for i, t := range r.order {
		if t == tenant {
			r.order = append(r.order[:i], r.order[i+1:]...)
			break
		}
	}
}

func (d *Driver) releaseUnique(ts *tenantState, j *jobs.Job) {
	if j.UniqueKey != "" && ts.unique[j.UniqueKey] == j.ID {
		delete(ts.unique, j.UniqueKey)
	}
}

// markFailing records when a streak of failed runs began.
func markFailing(j *jobs.Job, now int64) {
	if j.FailingSince.IsZero() {
		j.FailingSince = timeOf(now)
	}
}

// expire handles a running job whose lease ended (or whose process died).
func (d *Driver) expire(ts *tenantState, e *entry, now int64, reason string) {
	j := &e.job
	delete(ts.slots, j.ID)
	j.LeaseUntil = time.Time{}
	j.UpdatedAt = timeOf(now)
	switch {
	case j.State == jobs.StateCancelled:
		j.FinishedAt = timeOf(now)
	case j.Attempt >= j.MaxAttempts:
		j.State, j.LastError, j.FinishedAt = jobs.StateDead, reason, timeOf(now)
		d.releaseUnique(ts, j)
	default:
		j.State, j.LastError = jobs.StateRetrying, reason
		markFailing(j, now)
		d.pushFront(ts, e)
		d.ringAdd(j.Queue, j.Tenant)
	}
}

func clone(e *entry) *jobs.Job { return e.job.Clone() }

// Enqueue implements jobs.Driver.
func (d *Driver) Enqueue(ctx context.Context, js []*jobs.Job) ([]jobs.EnqueueResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := nowMS()
	res := make([]jobs.EnqueueResult, len(js))
	var rows []*entry
	for i, j := range js {
		ts := d.tenant(j.Tenant)
		res[i].ID = j.ID
		if j.UniqueKey != "" {
			if holder, ok := ts.unique[j.UniqueKey]; ok {
				if h := ts.jobs[holder]; h != nil && !h.job.State.Terminal() {
					res[i] = jobs.EnqueueResult{ID: holder, Duplicate: true}
					continue
				}
			}
		}
		if _, exists := ts.jobs[j.ID]; exists {
			continue // a repeated enqueue of the same ID is a no-op
		}
		e := &entry{job: *j.Clone()}
		e.job.State, e.job.UpdatedAt = jobs.StateQueued, timeOf(now)
		ts.jobs[j.ID] = e
		if j.UniqueKey != "" {
			ts.unique[j.UniqueKey] = j.ID
		}
		if due := msOf(j.RunAfter); due > now {
			e.due = due
			d.tail++
			e.seq = d.tail
			d.schedule(ts, j.Queue, j.ID, due)
		} else {
			d.pushBack(ts, e)
		}
		d.ringAdd(j.Queue, j.Tenant)
		rows = append(rows, e)
	}
	if err := d.commit(ctx, rows, nil); err != nil {
		return nil, err
	}
	return res, nil
}

// promote moves due scheduled jobs of one tenant and queue to the back of
// the ready line, earliest first.
func (d *Driver) promote(ts *tenantState, queue string, now int64) []*entry {
	m := ts.sched[queue]
	if len(m) == 0 {
		return nil
	}
	var due []*entry
	for id, at := range m {
		if at <= now {
			if e := ts.jobs[id]; e != nil {
				due = append(due, e)
			}
			delete(m, id)
		}
	}
	sort.Slice(due, func(a, b int) bool { return due[a].due < due[b].due })
	for _, e := range due {
		d.pushBack(ts, e)
	}
	return due
}

// Dequeue implements jobs.Driver with the same rotation as the Redis
// driver: the next tenants of each queue's ring share the request.
func (d *Driver) Dequeue(ctx context.Context, req jobs.DequeueRequest) ([]*jobs.Job, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := nowMS()
	var out []*jobs.Job
	var rows []*entry
	for _, q := range req.Queues {
		remaining := req.Max - len(out)
		if remaining <= 0 {
			break
		}
		tenants := d.ringNext(q, remaining)
		for i, t := range tenants {
			share := remaining / len(tenants)
			if i < remaining%len(tenants) {
				share++
			}
			ts := d.tenant(t)
			rows = append(rows, d.promote(ts, q, now)...)
			limit := ts.limit
			if limit == 0 {
				limit = req.DefaultLimit
			}
			want := min(share, limit-len(ts.slots))
			got := 0
			for got < want && len(ts.lines[q]) > 0 {
				id := ts.lines[q][0]
				ts.lines[q] = ts.lines[q][1:]
				e := ts.jobs[id]
				if e == nil || (e.job.State != jobs.StateQueued && e.job.State != jobs.StateRetrying) {
					continue // cancelled while waiting
				}
				j := &e.job
				j.Attempt++
				j.State = jobs.StateRunning
				j.StartedAt, j.UpdatedAt = timeOf(now), timeOf(now)
				deadline := now + req.Lease.Milliseconds()
				j.LeaseUntil = timeOf(deadline)
				ts.slots[id] = deadline
				rows = append(rows, e)
				out = append(out, clone(e))
				got++
			}
			if len(ts.lines[q]) == 0 && len(ts.sched[q]) == 0 {
				d.ringRemove(q, t)
			}
		}
	}
	if err := d.commit(ctx, rows, nil); err != nil {
		return nil, err
	}
	return out, nil
}

// held returns the entry of a lease still held by its attempt.
func (d *Driver) held(l jobs.Lease) (*tenantState, *entry) {
	ts := d.tenants[l.Tenant]
	if ts == nil {
		return nil, nil
	}
	e := ts.jobs[l.ID]
	if _, ok := ts.slots[l.ID]; !ok || e == nil || e.job.Attempt != l.Attempt {
		return ts, nil
	}
	return ts, e
}

// Heartbeat implements jobs.Driver. Lease renewals live in memory only: after
// a restart every running job is recovered anyway.
func (d *Driver) Heartbeat(ctx context.Context, leases []jobs.Lease, lease time.Duration) ([]jobs.LeaseStatus, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	deadline := nowMS() + lease.Milliseconds()
	out := make([]jobs.LeaseStatus, len(leases))
	for i, l := range leases {
		ts, e := d.held(l)
		if e == nil {
			out[i] = jobs.LeaseLost
			continue
		}
		ts.slots[l.ID] = deadline
		e.job.LeaseUntil = timeOf(deadline)
		if e.job.State == jobs.StateCancelled {
			out[i] = jobs.LeaseCancelled
		}
	}
	return out, nil
}

// Finish implements jobs.Driver.
func (d *Driver) Finish(ctx context.Context, outcomes []jobs.Outcome) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := nowMS()
	var rows []*entry
	for _, o := range outcomes {
		ts, e := d.held(o.Lease)
		if e == nil {
			continue
		}
		delete(ts.slots, o.ID)
		j := &e.job
		j.LeaseUntil = time.Time{}
		rows = append(rows, e)
		if j.State == jobs.StateCancelled {
			j.FinishedAt = timeOf(now)
			continue
		}
		if j.State != jobs.StateRunning {
			continue
		}
		j.UpdatedAt = timeOf(now)
		switch o.Kind {
		case jobs.OutcomeCompleted:
			j.State, j.FinishedAt = jobs.StateCompleted, timeOf(now)
			j.LastError, j.FailingSince = "", time.Time{}
			d.releaseUnique(ts, j)
		case jobs.OutcomeRetry:
			j.State, j.LastError = jobs.StateRetrying, o.Error
			markFailing(j, now)
			e.due = now + o.RetryAfter.Milliseconds()
			d.schedule(ts, j.Queue, j.ID, e.due)
			d.ringAdd(j.Queue, j.Tenant)
		case jobs.OutcomeReleased:
			j.Attempt--
			j.State = jobs.StateRetrying
			if j.Attempt <= 0 {
				j.State = jobs.StateQueued
			}
			d.pushFront(ts, e)
			d.ringAdd(j.Queue, j.Tenant)
		case jobs.OutcomeCancelled:
			j.State, j.FinishedAt = jobs.StateCancelled, timeOf(now)
			d.releaseUnique(ts, j)
		case jobs.OutcomeFailed, jobs.OutcomeDead:
			j.State = jobs.StateFailed
			if o.Kind == jobs.OutcomeDead {
				j.State = jobs.StateDead
			}
			j.LastError, j.FinishedAt = o.Error, timeOf(now)
			d.releaseUnique(ts, j)
		default:
			return d.reload(ctx, fmt.Errorf("localqueue: job %q: outcome kind %d: %w", o.ID, o.Kind, jobs.ErrInvalid))
		}
	}
	return d.commit(ctx, rows, nil)
}

// Progress implements jobs.Driver.
func (d *Driver) Progress(ctx context.Context, l jobs.Lease, percent int, message string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, e := d.held(l)
	if e == nil {
		return fmt.Errorf("localqueue: job %q attempt %d: lease not held: %w", l.ID, l.Attempt, jobs.ErrState)
	}
	e.job.Progress, e.job.ProgressMessage, e.job.UpdatedAt = percent, message, timeOf(nowMS())
	return d.commit(ctx, []*entry{e}, nil)
}

func (d *Driver) find(tenant, id string) (*tenantState, *entry, error) {
	ts := d.tenants[tenant]
	if ts == nil || ts.jobs[id] == nil {
		return nil, nil, fmt.Errorf("localqueue: job %q: %w", id, jobs.ErrNotFound)
	}
	return ts, ts.jobs[id], nil
}

// Get implements jobs.Driver.
func (d *Driver) Get(ctx context.Context, tenant, id string) (*jobs.Job, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	_, e, err := d.find(tenant, id)
	if err != nil {
		return nil, err
	}
	return clone(e), nil
}

// List implements jobs.Driver.
func (d *Driver) List(ctx context.Context, tenant string, state jobs.State, limit int) ([]*jobs.Job, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ts := d.tenants[tenant]
	if ts == nil {
		return nil, nil
	}
	var out []*jobs.Job
	for _, e := range ts.jobs {
		if state == "" || e.job.State == state {
			out = append(out, clone(e))
		}
	}
	sort.Slice(out, func(a, b int) bool {
		if !out[a].UpdatedAt.Equal(out[b].UpdatedAt) {
			return out[a].UpdatedAt.After(out[b].UpdatedAt)
		}
		return out[a].ID > out[b].ID
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// Cancel implements jobs.Driver.
func (d *Driver) Cancel(ctx context.Context, tenant, id string) (*jobs.Job, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ts, e, err := d.find(tenant, id)
	if err != nil {
		return nil, err
	}
	j := &e.job
	switch j.State {
	case jobs.StateQueued, jobs.StateRetrying, jobs.StateRunning:
	default:
		return nil, fmt.Errorf("localqueue: cancel job %q in state %q: %w", id, j.State, jobs.ErrState)
	}
	now := nowMS()
	if m := ts.sched[j.Queue]; m != nil {
		delete(m, id)
	}
	if j.State != jobs.StateRunning {
		j.FinishedAt = timeOf(now)
	}
	j.State, j.UpdatedAt = jobs.StateCancelled, timeOf(now)
	e.due = 0
	d.releaseUnique(ts, j)
	if err := d.commit(ctx, []*entry{e}, nil); err != nil {
		return nil, err
	}
	return clone(e), nil
}

// Requeue implements jobs.Driver.
func (d *Driver) Requeue(ctx context.Context, tenant, id string) (*jobs.Job, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ts, e, err := d.find(tenant, id)
	if err != nil {
		return nil, err
	}
	j := &e.job
	if j.State != jobs.StateDead && j.State != jobs.StateFailed {
		return nil, fmt.Errorf("localqueue: requeue job %q in state %q: %w", id, j.State, jobs.ErrState)
	}
	j.State, j.Attempt, j.UpdatedAt = jobs.StateQueued, 0, timeOf(nowMS())
	j.FinishedAt, j.Progress, j.ProgressMessage, j.FailingSince = time.Time{}, 0, "", time.Time{}
	if j.UniqueKey != "" {
		if _, held := ts.unique[j.UniqueKey]; !held {
			ts.unique[j.UniqueKey] = id
		}
	}
	d.pushBack(ts, e)
	d.ringAdd(j.Queue, tenant)
	if err := d.commit(ctx, []*entry{e}, nil); err != nil {
		return nil, err
	}
	return clone(e), nil
}

// Recover implements jobs.Driver. It also prunes completed and cancelled
// jobs older than the retention.
func (d *Driver) Recover(ctx context.Context) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	now := nowMS()
	horizon := timeOf(now - d.retention.Milliseconds())
	n := 0
	var rows, deleted []*entry
	for _, ts := range d.tenants {
		for id, deadline := range ts.slots {
			if deadline < now {
				e := ts.jobs[id]
				n++
				if e == nil {
					delete(ts.slots, id)
					continue
				}
				d.expire(ts, e, now, "lease expired")
				rows = append(rows, e)
			}
		}
		for id, e := range ts.jobs {
			st := e.job.State
			if (st == jobs.StateCompleted || st == jobs.StateCancelled) && !e.job.FinishedAt.IsZero() &&
				e.job.FinishedAt.Before(horizon) {
				if _, running := ts.slots[id]; !running {
					delete(ts.jobs, id)
					deleted = append(deleted, e)
				}
			}
		}
	}
	if err := d.commit(ctx, rows, deleted); err != nil {
		return 0, err
	}
	return n, nil
}

// SetTenantLimit implements jobs.Driver.
func (d *Driver) SetTenantLimit(ctx context.Context, tenant string, limit int) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var err error
	if limit == 0 {
		_, err = d.db.ExecContext(ctx, `DELETE FROM local_job_limits WHERE tenant = ?`, tenant)
	} else {
		_, err = d.db.ExecContext(ctx, `INSERT OR REPLACE INTO local_job_limits (tenant, lim) VALUES (?, ?)`, tenant, limit)
	}
	if err != nil {
		return fmt.Errorf("localqueue: set limit of tenant %q: %w", tenant, err)
	}
	d.tenant(tenant).limit = limit
	return nil
}

// Stats implements jobs.Driver.
func (d *Driver) Stats(ctx context.Context) ([]jobs.TenantStats, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]jobs.TenantStats, 0, len(d.tenants))
	for t, ts := range d.tenants {
		if len(ts.jobs) == 0 {
			continue
		}
		s := jobs.TenantStats{Tenant: t, Jobs: map[jobs.State]int{}, SlotsHeld: len(ts.slots)}
		for _, e := range ts.jobs {
			s.Jobs[e.job.State]++
		}
		out = append(out, s)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Tenant < out[b].Tenant })
	return out, nil
}
