package aam

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
)

// Defaults of Options.
const (
	// DefaultBatchSize is how many records one committed batch holds.
	DefaultBatchSize = 5000
	// DefaultObserveInterval is how often RunObserver observes every
	// connection.
	DefaultObserveInterval = 60 * time.Second
	// DefaultSampleRecords is how many records Observe reads per object to
	// match renamed fields by their values.
	DefaultSampleRecords = 50
	// DefaultMaxAttempts is how many times a source read is tried.
	DefaultMaxAttempts = 5
	// DefaultBaseDelay is the back-off before the second attempt; it
	// doubles with every further attempt.
	DefaultBaseDelay = 200 * time.Millisecond
	// DefaultMaxDelay caps one back-off.
	DefaultMaxDelay = 10 * time.Second
	// DefaultBreakerFailures is how many transient failures in a row open a
	// connection's circuit breaker.
	DefaultBreakerFailures = 5
	// DefaultBreakerOpenTimeout is how long an open breaker refuses calls
	// before it lets one through to probe the source.
	DefaultBreakerOpenTimeout = 30 * time.Second
	// DefaultMaxDeleteFraction is the share of an object's live records one
	// full pass may delete without ConfirmDeletes.
	DefaultMaxDeleteFraction = 0.5
	// DefaultFullPassEvery is how long after an incremental object's last
	// full pass a Sync reads it from its start again.
	DefaultFullPassEvery = 24 * time.Hour
)

// Options tunes a Mesh. A nil *Options means every default.
type Options struct {
	// SecretKey is the 32-byte AES-256-GCM key that seals connection
	// secrets (parameters the connector's Spec marks Secret). Build it from
	// the AOS_SECRET_KEY setting with ParseSecretKey. Default: none; a mesh
	// without a key refuses to create or open connections that carry
	// secret values, and works for connections without them.
	SecretKey []byte
	// FlowBus receives the flow events of every pipeline and observer
	// stage. Default: a new MemoryBus with default options.
	FlowBus FlowBus
	// Logger receives operational logs; secrets never appear in them.
	// Default: logs are discarded.
	Logger *slog.Logger
	// BatchSize is how many records (events and quarantined records) Sync
	// commits in one atomic batch together with the cursor after the last
	// of them. Default DefaultBatchSize.
	BatchSize int
	// ObserveInterval is the period of RunObserver. Default
	// DefaultObserveInterval.
	ObserveInterval time.Duration
	// SampleRecords is how many records Observe reads per object to store
	// with the snapshot. Default DefaultSampleRecords; -1 reads none.
	SampleRecords int
	// DefaultRegion is the ISO 3166-1 alpha-2 country used to read phone
	// numbers without a calling code (see canonical.MapperOptions). Default:
	// none.
	DefaultRegion string
	// QualityPolicy gives each tenant's policy for optional fields whose
	// values do not coerce (QualityLenient or QualityStrict). Default: nil,
	// every tenant lenient.
	QualityPolicy func(tenant uuid.UUID) QualityPolicy
	// Retry controls how transient source errors are retried.
	Retry RetryOptions
	// Breaker controls the per-connection circuit breakers.
	Breaker BreakerOptions
	// Repairer, when set, is handed every breaking drift Observe records,
	// to propose or apply a mapping repair. Default: none.
	Repairer Repairer
	// MaxDeleteFraction is the largest share (0 < f <= 1) of an object's
	// live records one full snapshot pass may delete because it no longer
	// found them; a pass that would delete more deletes none and says so
	// in ObjectReport.DeletesWithheld, unless the Sync has ConfirmDeletes.
	// It protects against a truncated export. Default
	// DefaultMaxDeleteFraction; 1 disables the limit.
	MaxDeleteFraction float64
	// FullPassEvery is how long after the start of an incremental
	// object's last full pass the next Sync reads it from its start again
	// (as FullPass does), so that records deleted at the source are found
	// without an operator. The time is kept by the store with the
	// object's checkpoint, so it holds across processes. Default
	// DefaultFullPassEvery; -1 never schedules one.
	FullPassEvery time.Duration
	// Now returns the current time. Default time.Now.
	Now func() time.Time
	// Metrics, when set, receives the mesh's Prometheus collectors
	// (aam_records_total, aam_sync_seconds, aam_drift_events_total,
	// aam_breaker_trips_total). Default: no metrics.
	Metrics prometheus.Registerer
}

