package redisqueue

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/autonomos/autonomos/jobs"
)

// Options configures a Driver. The zero value (or nil) means the defaults.
type Options struct {
	// Prefix is put before every key (for example "app1:"); default empty.
	// It must not contain '{' or '}', which would break the hash tags.
	Prefix string
	// Retention is how long completed and cancelled jobs stay readable;
	// default 24h. Failed and dead jobs stay until re-queued or deleted.
	Retention time.Duration
	// CallTimeout bounds every driver call whose context has no earlier
	// deadline; default 5s. Deadlines only cut a call short when the client
	// honours them: build it with BoundOptions (ContextTimeoutEnabled).
	CallTimeout time.Duration
}

// BoundOptions makes opt's client honour context deadlines and bounds each
// of its network waits, so that no Redis call outlives its context (a
// 100ms context returns after about 100ms even when Redis or the network is
// silent). It sets ContextTimeoutEnabled and, where zero, DialTimeout 2s,
// ReadTimeout and WriteTimeout 2s and PoolTimeout 2s. It returns opt.
func BoundOptions(opt *redis.Options) *redis.Options {
	opt.ContextTimeoutEnabled = true
	for _, d := range []*time.Duration{&opt.DialTimeout, &opt.ReadTimeout, &opt.WriteTimeout, &opt.PoolTimeout} {
		if *d == 0 {
			*d = 2 * time.Second
		}
	}
	return opt
}

// Driver is the Redis implementation of jobs.Driver; see the package
// documentation for the key layout. It is safe for concurrent use by many
// goroutines and processes.
type Driver struct {
	rdb       redis.UniversalClient
	prefix    string
	retention time.Duration
	call      time.Duration
	loaded    atomic.Bool
}

var _ jobs.Driver = (*Driver)(nil)

// New returns a Driver on client rdb, which the caller keeps owning. It fails
// with jobs.ErrInvalid when rdb is nil or an option is invalid.
func New(rdb redis.UniversalClient, opts *Options) (*Driver, error) {
	if rdb == nil {
		return nil, fmt.Errorf("redisqueue: client is nil: %w", jobs.ErrInvalid)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if strings.ContainsAny(o.Prefix, "{}") {
		return nil, fmt.Errorf("redisqueue: Options.Prefix %q contains a brace: %w", o.Prefix, jobs.ErrInvalid)
	}
	if o.Retention < 0 {
		return nil, fmt.Errorf("redisqueue: Options.Retention %s is negative: %w", o.Retention, jobs.ErrInvalid)
	}
	if o.Retention == 0 {
		o.Retention = 24 * time.Hour
	}
	if o.CallTimeout < 0 {
		return nil, fmt.Errorf("redisqueue: Options.CallTimeout %s is negative: %w", o.CallTimeout, jobs.ErrInvalid)
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = 5 * time.Second
	}
	return &Driver{rdb: rdb, prefix: o.Prefix, retention: o.Retention, call: o.CallTimeout}, nil
}

// bound applies Options.CallTimeout to ctx.
func (d *Driver) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, d.call)
}

// interpretError translates Redis errors into the jobs sentinels once.
func interpretError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, redis.Nil):
		return jobs.ErrNotFound
	case errors.Is(err, redis.ErrClosed):
		return fmt.Errorf("redisqueue: %w: %w", jobs.ErrClosed, err)
	}
	return fmt.Errorf("redisqueue: %w", err)
}

// scripts makes sure every script is cached on the server so pipelines can
// use EVALSHA. It is loaded again after a NOSCRIPT (server restart, flush).
func (d *Driver) scripts(ctx context.Context) error {
	if d.loaded.Load() {
		return nil
	}
	for _, s := range allScripts {
		if err := s.Load(ctx, d.rdb).Err(); err != nil {
			return interpretError(err)
		}
	}
	d.loaded.Store(true)
	return nil
}

// exec runs a pipeline and returns its first error, noting a NOSCRIPT.
func (d *Driver) exec(ctx context.Context, pipe redis.Pipeliner) ([]redis.Cmder, error) {
	cmds, err := pipe.Exec(ctx)
	if err != nil && !errors.Is(err, redis.Nil) {
		if redis.HasErrorPrefix(err, "NOSCRIPT") {
			d.loaded.Store(false)
		}
		return cmds, interpretError(err)
	}
	return cmds, nil
}

func ms(d time.Duration) int64 { return d.Milliseconds() }

