package tenancytest

import (
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/tenancy"
)

// RunLimiter runs the rate-limit conformance suite; newDriver returns the
// driver under test, with state of its own or shared (tenants are fresh
// ids). What it holds a driver to:
//
//   - a burst of exactly Limit requests is allowed, with Remaining counting
//     down to 0, and the next is refused with 0 < RetryAfter ≤ the emission
//     interval;
//   - after RetryAfter one more request is allowed;
//   - tenants do not share a quota;
//   - concurrent requests never get more than Limit allowed;
//   - an invalid rate wraps tenancy.ErrInvalid.
func RunLimiter(t *testing.T, newDriver func(t *testing.T) tenancy.LimitDriver) {
	t.Run("BurstThenRefuse", func(t *testing.T) {
		d := newDriver(t)
		r := tenancy.Rate{Limit: 5, Period: 2 * time.Second}
		tenant := uuid.New()
		for i := range 5 {
			dec, err := d.Allow(t.Context(), tenant, r)
			require.NoError(t, err)
			require.True(t, dec.Allowed, "request %d", i+1)
			require.Equal(t, 5, dec.Limit)
			require.Equal(t, 4-i, dec.Remaining, "request %d", i+1)
			require.Positive(t, dec.ResetAfter)
		}
		dec, err := d.Allow(t.Context(), tenant, r)
		require.NoError(t, err)
		require.False(t, dec.Allowed)
		require.Equal(t, 0, dec.Remaining)
		require.Positive(t, dec.RetryAfter)
		require.LessOrEqual(t, dec.RetryAfter, r.EmissionInterval())

		time.Sleep(dec.RetryAfter + 20*time.Millisecond)
		dec, err = d.Allow(t.Context(), tenant, r)
		require.NoError(t, err)
		require.True(t, dec.Allowed, "allowed again after RetryAfter")
	})
	t.Run("TenantsAreIndependent", func(t *testing.T) {
		d := newDriver(t)
		r := tenancy.Rate{Limit: 2, Period: time.Minute}
		a, b := uuid.New(), uuid.New()
		for range 2 {
			dec, err := d.Allow(t.Context(), a, r)
			require.NoError(t, err)
			require.True(t, dec.Allowed)
		}
		dec, err := d.Allow(t.Context(), a, r)
		require.NoError(t, err)
		require.False(t, dec.Allowed)
		require.InDelta(t, 30*time.Second, dec.RetryAfter, float64(time.Second))
		dec, err = d.Allow(t.Context(), b, r)
		require.NoError(t, err)
		require.True(t, dec.Allowed, "b has its own quota")
		require.Equal(t, 1, dec.Remaining)
	})
	t.Run("ConcurrentNeverExceeds", func(t *testing.T) {
		d := newDriver(t)
		r := tenancy.Rate{Limit: 10, Period: time.Minute}
		tenant := uuid.New()
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			allowed int
		)
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dec, err := d.Allow(t.Context(), tenant, r)
				require.NoError(t, err)
				if dec.Allowed {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.Equal(t, 10, allowed)
	})
	t.Run("InvalidRate", func(t *testing.T) {
		d := newDriver(t)
		for _, r := range []tenancy.Rate{{}, {Limit: 0, Period: time.Minute}, {Limit: 5, Period: 0}, {Limit: -1, Period: time.Second}} {
			_, err := d.Allow(t.Context(), uuid.New(), r)
			requireIs(t, err, tenancy.ErrInvalid)
		}
	})
}
