package jobs

import (
	"math/rand/v2"
	"time"
)

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
