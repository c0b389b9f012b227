package autonomos_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
)

func TestSyncJobIngestsAConnection(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	files := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(files, "accounts.csv"), []byte("Id,Name\n1,Acme\n2,Globex\n"), 0o644))
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: testenv.DataDir(t), Logger: quiet()})
	require.NoError(t, err)
	defer p.Close()
	tenant, err := p.Store().CreateTenant(ctx, "acme")
	require.NoError(t, err)
	conn, err := p.Mesh().CreateConnection(ctx, tenant.ID, "files", "filesource", connectors.Config{"root": files})
	require.NoError(t, err)
	_, err = p.Mesh().PutMapping(ctx, tenant.ID, aam.PutMapping{
		MappingKey: aam.MappingKey{ConnectionID: conn.ID, Object: "accounts"}, Author: "test",
		Mapping: canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{
			{Source: "Id", Target: "account_id", Confidence: 1}, {Source: "Name", Target: "account_name", Confidence: 1}}},
	})
	require.NoError(t, err)

	w, err := p.StartWorkers(ctx, &jobs.WorkerOptions{Concurrency: 2, PollInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	defer w.Stop(ctx)

	job, err := autonomos.NewSyncJob(tenant.ID, conn.ID)
	require.NoError(t, err)
	queued, err := p.Jobs().Enqueue(ctx, job)
	require.NoError(t, err)
	bad, err := p.Jobs().Enqueue(ctx, jobs.Job{Tenant: tenant.ID.String(), Type: jobs.TypeConnectionSync, Payload: []byte(`{"connection_id":"` + uuid.NewString() + `"}`)})
	require.NoError(t, err)

	require.Eventually(t, func() bool {
		j, err := p.Jobs().Get(ctx, tenant.ID.String(), queued.ID)
		return err == nil && j.State == jobs.StateCompleted
	}, 30*time.Second, 20*time.Millisecond)
	events, err := p.Mesh().Events(ctx, tenant.ID, 0, 10, "account")
	require.NoError(t, err)
	require.Len(t, events, 2, "the sync job ingested the file")

	require.Eventually(t, func() bool {
		j, err := p.Jobs().Get(ctx, tenant.ID.String(), bad.ID)
		return err == nil && j.State == jobs.StateFailed
	}, 30*time.Second, 20*time.Millisecond, "a sync of an unknown connection fails without retries")
}

func TestMappingJobThenSyncJob(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	files := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(files, "accounts.csv"), []byte(
		"account_id,account_name,website,industry\n"+
			"A-1,Acme Inc,acme.com,Manufacturing\nA-2,Globex,globex.io,Energy\nA-3,Initech,initech.com,Software\n"), 0o644))
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: testenv.DataDir(t), Logger: quiet()})
	require.NoError(t, err)
	defer p.Close()
	tenant, err := p.Store().CreateTenant(ctx, "acme")
	require.NoError(t, err)
	conn, err := p.Mesh().CreateConnection(ctx, tenant.ID, "files", "filesource", connectors.Config{"root": files})
	require.NoError(t, err)
	w, err := p.StartWorkers(ctx, &jobs.WorkerOptions{Concurrency: 2, PollInterval: 20 * time.Millisecond})
	require.NoError(t, err)
	defer w.Stop(ctx)

	waitDone := func(j jobs.Job) {
		t.Helper()
		queued, err := p.Jobs().Enqueue(ctx, j)
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			got, err := p.Jobs().Get(ctx, tenant.ID.String(), queued.ID)
			return err == nil && got.State == jobs.StateCompleted
		}, 30*time.Second, 20*time.Millisecond)
	}
	mj, err := autonomos.NewMappingJob(tenant.ID, conn.ID)
	require.NoError(t, err)
	waitDone(mj)
	mv, err := p.Mesh().ActiveMapping(ctx, tenant.ID, aam.MappingKey{ConnectionID: conn.ID, Object: "accounts"})
	require.NoError(t, err, "the bulk mapping job applied a mapping for the clear-cut file")
	require.Equal(t, "account", mv.Mapping.Entity)

	sj, err := autonomos.NewSyncJob(tenant.ID, conn.ID)
	require.NoError(t, err)
	waitDone(sj)
	events, err := p.Mesh().Events(ctx, tenant.ID, 0, 10, "account")
	require.NoError(t, err)
	require.Len(t, events, 3)
}
