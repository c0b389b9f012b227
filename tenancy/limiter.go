package tenancy

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// DefaultRateLimit is the default requests per minute per tenant
// (AOS_RATE_LIMIT).
const DefaultRateLimit = 60

// Rate is Limit requests per Period, with a burst of Limit.
type Rate struct {
	Limit  int
	Period time.Duration
}

// Valid reports whether r can be enforced: a positive limit and a period
// of at least a millisecond.
func (r Rate) Valid() bool { return r.Limit > 0 && r.Period >= time.Millisecond }

// EmissionInterval is the GCRA's spacing between requests, Period/Limit
// rounded up to a microsecond.
func (r Rate) EmissionInterval() time.Duration {
	us := int64(math.Ceil(float64(r.Period.Microseconds()) / float64(r.Limit)))
	return time.Duration(max(us, 1)) * time.Microsecond
}

// Decision is a limiter's answer for one request.
type Decision struct {
	Allowed bool
	// Limit is the rate's limit (the burst).
	Limit int
	// Remaining is how many more requests would be allowed now.
	Remaining int
	// RetryAfter is, when refused, how long until one request is allowed.
	RetryAfter time.Duration
	// ResetAfter is how long until the full quota is available again.
	ResetAfter time.Duration
}

// LimitDriver applies a rate to a tenant's requests with the generic cell
// rate algorithm (GCRA): each allowed request moves the tenant's
// theoretical arrival time (TAT) on by the emission interval, and a
// request is refused while the TAT lies more than Period ahead. Adapters:
// tenancy/redislimit (one Lua script per decision) and tenancy/memlimit
// (in process); tenancytest.RunLimiter is their conformance suite.
// Implementations must be safe for concurrent use.
type LimitDriver interface {
	// Allow decides one request of tenant under r and, when allowed,
	// counts it.
	Allow(ctx context.Context, tenant uuid.UUID, r Rate) (Decision, error)
}

// GCRA computes one decision for a stored TAT at time now (TAT zero: no
// state). It returns the decision and the new TAT to store when allowed.
// memlimit uses it; the Redis script does the same arithmetic.
func GCRA(r Rate, tat, now time.Time) (Decision, time.Time) {
	t := r.EmissionInterval()
	period := t * time.Duration(r.Limit)
	if tat.Before(now) {
		tat = now
	}
	newTAT := tat.Add(t)
	allowAt := newTAT.Add(-period)
	if now.Before(allowAt) {
		return Decision{Limit: r.Limit, RetryAfter: allowAt.Sub(now), ResetAfter: tat.Sub(now)}, time.Time{}
	}
	remaining := int((period - newTAT.Sub(now)) / t)
	return Decision{Allowed: true, Limit: r.Limit, Remaining: remaining, ResetAfter: newTAT.Sub(now)}, newTAT
}

// LimiterOptions configures NewRateLimiter. Nil means defaults.
type LimiterOptions struct {
	// PerMinute is the default limit per tenant. Default 60.
	PerMinute int
	// Tenants, when set, supplies per-tenant overrides (Tenant.RateLimit),
	// cached for OverrideTTL.
	Tenants TenantStore
	// OverrideTTL is how long a tenant's override is cached. Default 30 s.
	OverrideTTL time.Duration
	// FailClosed makes a driver failure refuse requests (ErrUnavailable,
	// HTTP 503). Default false: fail open — the request is allowed, the
	// metric aos_ratelimit_errors_total counts it and a log line (at most
	// one per 10 s) says so.
	FailClosed bool
	// Registerer receives the limiter's metrics. Default none.
	Registerer prometheus.Registerer
	// Logger receives the fail-open log lines. Default slog.Default().
	Logger *slog.Logger
}

// RateLimiter is the per-tenant rate limit in front of the API: the
// default or the tenant's own limit per minute, applied by a LimitDriver,
// with a documented failure mode. Safe for concurrent use.
type RateLimiter struct {
	d    LimitDriver
	o    LimiterOptions
	log  *slog.Logger
	over sync.Map // uuid.UUID → cachedLimit

	rejected prometheus.Counter
	errs     *prometheus.CounterVec
	lastLog  atomic.Int64
}

