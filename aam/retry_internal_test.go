package aam

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
)

func TestTransient(t *testing.T) {
	t.Parallel()
	for _, err := range []error{
		context.Canceled,
		fmt.Errorf("read: %w", context.DeadlineExceeded),
		fmt.Errorf("x: %w", connectors.ErrInvalidConfig),
		connectors.ErrUnauthorized,
		connectors.ErrNotFound,
		connectors.ErrInvalidCursor,
		connectors.ErrUnimplemented,
		&internalError{err: errors.New("store down")},
		fmt.Errorf("y: %w", ErrBreakerOpen),
	} {
		require.False(t, transient(err), "%v", err)
	}
	require.True(t, transient(errors.New("connection reset by peer")))
	require.True(t, transient(fmt.Errorf("http 503")))
}

func TestBackoffGrowsWithJitterAndCap(t *testing.T) {
	t.Parallel()
	m, err := New(mustRegistry(t), connectors.NewRegistry(), nopStore{}, &Options{Retry: RetryOptions{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}})
	require.NoError(t, err)
	for attempt, full := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond, 4: 800 * time.Millisecond, 5: time.Second, 30: time.Second} {
		for range 50 {
			d := m.backoff(attempt)
			require.LessOrEqual(t, d, full)
			require.GreaterOrEqual(t, d, full/2)
		}
	}
}

func TestOptionsValidation(t *testing.T) {
	t.Parallel()
	for field, o := range map[string]Options{
		"Options.SecretKey":           {SecretKey: []byte("short")},
		"Options.BatchSize":           {BatchSize: -1},
		"Options.ObserveInterval":     {ObserveInterval: -time.Second},
		"Options.SampleRecords":       {SampleRecords: -2},
		"Options.Retry.MaxAttempts":   {Retry: RetryOptions{MaxAttempts: -1}},
		"Options.Retry.BaseDelay":     {Retry: RetryOptions{BaseDelay: -1}},
		"Options.Retry.MaxDelay":      {Retry: RetryOptions{BaseDelay: time.Second, MaxDelay: time.Millisecond}},
		"Options.Breaker.Failures":    {Breaker: BreakerOptions{Failures: -1}},
		"Options.Breaker.OpenTimeout": {Breaker: BreakerOptions{OpenTimeout: -1}},
	} {
		_, err := New(mustRegistry(t), connectors.NewRegistry(), nopStore{}, &o)
		require.ErrorIs(t, err, ErrInvalid, field)
		require.ErrorContains(t, err, field)
	}
	d, err := (*Options)(nil).withDefaults()
	require.NoError(t, err)
	require.Equal(t, DefaultBatchSize, d.BatchSize)
	require.Equal(t, DefaultObserveInterval, d.ObserveInterval)
	require.Equal(t, DefaultSampleRecords, d.SampleRecords)
	require.Equal(t, DefaultMaxAttempts, d.Retry.MaxAttempts)
	require.Equal(t, DefaultBaseDelay, d.Retry.BaseDelay)
	require.Equal(t, DefaultBreakerFailures, d.Breaker.Failures)
	require.Equal(t, DefaultBreakerOpenTimeout, d.Breaker.OpenTimeout)
	require.IsType(t, &MemoryBus{}, d.FlowBus)
	_, err = New(nil, connectors.NewRegistry(), nopStore{}, nil)
	require.ErrorIs(t, err, ErrInvalid)
	_, err = New(mustRegistry(t), nil, nopStore{}, nil)
	require.ErrorIs(t, err, ErrInvalid)
	_, err = New(mustRegistry(t), connectors.NewRegistry(), nil, nil)
	require.ErrorIs(t, err, ErrInvalid)
}
