package aamtest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
)

var leaseTests = []test{
	{"OneHolderAndFencing", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		first, err := f.s.AcquireLease(f.ctx, f.a.ID, c.ID)
		require.NoError(t, err)

		// A second writer waits while the lease is held.
		ctx, cancel := context.WithTimeout(f.ctx, 200*time.Millisecond)
		_, err = f.s.AcquireLease(ctx, f.a.ID, c.ID)
		cancel()
		require.ErrorIs(t, err, context.DeadlineExceeded)

		cp := func(lease int64, cursor string) *aam.Checkpoint {
			return &aam.Checkpoint{ConnectionID: c.ID, Object: "Opportunity", Cursor: connectors.Cursor(cursor), Lease: lease}
		}
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{Checkpoint: cp(first.Token(), "10")})
		require.NoError(t, err)

		require.NoError(t, first.Release())
		require.NoError(t, first.Release(), "release twice")
		second, err := f.s.AcquireLease(f.ctx, f.a.ID, c.ID)
		require.NoError(t, err)
		defer second.Release()
		require.Greater(t, second.Token(), first.Token())

		// The old holder's write is refused whole.
		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{
			Events:     opportunities(f.a.ID, c.ID, 2, 0),
			Checkpoint: cp(first.Token(), "5"),
		})
		requireIs(t, err, aam.ErrStaleLease)
		requireIs(t, err, aam.ErrConflict)
		require.Empty(t, f.readAll(t, f.a.ID))
		cur, err := f.s.Checkpoint(f.ctx, f.a.ID, c.ID, "Opportunity")
		require.NoError(t, err)
		require.Equal(t, connectors.Cursor("10"), cur, "the cursor did not move back")

		_, err = f.s.Append(f.ctx, f.a.ID, aam.Batch{Checkpoint: cp(second.Token(), "20")})
		require.NoError(t, err)

		// Leases are per connection.
		other := f.conn(t, f.a.ID, "erp")
		l, err := f.s.AcquireLease(f.ctx, f.a.ID, other.ID)
		require.NoError(t, err)
		require.NoError(t, l.Release())
	}},
}
