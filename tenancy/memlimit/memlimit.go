// Package memlimit is the in-process tenancy.LimitDriver of local mode:
// one GCRA state per tenant in memory. State is lost on restart, which
// only ever grants a fresh quota.
package memlimit

import (
	"context"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/tenancy"
)

// Limiter keeps each tenant's theoretical arrival time. Safe for
// concurrent use.
type Limiter struct {
	mu        sync.Mutex
	tat       map[uuid.UUID]time.Time
	now       func() time.Time
	lastSweep time.Time
}

var _ tenancy.LimitDriver = (*Limiter)(nil)

// New returns an empty Limiter.
func New() *Limiter { return &Limiter{tat: map[uuid.UUID]time.Time{}, now: time.Now} }

// Allow decides one request of tenant under r; an invalid rate wraps
// tenancy.ErrInvalid.
func (l *Limiter) Allow(ctx context.Context, tenant uuid.UUID, r tenancy.Rate) (tenancy.Decision, error) {
	if err := ctx.Err(); err != nil {
		return tenancy.Decision{}, err
	}
	if !r.Valid() {
		return tenancy.Decision{}, tenancy.Errorf(tenancy.ErrInvalid, "rate %d per %s is not valid", r.Limit, r.Period)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	d, next := tenancy.GCRA(r, l.tat[tenant], now)
	if d.Allowed {
		l.tat[tenant] = next
	}
	l.sweep(now)
	return d, nil
}

// sweep drops the states whose TAT has passed (they equal no state), at
// most once a minute and only once the map has grown, so idle tenants cost
// nothing and busy ones no per-request scan.
func (l *Limiter) sweep(now time.Time) {
	if len(l.tat) < 4096 || now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for k, v := range l.tat {
		if v.Before(now) {
			delete(l.tat, k)
		}
	}
}
