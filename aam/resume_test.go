package aam_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/testenv"
)

// TestSyncCancelledThenRerunIngestsExactlyTheMissingEvents cancels a sync
// after N records at several points (inside a batch, on a batch boundary)
// and checks that the rerun appends exactly the missing events, none twice,
// giving the same stream content as one clean sync.
func TestSyncCancelledThenRerunIngestsExactlyTheMissingEvents(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		h := &hooks{}
		e := setup(t, kind, &aam.Options{BatchSize: 7}, registerHooked(h))
		const rows = 50
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, rows)...)...)

		// The reference: one clean sync into its own tenant.
		ref := e.newTenant()
		refConn := e.hookedConnection(ref)
		e.putMapping(ref, refConn.ID, "contacts", 0, contactMapping(true))
		_, err := e.mesh.Sync(e.ctx, ref, refConn.ID)
		require.NoError(t, err)
		want := identities(t, e.events(ref))
		require.Len(t, want, rows)

		for _, cut := range []int{1, 7, 23, 49} {
			tenant := e.newTenant()
			conn := e.hookedConnection(tenant)
			e.putMapping(tenant, conn.ID, "contacts", 0, contactMapping(true))

			ctx, cancel := context.WithCancel(e.ctx)
			h.set(func(n int) error {
				if n == cut {
					cancel()
				}
				return nil
			}, nil)
			rep, err := e.mesh.Sync(ctx, tenant, conn.ID)
			cancel()
			require.ErrorIs(t, err, context.Canceled, "cut %d", cut)
			first := rep.Total().Events
			require.Less(t, first, rows, "cut %d", cut)
			require.LessOrEqual(t, first, cut, "cut %d: nothing beyond the cut is committed", cut)
			got := identities(t, e.events(tenant))
			require.Len(t, got, first, "cut %d", cut)

			h.set(nil, nil)
			rep, err = e.mesh.Sync(e.ctx, tenant, conn.ID)
			require.NoError(t, err, "cut %d", cut)
			require.Equal(t, rows-first, rep.Total().Events, "cut %d: exactly the missing events", cut)
			require.Equal(t, want, identities(t, e.events(tenant)), "cut %d", cut)

			rep, err = e.mesh.Sync(e.ctx, tenant, conn.ID)
			require.NoError(t, err)
			require.Zero(t, rep.Total().Events)
		}
	})
}

// TestSyncRetriesTransientErrorsFromTheCommittedCursor fails reads in the
// middle, twice, and checks that the sync still completes without
// duplicates.
func TestSyncRetriesTransientErrorsFromTheCommittedCursor(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		h := &hooks{}
		e := setup(t, kind, &aam.Options{BatchSize: 5, Retry: aam.RetryOptions{BaseDelay: 1e6, MaxDelay: 2e6}}, registerHooked(h))
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, 30)...)...)
		conn := e.hookedConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		failures := 0
		h.set(func(n int) error {
			if n == 12 && failures < 2 {
				failures++
				return errFlaky
			}
			return nil
		}, nil)
		rep, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 2, failures)
		require.Equal(t, int64(3), h.reads.Load())
		require.Equal(t, 30, rep.Total().Events)
		require.Len(t, identities(t, e.events(e.tenant)), 30)
	})
}

func (e *env) hookedConnection(tenant uuid.UUID) aam.Connection {
	e.t.Helper()
	c, err := e.mesh.CreateConnection(e.ctx, tenant, testenv.Name("hooked"), hookedName, connectors.Config{"root": e.dir})
	require.NoError(e.t, err)
	return c
}
