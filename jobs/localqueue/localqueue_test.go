package localqueue_test

import (
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/jobstest"
	"github.com/autonomos/autonomos/jobs/localqueue"
)

// Under -race, run these tests with -gcflags=all=-d=checkptr=0: duckdb-go
// v2.10503.1 trips checkptr when scanning strings longer than 12 bytes
// (duckdb/duckdb-go#142, fixed upstream by #148).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func openDB(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path)
	require.NoError(t, err)
	return db
}

func TestConformance(t *testing.T) {
	t.Parallel()
	jobstest.Run(t, func(t *testing.T) jobs.Driver {
		db := openDB(t, filepath.Join(testenv.DataDir(t), "control.duckdb"))
		t.Cleanup(func() { require.NoError(t, db.Close()) })
		d, err := localqueue.New(testenv.Context(t), db, nil)
		require.NoError(t, err)
		return d
	})
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := localqueue.New(testenv.Context(t), nil, nil)
	require.ErrorIs(t, err, jobs.ErrInvalid)
	db := openDB(t, filepath.Join(testenv.DataDir(t), "control.duckdb"))
	defer db.Close()
	_, err = localqueue.New(testenv.Context(t), db, &localqueue.Options{Retention: -time.Second})
	require.ErrorIs(t, err, jobs.ErrInvalid)
	require.ErrorContains(t, err, "Options.Retention")
}

// TestRestart closes and reopens the control store: queued, delayed and
// running jobs survive; the running one comes back for another attempt.
func TestRestart(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	path := filepath.Join(testenv.DataDir(t), "control.duckdb")
	const tenant = "tenant-a"

	db := openDB(t, path)
	d, err := localqueue.New(ctx, db, nil)
	require.NoError(t, err)
	q, err := jobs.New(d, nil)
	require.NoError(t, err)
	require.NoError(t, q.SetTenantLimit(ctx, tenant, 2))
	running, err := q.Enqueue(ctx, jobs.Job{Tenant: tenant, Type: "t", Payload: []byte("first"), UniqueKey: "u"})
	require.NoError(t, err)
	queued, err := q.Enqueue(ctx, jobs.Job{Tenant: tenant, Type: "t", Payload: []byte("second")})
	require.NoError(t, err)
	later, err := q.Enqueue(ctx, jobs.Job{Tenant: tenant, Type: "t", RunAfter: time.Now().Add(200 * time.Millisecond)})
	require.NoError(t, err)
	leased, err := d.Dequeue(ctx, jobs.DequeueRequest{Queues: []string{jobs.DefaultQueue}, Max: 1, Lease: time.Hour, DefaultLimit: 5})
	require.NoError(t, err)
	require.Len(t, leased, 1)
	require.Equal(t, running.ID, leased[0].ID)
	require.NoError(t, d.Progress(ctx, jobs.Lease{Tenant: tenant, ID: running.ID, Attempt: 1}, 30, "partway"))
	require.NoError(t, db.Close()) // the process "dies" mid-job

	db = openDB(t, path)
	defer db.Close()
	d, err = localqueue.New(ctx, db, nil)
	require.NoError(t, err)
	q, err = jobs.New(d, nil)
	require.NoError(t, err)

	got, err := q.Get(ctx, tenant, running.ID)
	require.NoError(t, err)
	require.Equal(t, jobs.StateRetrying, got.State)
	require.Equal(t, 1, got.Attempt)
	require.Equal(t, 30, got.Progress)
	require.Equal(t, "interrupted by restart", got.LastError)
	_, err = q.Enqueue(ctx, jobs.Job{Tenant: tenant, Type: "t", UniqueKey: "u"})
	require.ErrorIs(t, err, jobs.ErrDuplicate, "the unique key is still held")

	// The interrupted job runs first, with attempt 2; then the queued one;
	// the tenant limit of 2 survived.
	out, err := d.Dequeue(ctx, jobs.DequeueRequest{Queues: []string{jobs.DefaultQueue}, Max: 10, Lease: time.Minute, DefaultLimit: 5})
	require.NoError(t, err)
	require.Len(t, out, 2)
	require.Equal(t, running.ID, out[0].ID)
	require.Equal(t, 2, out[0].Attempt)
	require.Equal(t, "first", string(out[0].Payload))
	require.Equal(t, queued.ID, out[1].ID)
	require.Equal(t, 1, out[1].Attempt)

	for _, j := range out {
		require.NoError(t, d.Finish(ctx, []jobs.Outcome{{Lease: jobs.Lease{Tenant: tenant, ID: j.ID, Attempt: j.Attempt}, Kind: jobs.OutcomeCompleted}}))
	}
	require.Eventually(t, func() bool {
		js, err := d.Dequeue(ctx, jobs.DequeueRequest{Queues: []string{jobs.DefaultQueue}, Max: 10, Lease: time.Minute, DefaultLimit: 5})
		require.NoError(t, err)
		return len(js) == 1 && js[0].ID == later.ID
	}, 5*time.Second, 20*time.Millisecond, "the delayed job survived the restart")
}
