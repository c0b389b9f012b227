package aam_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

func TestBreakerOpensOnRepeatedTransientFailures(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		h := &hooks{}
		e := setup(t, kind, &aam.Options{
			Retry:   aam.RetryOptions{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond},
			Breaker: aam.BreakerOptions{Failures: 3, OpenTimeout: 200 * time.Millisecond},
		}, registerHooked(h))
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, 5)...)...)
		conn := e.hookedConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))

		// Cancelled contexts are not failures: the breaker stays closed.
		h.set(nil, func() error { return nil })
		for range 5 {
			ctx, cancel := context.WithCancel(e.ctx)
			cancel()
			_, err := e.mesh.Sync(ctx, e.tenant, conn.ID)
			require.ErrorIs(t, err, context.Canceled)
		}

		h.set(nil, func() error { return errFlaky })
		before := h.reads.Load()
		_, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.ErrorIs(t, err, errFlaky)
		require.NotErrorIs(t, err, aam.ErrBreakerOpen)
		require.Equal(t, before+2, h.reads.Load(), "two attempts")

		// The third failure in a row opens the breaker; the retry is refused.
		_, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.ErrorIs(t, err, aam.ErrBreakerOpen)
		require.Equal(t, before+3, h.reads.Load())
		_, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.ErrorIs(t, err, aam.ErrBreakerOpen)
		require.Equal(t, before+3, h.reads.Load(), "an open breaker does not call the source")

		// Once the source recovers and the open timeout has passed, a probe
		// goes through and closes the breaker.
		h.set(nil, nil)
		var rep aam.SyncReport
		require.Eventually(t, func() bool {
			rep, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
			return err == nil
		}, 10*time.Second, 20*time.Millisecond)
		require.Equal(t, 5, rep.Total().Events)
	})
}
