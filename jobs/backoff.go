package jobs

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// RetryPolicy says how the failed runs of one job type are retried: with
// exponential back-off (Base doubled per failed attempt, capped at Max, with
// jitter) for as long as both the attempts (MaxAttempts) and the time budget
// (Budget) last. The run whose failure exhausts either is the last: the job
// is dead. Lease expiries (crashed or cut-off workers) count as attempts.
type RetryPolicy struct {
	// MaxAttempts is the default Job.MaxAttempts of the type; zero means
	// Options.MaxAttempts.
	MaxAttempts int
	// Budget bounds how long a job keeps being retried, counted from its
	// first failed run (Job.FailingSince): a failure whose next retry would
	// start later than FailingSince+Budget is final. Zero means no time
	// limit (attempts only).
	Budget time.Duration
	// Base and Max shape the back-off; zero means WorkerOptions.RetryBase
	// and RetryMax.
	Base, Max time.Duration
}

// SyncRetryPolicy is the default policy of TypeConnectionSync: a sync rides
// out an outage of its source or of PostgreSQL for up to an hour, retrying
// at most every 5 minutes, instead of dying after a few quick attempts.
var SyncRetryPolicy = RetryPolicy{MaxAttempts: 1000, Budget: time.Hour, Base: time.Second, Max: 5 * time.Minute}

// DefaultRetryPolicies returns the policies used when Options.RetryPolicies
// is nil: SyncRetryPolicy for TypeConnectionSync and TypeMappingGeneration.
func DefaultRetryPolicies() map[string]RetryPolicy {
	return map[string]RetryPolicy{TypeConnectionSync: SyncRetryPolicy, TypeMappingGeneration: SyncRetryPolicy}
}

func (p RetryPolicy) validate(typ string) error {
	switch {
	case p.MaxAttempts < 0:
		return fmt.Errorf("jobs: retry policy of %q: MaxAttempts %d is negative: %w", typ, p.MaxAttempts, ErrInvalid)
	case p.Budget < 0:
		return fmt.Errorf("jobs: retry policy of %q: Budget %s is negative: %w", typ, p.Budget, ErrInvalid)
	case p.Base < 0 || p.Max < 0 || (p.Max > 0 && p.Max < p.Base):
		return fmt.Errorf("jobs: retry policy of %q: Base %s / Max %s out of order: %w", typ, p.Base, p.Max, ErrInvalid)
	}
	return nil
}

// Backoff returns the delay before retrying after the given failed attempt
// (1 for the first): base doubled per attempt, capped at max, with "equal
// jitter" — a random delay in [d/2, d) — so that jobs failing together do not
// retry together. It is safe for concurrent use.
func Backoff(attempt int, base, max time.Duration) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := base
	for i := 1; i < attempt && d < max; i++ {
		d *= 2
	}
	if d > max {
		d = max
	}
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half)
}
