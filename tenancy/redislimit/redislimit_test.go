package redislimit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/redislimit"
	"github.com/autonomos/autonomos/tenancy/tenancytest"
)

func newLimiter(t testing.TB) (*redislimit.Limiter, *testenv.Redis) {
	t.Helper()
	r := testenv.NewRedis(t)
	l, err := redislimit.New(r.Client, &redislimit.Options{Prefix: r.Prefix})
	require.NoError(t, err)
	return l, r
}

func TestConformance(t *testing.T) {
	t.Parallel()
	tenancytest.RunLimiter(t, func(t *testing.T) tenancy.LimitDriver {
		l, _ := newLimiter(t)
		return l
	})
}

// TestKeyHasTenantHashTagAndTTL: the state lives under one hash-tagged key
// per tenant and expires once the TAT has passed.
func TestKeyHasTenantHashTagAndTTL(t *testing.T) {
	t.Parallel()
	l, r := newLimiter(t)
	tenant := uuid.New()
	_, err := l.Allow(t.Context(), tenant, tenancy.Rate{Limit: 60, Period: time.Minute})
	require.NoError(t, err)
	key := r.Prefix + "ratelimit:tenant:{" + tenant.String() + "}"
	require.Equal(t, key, l.Key(tenant))
	ttl, err := r.Client.PTTL(t.Context(), key).Result()
	require.NoError(t, err)
	require.Positive(t, ttl)
	require.LessOrEqual(t, ttl, time.Second+10*time.Millisecond, "one emission interval")
}

// TestFailOpenAndClosed: with Redis unreachable, the RateLimiter allows by
// default and counts the failure; in fail-closed mode it refuses with
// ErrUnavailable. Neither is a panic or an unclassified error.
func TestFailOpenAndClosed(t *testing.T) {
	t.Parallel()
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 50 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { _ = dead.Close() })
	d, err := redislimit.New(dead, nil)
	require.NoError(t, err)

	open, err := tenancy.NewRateLimiter(d, nil)
	require.NoError(t, err)
	dec, err := open.Allow(context.Background(), uuid.New())
	require.NoError(t, err)
	require.True(t, dec.Allowed, "fail open")

	closed, err := tenancy.NewRateLimiter(d, &tenancy.LimiterOptions{FailClosed: true})
	require.NoError(t, err)
	_, err = closed.Allow(context.Background(), uuid.New())
	require.True(t, errors.Is(err, tenancy.ErrUnavailable), "%v", err)
}

// BenchmarkAllow measures one limiter decision (a script round trip)
// against a bare INCR on the same connection in the same run; compare
// the two lines' ns/op.
func BenchmarkAllow(b *testing.B) {
	l, r := newLimiter(b)
	tenant := uuid.New()
	rate := tenancy.Rate{Limit: 1 << 30, Period: time.Minute}
	ctx := context.Background()
	b.Run("gcra_script", func(b *testing.B) {
		for b.Loop() {
			if _, err := l.Allow(ctx, tenant, rate); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bare_incr", func(b *testing.B) {
		key := r.Prefix + "incr"
		for b.Loop() {
			if err := r.Client.Incr(ctx, key).Err(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
