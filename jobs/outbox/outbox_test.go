package outbox_test

import (
	"bufio"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/faultproxy"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/outbox"
	"github.com/autonomos/autonomos/jobs/redisqueue"
	"github.com/autonomos/autonomos/pgstore"
)

const envDSN, envTenant = "AOS_OUTBOX_TEST_DSN", "AOS_OUTBOX_TEST_TENANT"

type env struct {
	ctx    context.Context
	store  *pgstore.Store
	q      *jobs.Queue
	tenant uuid.UUID
	dsn    string
}

func setup(t *testing.T) *env {
	t.Helper()
	ctx := testenv.Context(t)
	dsn := testenv.PostgresURL(t)
	cfg, err := pgxpool.ParseConfig(dsn)
	require.NoError(t, err)
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	store, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	require.NoError(t, store.Migrate(ctx))
	tenant := uuid.New()
	require.NoError(t, store.WithSystem(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO tenants (id, name) VALUES ($1, 'acme')", tenant)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "CREATE TABLE sync_requests (tenant_id uuid, idem text PRIMARY KEY, job_id text)")
		return err
	}))
	r := testenv.NewRedis(t)
	d, err := redisqueue.New(r.Client, &redisqueue.Options{Prefix: r.Prefix})
	require.NoError(t, err)
	q, err := jobs.New(d, nil)
	require.NoError(t, err)
	return &env{ctx: ctx, store: store, q: q, tenant: tenant, dsn: dsn}
}

// TestCommitterProcess is the process of TestCommitThenDeath: it commits
// two accepted requests — one the naive way (commit, then enqueue to Redis
// later), one with the outbox — says so, and waits to be killed before it
// enqueues anything.
func TestCommitterProcess(t *testing.T) {
	dsn := os.Getenv(envDSN)
	if dsn == "" {
		return
	}
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, dsn)
	require.NoError(t, err)
	store, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	tenant := uuid.MustParse(os.Getenv(envTenant))
	require.NoError(t, store.WithSystem(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO sync_requests VALUES ($1, 'naive', 'naive-job')", tenant)
		return err
	}))
	require.NoError(t, store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		j, err := outbox.Enqueue(ctx, tx, jobs.Job{ID: "outboxed-job", Tenant: tenant.String(), Type: "sync"})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "SELECT 1") // the request's own writes go here
		_ = j
		return err
	}))
	fmt.Println("COMMITTED")
	select {} // SIGKILL comes before any enqueue
}

// TestCommitThenDeath: the process dies between the commit and the enqueue.
// The naive request is lost; the outboxed one is enqueued exactly once by
// relays, even with several relays and a relay repeated after a crash.
func TestCommitThenDeath(t *testing.T) {
	t.Parallel()
	e := setup(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestCommitterProcess$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), envDSN+"="+e.dsn, envTenant+"="+e.tenant.String())
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	sc := bufio.NewScanner(out)
	committed := false
	for sc.Scan() {
		if strings.Contains(sc.Text(), "COMMITTED") {
			committed = true
			break
		}
	}
	require.True(t, committed, "the committer process did not commit")
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	require.Error(t, cmd.Wait())

	tenant := e.tenant.String()
	_, err = e.q.Get(e.ctx, tenant, "naive-job")
	require.ErrorIs(t, err, jobs.ErrNotFound, "the naive request's job is lost")

	// Two relays race, and one relays the same row again as if a previous
	// relay had enqueued it and died before deleting the row.
	_, err = e.q.Enqueue(e.ctx, jobs.Job{ID: "outboxed-job", Tenant: tenant, Type: "sync"})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 2 {
		r, err := outbox.NewRelay(e.store, e.q, nil)
		require.NoError(t, err)
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.RelayOnce(e.ctx)
			require.NoError(t, err)
		}()
	}
	wg.Wait()
	got, err := e.q.Get(e.ctx, tenant, "outboxed-job")
	require.NoError(t, err)
	require.Equal(t, jobs.StateQueued, got.State)
	all, err := e.q.List(e.ctx, tenant, nil)
	require.NoError(t, err)
	require.Len(t, all, 1, "enqueued exactly once")
	require.NoError(t, e.store.WithSystem(e.ctx, func(tx pgx.Tx) error {
		var n int
		require.NoError(t, tx.QueryRow(e.ctx, "SELECT count(*) FROM job_outbox").Scan(&n))
		require.Zero(t, n, "relayed rows are deleted")
		return nil
	}))
}