// RetryOptions controls retries of transient source errors: every error of
// a source read except cancellation, deadline, and the connectors errors
// ErrInvalidConfig, ErrUnauthorized, ErrNotFound, ErrInvalidCursor and
// ErrUnimplemented. A retry resumes from the last committed cursor. The
// back-off before attempt n+1 is BaseDelay·2^(n-1), capped at MaxDelay, of
// which a random part up to half is taken off (jitter) so that connections
// failing together do not retry together.
type RetryOptions struct {
	// MaxAttempts is the number of attempts, the first included. Default
	// DefaultMaxAttempts; 1 disables retries.
	MaxAttempts int
	// BaseDelay is the first back-off. Default DefaultBaseDelay.
	BaseDelay time.Duration
	// MaxDelay caps each back-off. Default DefaultMaxDelay.
	MaxDelay time.Duration
}

// BreakerOptions controls the circuit breaker every connection has. Only
// transient source errors count as failures; cancelled contexts, expired
// deadlines and permanent errors (bad configuration, unauthorized, not
// found) neither trip nor reset it.
type BreakerOptions struct {
	// Failures is how many transient failures in a row open the breaker.
	// Default DefaultBreakerFailures.
	Failures int
	// OpenTimeout is how long the breaker stays open before one probing
	// call is let through. Default DefaultBreakerOpenTimeout.
	OpenTimeout time.Duration
}

// withDefaults returns a copy of o with defaults applied, or the error
// naming the first invalid field.
func (o *Options) withDefaults() (Options, error) {
	var r Options
	if o != nil {
		r = *o
	}
	if r.SecretKey != nil && len(r.SecretKey) != secretKeySize {
		return r, fmt.Errorf("%w: Options.SecretKey must be %d bytes, got %d", ErrInvalid, secretKeySize, len(r.SecretKey))
	}
	if r.SecretKey != nil {
		r.SecretKey = append([]byte(nil), r.SecretKey...)
	}
	if r.FlowBus == nil {
		r.FlowBus = NewMemoryBus(nil)
	}
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	if err := positive(&r.BatchSize, DefaultBatchSize, "Options.BatchSize"); err != nil {
		return r, err
	}
	if err := positiveDur(&r.ObserveInterval, DefaultObserveInterval, "Options.ObserveInterval"); err != nil {
		return r, err
	}
	switch {
	case r.SampleRecords == 0:
		r.SampleRecords = DefaultSampleRecords
	case r.SampleRecords == -1:
		r.SampleRecords = 0
	case r.SampleRecords < 0:
		return r, fmt.Errorf("%w: Options.SampleRecords must be positive, 0 or -1, got %d", ErrInvalid, r.SampleRecords)
	}
	if err := positive(&r.Retry.MaxAttempts, DefaultMaxAttempts, "Options.Retry.MaxAttempts"); err != nil {
		return r, err
	}
	if err := positiveDur(&r.Retry.BaseDelay, DefaultBaseDelay, "Options.Retry.BaseDelay"); err != nil {
		return r, err
	}
	if err := positiveDur(&r.Retry.MaxDelay, DefaultMaxDelay, "Options.Retry.MaxDelay"); err != nil {
		return r, err
	}
	if r.Retry.MaxDelay < r.Retry.BaseDelay {
		return r, fmt.Errorf("%w: Options.Retry.MaxDelay (%s) is below Options.Retry.BaseDelay (%s)", ErrInvalid, r.Retry.MaxDelay, r.Retry.BaseDelay)
	}
	if err := positive(&r.Breaker.Failures, DefaultBreakerFailures, "Options.Breaker.Failures"); err != nil {
		return r, err
	}
	if err := positiveDur(&r.Breaker.OpenTimeout, DefaultBreakerOpenTimeout, "Options.Breaker.OpenTimeout"); err != nil {
		return r, err
	}
	switch {
	case r.MaxDeleteFraction == 0:
		r.MaxDeleteFraction = DefaultMaxDeleteFraction
	case !(r.MaxDeleteFraction > 0 && r.MaxDeleteFraction <= 1):
		return r, fmt.Errorf("%w: Options.MaxDeleteFraction must be in (0, 1], got %v", ErrInvalid, r.MaxDeleteFraction)
	}
	switch {
	case r.FullPassEvery == 0:
		r.FullPassEvery = DefaultFullPassEvery
	case r.FullPassEvery == -1:
		r.FullPassEvery = 0
	case r.FullPassEvery < 0:
		return r, fmt.Errorf("%w: Options.FullPassEvery must be positive, 0 or -1, got %s", ErrInvalid, r.FullPassEvery)
	}
	if r.Now == nil {
		r.Now = time.Now
	}
	return r, nil
}

func positive(v *int, def int, name string) error {
	switch {
	case *v == 0:
		*v = def
	case *v < 0:
		return fmt.Errorf("%w: %s must be positive, got %d", ErrInvalid, name, *v)
	}
	return nil
}

func positiveDur(v *time.Duration, def time.Duration, name string) error {
	switch {
	case *v == 0:
		*v = def
	case *v < 0:
		return fmt.Errorf("%w: %s must be positive, got %s", ErrInvalid, name, *v)
	}
	return nil
}
