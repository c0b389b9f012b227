package jobs

import (
	"context"
	"fmt"
)

type progressKey struct{}

type progressReporter struct {
	d     Driver
	lease Lease
}

// ReportProgress records the progress (0–100) and a short message of the job
// whose handler received ctx. It fails with ErrInvalid outside a handler or
// for a percentage out of range, and with ErrState once the run lost its
// lease. It is safe to call from any goroutine of the handler.
func ReportProgress(ctx context.Context, percent int, message string) error {
	r, ok := ctx.Value(progressKey{}).(*progressReporter)
	if !ok {
		return fmt.Errorf("jobs: report progress outside a job handler: %w", ErrInvalid)
	}
	if percent < 0 || percent > 100 {
		return fmt.Errorf("jobs: job %q: progress %d outside 0..100: %w", r.lease.ID, percent, ErrInvalid)
	}
	if len(message) > 1024 {
		message = message[:1024]
	}
	if err := r.d.Progress(ctx, r.lease, percent, message); err != nil {
		return fmt.Errorf("jobs: job %q: report progress: %w", r.lease.ID, err)
	}
	return nil
}