func unixMS(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// Enqueue implements jobs.Driver: one script per tenant, all in one
// pipeline — a single round trip. Each script stores its tenant's jobs and
// puts the tenant in the rotation atomically, so an enqueue cut short by a
// deadline or a lost reply either stored nothing or stored jobs that will
// run; retrying it with the same job IDs is harmless.
func (d *Driver) Enqueue(ctx context.Context, js []*jobs.Job) ([]jobs.EnqueueResult, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	if err := d.scripts(ctx); err != nil {
		return nil, err
	}
	type group struct {
		idx  []int
		args []any
	}
	groups := map[string]*group{}
	var order []string
	for i, j := range js {
		g := groups[j.Tenant]
		if g == nil {
			g = &group{args: []any{d.jobPrefix(j.Tenant), d.queuePrefix(j.Tenant), d.schedPrefix(j.Tenant), d.indexPrefix(j.Tenant), d.ringPrefix()}}
			groups[j.Tenant] = g
			order = append(order, j.Tenant)
		}
		g.idx = append(g.idx, i)
		g.args = append(g.args, j.ID, j.Tenant, j.Type, j.Queue, j.Payload, j.UniqueKey,
			j.MaxAttempts, ms(j.Timeout), unixMS(j.RunAfter), unixMS(j.CreatedAt))
	}
	pipe := d.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(order))
	for k, t := range order {
		cmds[k] = enqueueScript.EvalSha(ctx, pipe, []string{d.uniqueKey(t), d.tenantsKey()}, groups[t].args...)
	}
	if _, err := d.exec(ctx, pipe); err != nil {
		return nil, err
	}
	res := make([]jobs.EnqueueResult, len(js))
	for k, t := range order {
		vals, err := cmds[k].StringSlice()
		if err != nil {
			return nil, interpretError(err)
		}
		for n, i := range groups[t].idx {
			if vals[n] == "" {
				res[i] = jobs.EnqueueResult{ID: js[i].ID}
			} else {
				res[i] = jobs.EnqueueResult{ID: vals[n], Duplicate: true}
			}
		}
	}
	return res, nil
}

// Dequeue implements jobs.Driver. For each queue it takes the next tenants
// of the rotation (one round trip), asks each for its share of the wanted
// jobs in one pipeline, and drops tenants found empty from the rotation.
func (d *Driver) Dequeue(ctx context.Context, req jobs.DequeueRequest) ([]*jobs.Job, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	if err := d.scripts(ctx); err != nil {
		return nil, err
	}
	var out []*jobs.Job
	for _, q := range req.Queues {
		remaining := req.Max - len(out)
		if remaining <= 0 {
			break
		}
		rk := d.ringKeys(q)
		raw, err := ringNextScript.EvalSha(ctx, d.rdb, rk[:2], remaining).StringSlice()
		if err != nil {
			if redis.HasErrorPrefix(err, "NOSCRIPT") {
				d.loaded.Store(false)
			}
			return out, interpretError(err)
		}
		n := len(raw) / 2
		if n == 0 {
			continue
		}
		pipe := d.rdb.Pipeline()
		cmds := make([]*redis.Cmd, n)
		for i := 0; i < n; i++ {
			t := raw[2*i]
			share := remaining / n
			if i < remaining%n {
				share++
			}
			cmds[i] = dequeueScript.EvalSha(ctx, pipe,
				[]string{d.queueKey(t, q), d.schedKey(t, q), d.semKey(t), d.limitKey(t)},
				d.jobPrefix(t), d.indexPrefix(t), share, ms(req.Lease), req.DefaultLimit)
		}
		if _, err := d.exec(ctx, pipe); err != nil {
			// Scripts that ran leased jobs we cannot see; their leases expire
			// and Recover puts them back.
			return out, err
		}
		var empty []int
		for i, c := range cmds {
			vals, err := c.Slice()
			if err != nil {
				return out, interpretError(err)
			}
			if len(vals) > 0 && toInt(vals[0]) == 1 {
				empty = append(empty, i)
			}
			for _, v := range vals[1:] {
				j, err := decodeJob(v)
				if err != nil {
					return out, err
				}
				out = append(out, j)
			}
		}
		if len(empty) > 0 {
			pipe := d.rdb.Pipeline()
			for _, i := range empty {
				ringRemoveScript.EvalSha(ctx, pipe, rk, raw[2*i], raw[2*i+1])
			}
			if _, err := d.exec(ctx, pipe); err != nil {
				return out, err
			}
		}
	}
	return out, nil
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

// groupLeases groups positions of items by tenant, keeping first-seen order.
func groupByTenant(n int, tenant func(int) string) ([]string, map[string][]int) {
	groups := map[string][]int{}
	var order []string
	for i := 0; i < n; i++ {
		t := tenant(i)
		if _, ok := groups[t]; !ok {
			order = append(order, t)
		}
		groups[t] = append(groups[t], i)
	}
	return order, groups
}

// Heartbeat implements jobs.Driver: one script per tenant in one pipeline.
func (d *Driver) Heartbeat(ctx context.Context, leases []jobs.Lease, lease time.Duration) ([]jobs.LeaseStatus, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	if err := d.scripts(ctx); err != nil {
		return nil, err
	}
	order, groups := groupByTenant(len(leases), func(i int) string { return leases[i].Tenant })
	pipe := d.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(order))
	for k, t := range order {
		args := []any{d.jobPrefix(t), ms(lease)}
		for _, i := range groups[t] {
			args = append(args, leases[i].ID, leases[i].Attempt)
		}
		cmds[k] = heartbeatScript.EvalSha(ctx, pipe, []string{d.semKey(t)}, args...)
	}
	if _, err := d.exec(ctx, pipe); err != nil {
		return nil, err
	}
	out := make([]jobs.LeaseStatus, len(leases))
	for k, t := range order {
		vals, err := cmds[k].Int64Slice()
		if err != nil {
			return nil, interpretError(err)
		}
		for n, i := range groups[t] {
			out[i] = jobs.LeaseStatus(vals[n])
		}
	}
	return out, nil
}

