// Package redislimit is the Redis tenancy.LimitDriver of production mode:
// each decision is one Lua script (GCRA) on one key per tenant, with the
// tenant in a cluster hash tag, so replicas share the limit.
package redislimit

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/autonomos/autonomos/tenancy"
)

// gcraScript decides one request.
//
// KEYS[1]: the tenant's TAT key (ratelimit:tenant:{T}).
// ARGV[1]: emission interval in microseconds (integer).
// ARGV[2]: period (emission interval × limit) in microseconds.
// Returns {allowed (0|1), remaining, retry_after_us, reset_after_us}.
//
// The clock is the server's (TIME), so replicas with skewed clocks agree;
// the TAT is stored as an integer with a TTL of the time until it passes.
var gcraScript = redis.NewScript(`
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local interval = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - period
if now < allow_at then
  return {0, 0, allow_at - now, tat - now}
end
local ttl_ms = math.ceil((new_tat - now) / 1000)
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', ttl_ms)
return {1, math.floor((period - (new_tat - now)) / interval), 0, new_tat - now}
`)

// Options configures New. Nil means defaults.
type Options struct {
	// Prefix is put before every key, e.g. to share a Redis database.
	// Default "".
	Prefix string
}

// Limiter is the Redis GCRA. It borrows the client; Close is the
// caller's. Safe for concurrent use.
type Limiter struct {
	rdb    redis.UniversalClient
	prefix string
}

var _ tenancy.LimitDriver = (*Limiter)(nil)

// New returns a Limiter on rdb; a nil client wraps tenancy.ErrInvalid.
func New(rdb redis.UniversalClient, opts *Options) (*Limiter, error) {
	if rdb == nil {
		return nil, fmt.Errorf("redislimit: %w", tenancy.Errorf(tenancy.ErrInvalid, "redis client is nil"))
	}
	l := &Limiter{rdb: rdb}
	if opts != nil {
		l.prefix = opts.Prefix
	}
	return l, nil
}

// Key returns the Redis key of tenant's limiter state.
func (l *Limiter) Key(tenant uuid.UUID) string {
	return l.prefix + "ratelimit:tenant:{" + tenant.String() + "}"
}

// Allow decides one request of tenant under r in one script call. An
// invalid rate wraps tenancy.ErrInvalid; a Redis failure is returned
// wrapped, for the RateLimiter's failure mode.
func (l *Limiter) Allow(ctx context.Context, tenant uuid.UUID, r tenancy.Rate) (tenancy.Decision, error) {
	if !r.Valid() {
		return tenancy.Decision{}, tenancy.Errorf(tenancy.ErrInvalid, "rate %d per %s is not valid", r.Limit, r.Period)
	}
	interval := r.EmissionInterval()
	res, err := gcraScript.Run(ctx, l.rdb, []string{l.Key(tenant)},
		interval.Microseconds(), interval.Microseconds()*int64(r.Limit)).Int64Slice()
	if err != nil {
		return tenancy.Decision{}, fmt.Errorf("redislimit: allow: %w", err)
	}
	if len(res) != 4 {
		return tenancy.Decision{}, fmt.Errorf("redislimit: allow: script returned %d values, want 4", len(res))
	}
	return tenancy.Decision{
		Allowed:    res[0] == 1,
		Limit:      r.Limit,
		Remaining:  int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond,
		ResetAfter: time.Duration(res[3]) * time.Microsecond,
	}, nil
}