func TestRelayManyAndRollback(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tenant := e.tenant.String()
	// A rolled-back request leaves no job.
	err := e.store.WithTenant(e.ctx, e.tenant, func(tx pgx.Tx) error {
		if _, err := outbox.Enqueue(e.ctx, tx, jobs.Job{ID: "rolled-back", Tenant: tenant, Type: "sync"}); err != nil {
			return err
		}
		return fmt.Errorf("request failed")
	})
	require.Error(t, err)
	var ids []string
	require.NoError(t, e.store.WithTenant(e.ctx, e.tenant, func(tx pgx.Tx) error {
		for i := range 30 {
			j, err := outbox.Enqueue(e.ctx, tx, jobs.Job{Tenant: tenant, Type: "sync", Payload: []byte(fmt.Sprint(i)),
				UniqueKey: fmt.Sprint("conn-", i%20)})
			if err != nil {
				return err
			}
			ids = append(ids, j.ID)
		}
		_, err := outbox.Enqueue(e.ctx, tx, jobs.Job{ID: ids[0], Tenant: tenant, Type: "sync"})
		require.ErrorIs(t, err, jobs.ErrDuplicate)
		return nil
	}))
	r, err := outbox.NewRelay(e.store, e.q, &outbox.Options{Batch: 7, Interval: 10 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	require.Eventually(t, func() bool {
		js, err := e.q.List(e.ctx, tenant, &jobs.ListOptions{Limit: 100})
		require.NoError(t, err)
		return len(js) == 20
	}, 10*time.Second, 20*time.Millisecond, "20 jobs: the other 10 share a unique key with a queued job")
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	_, err = e.q.Get(e.ctx, tenant, "rolled-back")
	require.ErrorIs(t, err, jobs.ErrNotFound)

	_, err = outbox.Enqueue(e.ctx, nil, jobs.Job{Tenant: tenant, Type: "sync"})
	require.ErrorIs(t, err, jobs.ErrInvalid)
	require.NoError(t, e.store.WithTenant(e.ctx, e.tenant, func(tx pgx.Tx) error {
		_, err := outbox.Enqueue(e.ctx, tx, jobs.Job{Tenant: "not-a-uuid", Type: "sync"})
		require.ErrorIs(t, err, jobs.ErrInvalid)
		_, err = outbox.Enqueue(e.ctx, tx, jobs.Job{Tenant: tenant, Type: "sync", Payload: make([]byte, outbox.MaxPayload+1)})
		require.ErrorIs(t, err, jobs.ErrInvalid)
		return nil
	}))
}

// TestRelayPostgresCutMidBatch: PostgreSQL goes away (the fault proxy cuts
// every connection and refuses new ones) while relays run over a large
// outbox; once it is back, every job has been enqueued exactly once and the
// outbox is empty.
func TestRelayPostgresCutMidBatch(t *testing.T) {
	t.Parallel()
	e := setup(t)
	tenant := e.tenant.String()
	const n = 3000
	require.NoError(t, e.store.WithTenant(e.ctx, e.tenant, func(tx pgx.Tx) error {
		for i := range n {
			if _, err := outbox.Enqueue(e.ctx, tx, jobs.Job{ID: fmt.Sprint("job-", i), Tenant: tenant, Type: "sync"}); err != nil {
				return err
			}
		}
		return nil
	}))
	u, err := url.Parse(e.dsn)
	require.NoError(t, err)
	proxy, err := faultproxy.New(u.Host)
	require.NoError(t, err)
	defer proxy.Close()
	u.Host = proxy.Addr()
	cfg, err := pgxpool.ParseConfig(u.String())
	require.NoError(t, err)
	cfg.MaxConns = 2
	cfg.ConnConfig.ConnectTimeout = time.Second
	pool, err := pgxpool.NewWithConfig(e.ctx, cfg)
	require.NoError(t, err)
	defer pool.Close()
	store, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	r, err := outbox.NewRelay(store, e.q, &outbox.Options{Batch: 100, Interval: 5 * time.Millisecond})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	// Cut PostgreSQL as soon as some batches went through.
	require.Eventually(t, func() bool {
		js, err := e.q.List(e.ctx, tenant, &jobs.ListOptions{Limit: 1000})
		require.NoError(t, err)
		return len(js) >= 200
	}, 20*time.Second, 2*time.Millisecond)
	proxy.Refuse(true)
	proxy.Cut()
	time.Sleep(time.Second)
	proxy.Refuse(false)
	require.Eventually(t, func() bool {
		var left int
		require.NoError(t, e.store.WithSystem(e.ctx, func(tx pgx.Tx) error {
			return tx.QueryRow(e.ctx, "SELECT count(*) FROM job_outbox").Scan(&left)
		}))
		return left == 0
	}, 60*time.Second, 50*time.Millisecond, "the outbox drains after the outage")
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	stats, err := e.q.Stats(e.ctx)
	require.NoError(t, err)
	require.Len(t, stats, 1)
	require.Equal(t, n, stats[0].Jobs[jobs.StateQueued], "every job enqueued exactly once")
}