type cachedLimit struct {
	perMinute int
	until     time.Time
}

// NewRateLimiter returns a RateLimiter over d. Invalid options wrap
// ErrInvalid.
func NewRateLimiter(d LimitDriver, opts *LimiterOptions) (*RateLimiter, error) {
	if d == nil {
		return nil, fmt.Errorf("tenancy: rate limiter: %w", invalidf("driver is nil"))
	}
	var o LimiterOptions
	if opts != nil {
		o = *opts
	}
	if o.PerMinute == 0 {
		o.PerMinute = DefaultRateLimit
	}
	if o.OverrideTTL == 0 {
		o.OverrideTTL = 30 * time.Second
	}
	if o.PerMinute < 0 || o.OverrideTTL < 0 {
		return nil, fmt.Errorf("tenancy: rate limiter: %w", invalidf("PerMinute and OverrideTTL must be positive"))
	}
	l := &RateLimiter{d: d, o: o, log: o.Logger}
	if l.log == nil {
		l.log = slog.Default()
	}
	l.rejected = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "aos_ratelimit_rejected_total", Help: "Requests refused by the per-tenant rate limit.",
	})
	l.errs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "aos_ratelimit_errors_total", Help: "Rate-limit decisions the backend could not make, by the mode applied (open: allowed, closed: refused).",
	}, []string{"mode"})
	if o.Registerer != nil {
		for _, c := range []prometheus.Collector{l.rejected, l.errs} {
			if err := o.Registerer.Register(c); err != nil {
				var are prometheus.AlreadyRegisteredError
				if !errors.As(err, &are) {
					return nil, fmt.Errorf("tenancy: rate limiter metrics: %w", err)
				}
			}
		}
	}
	return l, nil
}

// RateFor returns the rate applied to tenant: its override when it has
// one, else the default.
func (l *RateLimiter) RateFor(ctx context.Context, tenant uuid.UUID) Rate {
	per := l.o.PerMinute
	if l.o.Tenants != nil {
		now := time.Now()
		if c, ok := l.over.Load(tenant); ok && now.Before(c.(cachedLimit).until) {
			per = c.(cachedLimit).perMinute
		} else if t, err := l.o.Tenants.Tenant(ctx, tenant); err == nil {
			if t.RateLimit > 0 {
				per = t.RateLimit
			}
			l.over.Store(tenant, cachedLimit{perMinute: per, until: now.Add(l.o.OverrideTTL)})
		}
	}
	return Rate{Limit: per, Period: time.Minute}
}

// Allow decides one request of tenant. When the driver fails it applies the
// failure mode: fail open returns an allowing decision and no error; fail
// closed returns an error wrapping ErrUnavailable.
func (l *RateLimiter) Allow(ctx context.Context, tenant uuid.UUID) (Decision, error) {
	r := l.RateFor(ctx, tenant)
	d, err := l.d.Allow(ctx, tenant, r)
	if err == nil {
		if !d.Allowed {
			l.rejected.Inc()
		}
		return d, nil
	}
	if ctx.Err() != nil {
		return Decision{}, ctx.Err()
	}
	mode := "open"
	if l.o.FailClosed {
		mode = "closed"
	}
	l.errs.WithLabelValues(mode).Inc()
	if now := time.Now().UnixNano(); now-l.lastLog.Load() > int64(10*time.Second) {
		l.lastLog.Store(now)
		l.log.Error("tenancy: rate limiter backend failed; applying the failure mode", "mode", mode, "error", err)
	}
	if l.o.FailClosed {
		return Decision{}, fmt.Errorf("tenancy: rate limit: %w", Errorf(ErrUnavailable, "rate limiter unavailable"))
	}
	return Decision{Allowed: true, Limit: r.Limit, Remaining: r.Limit}, nil
}