var kindNames = map[jobs.OutcomeKind]string{
	jobs.OutcomeCompleted: "completed", jobs.OutcomeRetry: "retry", jobs.OutcomeFailed: "failed",
	jobs.OutcomeDead: "dead", jobs.OutcomeCancelled: "cancelled", jobs.OutcomeReleased: "released",
}

// Finish implements jobs.Driver: one script per tenant in one pipeline; each
// script also puts jobs that went back in line into the rotation.
func (d *Driver) Finish(ctx context.Context, outcomes []jobs.Outcome) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	if err := d.scripts(ctx); err != nil {
		return err
	}
	order, groups := groupByTenant(len(outcomes), func(i int) string { return outcomes[i].Tenant })
	pipe := d.rdb.Pipeline()
	cmds := make([]*redis.Cmd, len(order))
	for k, t := range order {
		args := []any{d.jobPrefix(t), d.indexPrefix(t), d.queuePrefix(t), d.schedPrefix(t), ms(d.retention), d.ringPrefix(), t}
		for _, i := range groups[t] {
			o := outcomes[i]
			kind, ok := kindNames[o.Kind]
			if !ok {
				return fmt.Errorf("redisqueue: job %q: outcome kind %d: %w", o.ID, o.Kind, jobs.ErrInvalid)
			}
			args = append(args, o.ID, o.Attempt, kind, o.Error, ms(o.RetryAfter))
		}
		cmds[k] = finishScript.EvalSha(ctx, pipe, []string{d.semKey(t), d.uniqueKey(t)}, args...)
	}
	_, err := d.exec(ctx, pipe)
	return err
}

// Progress implements jobs.Driver.
func (d *Driver) Progress(ctx context.Context, l jobs.Lease, percent int, message string) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	n, err := progressScript.Run(ctx, d.rdb, []string{d.semKey(l.Tenant), d.jobKey(l.Tenant, l.ID)},
		l.ID, l.Attempt, percent, message).Int()
	if err != nil {
		return interpretError(err)
	}
	if n == 0 {
		return fmt.Errorf("redisqueue: job %q attempt %d: lease not held: %w", l.ID, l.Attempt, jobs.ErrState)
	}
	return nil
}

// Get implements jobs.Driver.
func (d *Driver) Get(ctx context.Context, tenant, id string) (*jobs.Job, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	m, err := d.rdb.HGetAll(ctx, d.jobKey(tenant, id)).Result()
	if err != nil {
		return nil, interpretError(err)
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("redisqueue: job %q: %w", id, jobs.ErrNotFound)
	}
	return jobFromMap(m)
}

