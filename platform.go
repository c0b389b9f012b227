package autonomos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/localqueue"
	"github.com/autonomos/autonomos/jobs/redisqueue"
	"github.com/autonomos/autonomos/pgstore"
	"github.com/autonomos/autonomos/redisbreaker"
	"github.com/autonomos/autonomos/schemamatch"
	"github.com/autonomos/autonomos/tenancy"
)

// ErrInvalidConfig is wrapped by Open's errors about its Config.
var ErrInvalidConfig = errors.New("autonomos: invalid config")

// ErrClosed is returned by a Platform's methods after Close, and by Close
// and Ready on a nil *Platform.
var ErrClosed = errors.New("autonomos: platform is closed")

// Platform is an opened AutonomOS instance: its backends, wired. Make one
// with Open and release it with Close. A Platform is safe for concurrent use.
type Platform struct {
	cfg  Config
	mode Mode
	log  *slog.Logger

	metrics *prometheus.Registry
	jobs    *jobs.Queue
	canon   *canonical.Registry
	conns   *connectors.Registry
	store   aam.Store
	mesh    *aam.Mesh
	matcher *schemamatch.Matcher
	tenancy *tenancy.Service
	limiter *tenancy.RateLimiter
	closers []func() error

	control *duckstore.Store      // local mode
	pg      *pgstore.Store        // production mode
	redis   *redis.Client         // production mode
	breaker *redisbreaker.Breaker // production mode: guards Redis on request paths

	// mu guards closed against Close racing Ready.
	mu     sync.RWMutex
	closed bool
}

// Open validates cfg, connects or opens the backends its mode needs, applies
// migrations, and returns the platform.
//
// Local mode (no DATABASE_URL or REDIS_URL) opens the DuckDB control file
// under cfg.DataDir; it fails if another process holds it. Production mode
// connects to PostgreSQL and Redis and pings both; each failure names the
// service and how it was addressed (without credentials).
func Open(ctx context.Context, cfg Config) (*Platform, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	p := &Platform{cfg: cfg, mode: cfg.Mode(), log: cfg.Logger, metrics: prometheus.NewRegistry()}
	p.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	var driver jobs.Driver
	switch p.mode {
	case ModeLocal:
		store, err := duckstore.Open(ctx, cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("autonomos: local mode: %w", err)
		}
		p.control = store
		d, err := localqueue.New(ctx, store.DB(), nil)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("autonomos: local job queue: %w", err)
		}
		driver = d
	case ModeProduction:
		if err := p.openProduction(ctx); err != nil {
			p.Close()
			return nil, err
		}
		d, err := redisqueue.New(p.redis, nil)
		if err != nil {
			p.Close()
			return nil, fmt.Errorf("autonomos: Redis job queue: %w", err)
		}
		driver = d
	}
	var guard jobs.Guard
	if p.breaker != nil {
		guard = p.breaker
	}
	q, err := jobs.New(driver, &jobs.Options{Registerer: p.metrics, EnqueueGuard: guard})
	if err != nil {
		p.Close()
		return nil, fmt.Errorf("autonomos: job queue: %w", err)
	}
	p.jobs = q
	if err := p.openMesh(ctx); err != nil {
		p.Close()
		return nil, err
	}
	if err := p.openTenancy(); err != nil {
		p.Close()
		return nil, err
	}
	p.log.Info("autonomos: platform open", "mode", string(p.mode), "data_dir", cfg.DataDir)
	return p, nil
}

func (p *Platform) openProduction(ctx context.Context) error {
	pg, err := pgstore.Open(ctx, p.cfg.DatabaseURL, nil)
	if err != nil {
		return fmt.Errorf("autonomos: PostgreSQL at %s: %w", redact(p.cfg.DatabaseURL), err)
	}
	p.pg = pg
	opt, err := redis.ParseURL(p.cfg.RedisURL)
	if err != nil {
		return fmt.Errorf("%w: REDIS_URL: %v", ErrInvalidConfig, err)
	}
	p.redis = redis.NewClient(redisqueue.BoundOptions(opt))
	if p.breaker, err = redisbreaker.New(nil); err != nil {
		return fmt.Errorf("autonomos: Redis breaker: %w", err)
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := p.redis.Ping(pingCtx).Err(); err != nil {
		return fmt.Errorf("autonomos: Redis at %s is not reachable: %w", redact(p.cfg.RedisURL), err)
	}
	return nil
}

// RedisBreaker returns the circuit breaker guarding Redis on request paths
// (job enqueues; rate limits should share it), or nil in local mode. See
// package redisbreaker for the fail mode of each path.
func (p *Platform) RedisBreaker() *redisbreaker.Breaker { return p.breaker }

// Jobs returns the platform's job queue: Redis-backed in production mode,
// in-process and persisted in the control store in local mode.
func (p *Platform) Jobs() *jobs.Queue { return p.jobs }

// Metrics returns the Prometheus registry holding the platform's
// collectors; the reference server serves it on /metrics.
func (p *Platform) Metrics() *prometheus.Registry { return p.metrics }

// Mode returns the mode the platform runs in.
func (p *Platform) Mode() Mode { return p.mode }

// Config returns the configuration the platform was opened with, defaults
// applied.
func (p *Platform) Config() Config { return p.cfg }

// Ready reports whether the platform's backends answer; ErrClosed after
// Close or on a nil *Platform.
func (p *Platform) Ready(ctx context.Context) error {
	if p == nil {
		return ErrClosed
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	if p.closed {
		return ErrClosed
	}
	switch p.mode {
	case ModeLocal:
		if err := p.control.DB().PingContext(ctx); err != nil {
			return fmt.Errorf("autonomos: control store: %w", err)
		}
	case ModeProduction:
		if err := p.pg.Ping(ctx); err != nil {
			return fmt.Errorf("autonomos: PostgreSQL: %w", err)
		}
		if err := p.redis.Ping(ctx).Err(); err != nil {
			return fmt.Errorf("autonomos: Redis: %w", err)
		}
	}
	return nil
}

// Close releases every backend the platform opened. It is safe to call more
// than once; on a nil *Platform it returns ErrClosed.
func (p *Platform) Close() error {
	if p == nil {
		return ErrClosed
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.closed = true
	var errs []error
	for _, c := range p.closers {
		errs = append(errs, c())
	}
	p.closers = nil
	if p.control != nil {
		errs = append(errs, p.control.Close())
		p.control = nil
	}
	if p.redis != nil {
		errs = append(errs, p.redis.Close())
		p.redis = nil
	}
	if p.pg != nil {
		p.pg.Close()
		p.pg = nil
	}
	return errors.Join(errs...)
}

func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
