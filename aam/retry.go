package aam

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"
	"github.com/sony/gobreaker/v2"

	"github.com/autonomos/autonomos/connectors"
)

// internalError marks an error of the mesh's own work (the store, a
// mapping) that surfaces through a connector call, e.g. returned by the
// emit callback of Read. It is never retried and never counts against the
// source's breaker.
type internalError struct{ err error }

func (e *internalError) Error() string { return e.err.Error() }
func (e *internalError) Unwrap() error { return e.err }

// transient reports whether a source error may go away by trying again.
func transient(err error) bool {
	var ie *internalError
	switch {
	case err == nil,
		errors.As(err, &ie),
		errors.Is(err, context.Canceled),
		errors.Is(err, context.DeadlineExceeded),
		errors.Is(err, connectors.ErrInvalidConfig),
		errors.Is(err, connectors.ErrUnauthorized),
		errors.Is(err, connectors.ErrNotFound),
		errors.Is(err, connectors.ErrInvalidCursor),
		errors.Is(err, connectors.ErrUnimplemented),
		errors.Is(err, ErrBreakerOpen):
		return false
	}
	return true
}

// breaker returns the connection's circuit breaker, making it on first use.
func (m *Mesh) breaker(conn uuid.UUID) *gobreaker.CircuitBreaker[struct{}] {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b, ok := m.breakers[conn]; ok {
		return b
	}
	failures := uint32(m.opts.Breaker.Failures)
	b := gobreaker.NewCircuitBreaker[struct{}](gobreaker.Settings{
		Name:        conn.String(),
		MaxRequests: 1,
		Timeout:     m.opts.Breaker.OpenTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= failures },
		// Only transient errors are failures; the rest says nothing
		// about the source's health and is neither success nor failure.
		IsExcluded: func(err error) bool { return err != nil && !transient(err) },
		OnStateChange: func(name string, from, to gobreaker.State) {
			m.log.Warn("aam: circuit breaker changed state", "connection", name, "from", from.String(), "to", to.String())
			if to == gobreaker.StateOpen && m.metrics != nil {
				m.metrics.breakerTrips.Inc()
			}
		},
	})
	m.breakers[conn] = b
	return b
}

func (m *Mesh) dropBreaker(conn uuid.UUID) {
	m.mu.Lock()
	delete(m.breakers, conn)
	m.mu.Unlock()
}

// call runs fn through the connection's breaker, translating a refusal to
// ErrBreakerOpen.
func (m *Mesh) call(conn uuid.UUID, fn func() error) error {
	_, err := m.breaker(conn).Execute(func() (struct{}, error) { return struct{}{}, fn() })
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return fmt.Errorf("aam: connection %s: %w (%w)", conn, ErrBreakerOpen, err)
	}
	return err
}

// retry runs fn through the breaker of s's connection until it succeeds,
// fails with a non-transient error, or Options.Retry.MaxAttempts attempts
// are spent, sleeping the back-off between attempts. The errors it logs
// have s's secret values masked, like those its callers return.
func (m *Mesh) retry(ctx context.Context, s *session, what string, fn func() error) error {
	conn := s.conn.ID
	for attempt := 1; ; attempt++ {
		err := m.call(conn, fn)
		if err == nil || !transient(err) || attempt >= m.opts.Retry.MaxAttempts {
			return err
		}
		d := m.backoff(attempt)
		m.log.WarnContext(ctx, "aam: transient source error, retrying", "connection", conn, "what", what, "attempt", attempt, "backoff", d, "error", s.redact(err))
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (after: %w)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

// backoff is the delay after the attempt-th failure: BaseDelay·2^(attempt-1)
// capped at MaxDelay, less a random part of up to half.
func (m *Mesh) backoff(attempt int) time.Duration {
	d := m.opts.Retry.BaseDelay
	for i := 1; i < attempt && d < m.opts.Retry.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, m.opts.Retry.MaxDelay)
	return d - time.Duration(rand.Int64N(int64(d/2)+1))
}