// List implements jobs.Driver.
func (d *Driver) List(ctx context.Context, tenant string, state jobs.State, limit int) ([]*jobs.Job, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	states := jobs.States
	if state != "" {
		states = []jobs.State{state}
	}
	pipe := d.rdb.Pipeline()
	zs := make([]*redis.ZSliceCmd, len(states))
	for i, s := range states {
		zs[i] = pipe.ZRevRangeWithScores(ctx, d.indexKey(tenant, string(s)), 0, int64(limit-1))
	}
	if _, err := d.exec(ctx, pipe); err != nil {
		return nil, err
	}
	var all []redis.Z
	for _, z := range zs {
		all = append(all, z.Val()...)
	}
	sort.SliceStable(all, func(a, b int) bool { return all[a].Score > all[b].Score })
	if len(all) > limit {
		all = all[:limit]
	}
	pipe = d.rdb.Pipeline()
	hs := make([]*redis.MapStringStringCmd, len(all))
	for i, z := range all {
		hs[i] = pipe.HGetAll(ctx, d.jobKey(tenant, z.Member.(string)))
	}
	if _, err := d.exec(ctx, pipe); err != nil {
		return nil, err
	}
	out := make([]*jobs.Job, 0, len(all))
	for _, h := range hs {
		if len(h.Val()) == 0 {
			continue // expired after retention
		}
		j, err := jobFromMap(h.Val())
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// stateReply decodes the {status, HGETALL} reply of cancel and requeue.
func stateReply(op, id string, v any, err error) (*jobs.Job, error) {
	if err != nil {
		return nil, interpretError(err)
	}
	arr, ok := v.([]any)
	if !ok || len(arr) != 2 {
		return nil, fmt.Errorf("redisqueue: %s job %q: unexpected reply %v", op, id, v)
	}
	status, _ := arr[0].(string)
	if status == "missing" {
		return nil, fmt.Errorf("redisqueue: job %q: %w", id, jobs.ErrNotFound)
	}
	j, derr := decodeJob(arr[1])
	if derr != nil {
		return nil, derr
	}
	if status != "ok" {
		return j, fmt.Errorf("redisqueue: %s job %q in state %q: %w", op, id, status, jobs.ErrState)
	}
	return j, nil
}

// Cancel implements jobs.Driver.
func (d *Driver) Cancel(ctx context.Context, tenant, id string) (*jobs.Job, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	v, err := cancelScript.Run(ctx, d.rdb, []string{d.jobKey(tenant, id), d.uniqueKey(tenant)},
		id, d.indexPrefix(tenant), d.schedPrefix(tenant), ms(d.retention)).Result()
	j, err := stateReply("cancel", id, v, err)
	if err != nil {
		return nil, err
	}
	return j, nil
}

// Requeue implements jobs.Driver.
func (d *Driver) Requeue(ctx context.Context, tenant, id string) (*jobs.Job, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	v, err := requeueScript.Run(ctx, d.rdb, []string{d.jobKey(tenant, id), d.uniqueKey(tenant)},
		id, d.indexPrefix(tenant), d.queuePrefix(tenant), d.ringPrefix(), tenant).Result()
	return stateReply("requeue", id, v, err)
}

// Recover implements jobs.Driver: one recovery script per known tenant, in
// pipelines of 256 tenants.
func (d *Driver) Recover(ctx context.Context) (int, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	if err := d.scripts(ctx); err != nil {
		return 0, err
	}
	total := 0
	iter := d.rdb.SScan(ctx, d.tenantsKey(), 0, "", 256).Iterator()
	var batch []string
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		pipe := d.rdb.Pipeline()
		cmds := make([]*redis.Cmd, len(batch))
		for i, t := range batch {
			cmds[i] = recoverScript.EvalSha(ctx, pipe, []string{d.semKey(t), d.uniqueKey(t)},
				d.jobPrefix(t), d.indexPrefix(t), d.queuePrefix(t), d.ringPrefix(), t)
		}
		if _, err := d.exec(ctx, pipe); err != nil {
			return err
		}
		for _, c := range cmds {
			n, err := c.Int()
			if err != nil {
				return interpretError(err)
			}
			total += n
		}
		batch = batch[:0]
		return nil
	}
	for iter.Next(ctx) {
		batch = append(batch, iter.Val())
		if len(batch) == 256 {
			if err := flush(); err != nil {
				return total, err
			}
		}
	}
	if err := iter.Err(); err != nil {
		return total, interpretError(err)
	}
	return total, flush()
}

// SetTenantLimit implements jobs.Driver.
func (d *Driver) SetTenantLimit(ctx context.Context, tenant string, limit int) error {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	var err error
	if limit == 0 {
		err = d.rdb.Del(ctx, d.limitKey(tenant)).Err()
	} else {
		err = d.rdb.Set(ctx, d.limitKey(tenant), limit, 0).Err()
	}
	return interpretError(err)
}

// Stats implements jobs.Driver.
func (d *Driver) Stats(ctx context.Context) ([]jobs.TenantStats, error) {
	ctx, cancel := d.bound(ctx)
	defer cancel()
	tenants, err := d.rdb.SMembers(ctx, d.tenantsKey()).Result()
	if err != nil {
		return nil, interpretError(err)
	}
	sort.Strings(tenants)
	pipe := d.rdb.Pipeline()
	counts := make([][]*redis.IntCmd, len(tenants))
	sems := make([]*redis.IntCmd, len(tenants))
	for i, t := range tenants {
		for _, s := range jobs.States {
			counts[i] = append(counts[i], pipe.ZCard(ctx, d.indexKey(t, string(s))))
		}
		sems[i] = pipe.ZCard(ctx, d.semKey(t))
	}
	if len(tenants) > 0 {
		if _, err := d.exec(ctx, pipe); err != nil {
			return nil, err
		}
	}
	out := make([]jobs.TenantStats, len(tenants))
	for i, t := range tenants {
		out[i] = jobs.TenantStats{Tenant: t, Jobs: map[jobs.State]int{}, SlotsHeld: int(sems[i].Val())}
		for k, s := range jobs.States {
			out[i].Jobs[s] = int(counts[i][k].Val())
		}
	}
	return out, nil
}
