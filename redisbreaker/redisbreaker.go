// Package redisbreaker is a circuit breaker for Redis calls on request
// paths (enqueueing a job from an API request, checking a rate limit): when
// Redis is slow or unreachable, requests must not pile up waiting for it.
//
// Each call runs with a short deadline (Options.CallTimeout); consecutive
// failures (errors or deadlines) open the breaker, and while it is open calls
// fail at once with ErrOpen without touching Redis. After Options.OpenFor one
// probe call is let through (half-open); its success closes the breaker.
//
// The breaker only says that Redis is unavailable; the fail mode is the
// caller's, and each caller documents it:
//
//   - jobs.Queue.Enqueue fails closed: it returns an error wrapping
//     jobs.ErrUnavailable and stores nothing, so the API answers 503 with
//     Retry-After — or the request goes through the Postgres outbox
//     (jobs/outbox), which does not need Redis at request time.
//   - A rate limiter should fail open (let the request through, count the
//     decision in a metric), because a Redis outage must not become an API
//     outage; limits that protect a paid quota may choose to fail closed.
//
// Workers are not behind the breaker: they have their own back-off and the
// local lease deadline.
package redisbreaker

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/sony/gobreaker/v2"
)

// ErrOpen is returned (wrapped) by Do while the breaker is open: the call was
// not attempted. It has a method Unavailable() bool returning true, which
// callers such as jobs.Queue recognise without importing this package.
var ErrOpen error = openError{}

type openError struct{}

func (openError) Error() string     { return "redisbreaker: Redis unavailable (circuit open)" }
func (openError) Unavailable() bool { return true }

// Options configures a Breaker. The zero value (or nil) means the defaults.
type Options struct {
	// Name labels the breaker in errors and state changes; default "redis".
	Name string
	// CallTimeout bounds each call; a call that runs out of it counts as a
	// failure. Default 500ms. The Redis client must honour context
	// deadlines (redisqueue.BoundOptions) for the bound to cut a call short.
	CallTimeout time.Duration
	// Failures is how many consecutive failures open the breaker; default 5.
	Failures int
	// OpenFor is how long the breaker stays open before a probe; default 5s.
	OpenFor time.Duration
	// OnStateChange, when set, is called on every transition with the new
	// state ("closed", "half-open", "open").
	OnStateChange func(name, state string)
}

// Breaker guards calls to Redis. It is safe for concurrent use.
type Breaker struct {
	cb      *gobreaker.CircuitBreaker[struct{}]
	timeout time.Duration
	name    string
}

// New returns a closed breaker. It fails when an option is negative.
func New(opts *Options) (*Breaker, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	switch {
	case o.CallTimeout < 0:
		return nil, fmt.Errorf("redisbreaker: Options.CallTimeout %s is negative", o.CallTimeout)
	case o.Failures < 0:
		return nil, fmt.Errorf("redisbreaker: Options.Failures %d is negative", o.Failures)
	case o.OpenFor < 0:
		return nil, fmt.Errorf("redisbreaker: Options.OpenFor %s is negative", o.OpenFor)
	}
	if o.Name == "" {
		o.Name = "redis"
	}
	if o.CallTimeout == 0 {
		o.CallTimeout = 500 * time.Millisecond
	}
	if o.Failures == 0 {
		o.Failures = 5
	}
	if o.OpenFor == 0 {
		o.OpenFor = 5 * time.Second
	}
	st := gobreaker.Settings{
		Name:        o.Name,
		MaxRequests: 1,
		Timeout:     o.OpenFor,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(o.Failures) },
		// redis.Nil is an answer, not a failure.
		IsSuccessful: func(err error) bool { return err == nil || errors.Is(err, redis.Nil) },
	}
	if o.OnStateChange != nil {
		st.OnStateChange = func(name string, _, to gobreaker.State) { o.OnStateChange(name, to.String()) }
	}
	return &Breaker{cb: gobreaker.NewCircuitBreaker[struct{}](st), timeout: o.CallTimeout, name: o.Name}, nil
}

// Do runs fn with a context bounded by Options.CallTimeout, unless the
// breaker is open: then it returns an error wrapping ErrOpen at once. A call
// whose caller's own context ended first is not counted either way.
func (b *Breaker) Do(ctx context.Context, fn func(context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var callerGone bool
	_, err := b.cb.Execute(func() (struct{}, error) {
		c, cancel := context.WithTimeout(ctx, b.timeout)
		defer cancel()
		err := fn(c)
		if err != nil && ctx.Err() != nil {
			callerGone = true
			return struct{}{}, nil // the caller gave up; says nothing about Redis
		}
		return struct{}{}, err
	})
	switch {
	case callerGone:
		return ctx.Err()
	case errors.Is(err, gobreaker.ErrOpenState), errors.Is(err, gobreaker.ErrTooManyRequests):
		return fmt.Errorf("%w: %s", ErrOpen, b.name)
	}
	return err
}

// State returns "closed", "half-open" or "open".
func (b *Breaker) State() string { return b.cb.State().String() }
