package aam_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

// slowSource delays every record, so concurrent syncs overlap.
type slowSource struct{ *memSource }

func (s slowSource) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	return s.memSource.Read(ctx, req, func(r connectors.Record) error {
		time.Sleep(time.Millisecond)
		return emit(r)
	})
}

// TestTwoProcessesSyncingOneConnection runs two Mesh values, each with its
// own pool on one PostgreSQL database (two processes), syncing the same
// connection concurrently while its source changes. The per-connection
// lease serializes them: the saved cursor never moves backwards, and the
// stream ends equal to the source with every change once.
func TestTwoProcessesSyncingOneConnection(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	first, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	t.Cleanup(first.Close)
	require.NoError(t, first.Migrate(ctx))
	cfg := pool.Config().Copy()
	cfg.MaxConns = 4
	pool2, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool2.Close)
	second, err := pgstore.New(pool2, nil)
	require.NoError(t, err)
	t.Cleanup(second.Close)

	src := newMemSource(connectors.ChangeIncremental)
	canon, err := canonical.NewRegistry()
	require.NoError(t, err)
	var meshes []*aam.Mesh
	var stores []aam.Store
	for _, s := range []*pgstore.Store{first, second} {
		st, err := pgstore.NewAAM(s)
		require.NoError(t, err)
		reg := connectors.NewRegistry()
		require.NoError(t, reg.Register(connectors.Spec{Name: "mem"}, func(connectors.Config) (connectors.Connector, error) { return slowSource{src}, nil }))
		m, err := aam.New(canon, reg, st, &aam.Options{BatchSize: 4})
		require.NoError(t, err)
		meshes, stores = append(meshes, m), append(stores, st)
	}
	tenant, err := stores[0].CreateTenant(ctx, testenv.Name("tenant"))
	require.NoError(t, err)
	conn, err := meshes[0].CreateConnection(ctx, tenant.ID, "mem", "mem", connectors.Config{})
	require.NoError(t, err)
	_, err = meshes[0].PutMapping(ctx, tenant.ID, aam.PutMapping{MappingKey: aam.MappingKey{ConnectionID: conn.ID, Object: "people"},
		Mapping: contactMapping(false), Author: "test", Reason: "test"})
	require.NoError(t, err)

	for i := range 20 {
		src.put(fmt.Sprintf("p%03d", i), "v0", "Last")
	}
	stop := make(chan struct{})
	var bg sync.WaitGroup
	// A writer changes the source all along: new records and updates,
	// every value unique.
	bg.Go(func() {
		for n := 1; ; n++ {
			select {
			case <-stop:
				return
			case <-time.After(3 * time.Millisecond):
			}
			src.put(fmt.Sprintf("p%03d", n%60), fmt.Sprintf("v%d", n), "Last")
		}
	})
	// A watcher checks that the saved cursor never moves backwards.
	var backwards []string
	bg.Go(func() {
		last := 0
		for {
			select {
			case <-stop:
				return
			default:
			}
			cur, err := stores[1].Checkpoint(ctx, tenant.ID, conn.ID, "people")
			if err != nil || cur == "" {
				continue
			}
			var epoch, seq int
			if _, err := fmt.Sscanf(string(cur), "%d/%d", &epoch, &seq); err == nil {
				if seq < last && len(backwards) < 5 {
					backwards = append(backwards, fmt.Sprintf("%d after %d", seq, last))
				}
				last = max(last, seq)
			}
		}
	})
	var syncs sync.WaitGroup
	errs := make(chan error, 2*6)
	for _, m := range meshes {
		syncs.Go(func() {
			for range 6 {
				if _, err := m.Sync(ctx, tenant.ID, conn.ID); err != nil {
					errs <- err
				}
			}
		})
	}
	syncs.Wait()
	close(stop)
	bg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.Empty(t, backwards, "the cursor moved backwards")

	_, err = meshes[1].Sync(ctx, tenant.ID, conn.ID)
	require.NoError(t, err)
	e := &env{t: t, ctx: ctx, mesh: meshes[0], tenant: tenant.ID}
	require.Equal(t, src.state(), e.streamState(conn.ID), "nothing missing")
	seen := map[string]bool{}
	for _, ev := range e.events(tenant.ID) {
		k := ev.Source.RecordID + "=" + ev.Data["first_name"].(string)
		require.False(t, seen[k], "version %s appended twice", k)
		seen[k] = true
	}
}
