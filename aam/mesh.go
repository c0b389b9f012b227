package aam

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/sony/gobreaker/v2"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// Mesh is the Adaptive API Mesh of one process: it keeps connections with
// sealed secrets, validates and versions mappings, runs the ingestion
// pipeline (Sync) and the schema observer (Observe, RunObserver), and
// publishes flow events. Make one with New. A Mesh is safe for concurrent
// use; Syncs of one connection are serialized.
type Mesh struct {
	canon   *canonical.Registry
	conns   *connectors.Registry
	store   Store
	opts    Options
	sealer  *sealer
	log     *slog.Logger
	metrics *metrics

	mu       sync.Mutex
	breakers map[uuid.UUID]*gobreaker.CircuitBreaker[struct{}]
	running  map[runKey]chan struct{} // per-connection sync and observe tokens
}

// New returns a Mesh over the canonical registry, the connector registry
// and the store. It applies the defaults of opts (nil means all defaults)
// and validates them; the error wraps ErrInvalid and names the bad argument
// or field. New starts no goroutines; RunObserver does, for as long as its
// context lives. The Mesh borrows store and the buses it is given and
// never closes them.
func New(canon *canonical.Registry, conns *connectors.Registry, store Store, opts *Options) (*Mesh, error) {
	switch {
	case canon == nil:
		return nil, fmt.Errorf("%w: new mesh: canonical registry is nil", ErrInvalid)
	case conns == nil:
		return nil, fmt.Errorf("%w: new mesh: connector registry is nil", ErrInvalid)
	case store == nil:
		return nil, fmt.Errorf("%w: new mesh: store is nil", ErrInvalid)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s, err := newSealer(o.SecretKey)
	if err != nil {
		return nil, err
	}
	m := &Mesh{
		canon:    canon,
		conns:    conns,
		store:    store,
		opts:     o,
		sealer:   s,
		log:      o.Logger,
		breakers: make(map[uuid.UUID]*gobreaker.CircuitBreaker[struct{}]),
		running:  make(map[runKey]chan struct{}),
	}
	if o.Metrics != nil {
		if m.metrics, err = newMetrics(o.Metrics); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// FlowBus returns the bus the mesh publishes to (Options.FlowBus or the
// default MemoryBus).
func (m *Mesh) FlowBus() FlowBus { return m.opts.FlowBus }

// Subscribe subscribes to the tenant's flow events through the mesh's bus;
// see FlowSubscriber. It returns ErrNoSubscribe when the bus cannot
// deliver to subscribers.
func (m *Mesh) Subscribe(ctx context.Context, tenant uuid.UUID) (<-chan FlowEvent, func(), error) {
	sub, ok := m.opts.FlowBus.(FlowSubscriber)
	if !ok {
		return nil, nil, ErrNoSubscribe
	}
	return sub.Subscribe(ctx, tenant)
}

// publish sends e to the flow bus; failures are logged, never returned, so
// that monitoring cannot stop ingestion.
func (m *Mesh) publish(ctx context.Context, e FlowEvent) {
	if e.Time.IsZero() {
		e.Time = m.opts.Now().UTC()
	}
	// A cancelled sync still reports how it ended.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := m.opts.FlowBus.Publish(pctx, e); err != nil {
		m.log.WarnContext(ctx, "aam: publish flow event failed", "stage", string(e.Stage), "tenant", e.TenantID, "connection", e.ConnectionID, "error", err)
	}
}

// publishTimeout bounds one Publish, which runs even after the caller's
// context ended.
const publishTimeout = 2 * time.Second

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// runKey names one kind of work on one connection that runs one at a time.
type runKey struct {
	work string // "sync" or "observe"
	conn uuid.UUID
}

// acquire takes the token of key, waiting for the work holding it to end;
// release gives it back.
func (m *Mesh) acquire(ctx context.Context, key runKey) (release func(), err error) {
	for {
		m.mu.Lock()
		ch, busy := m.running[key]
		if !busy {
			ch = make(chan struct{})
			m.running[key] = ch
			m.mu.Unlock()
			return func() {
				m.mu.Lock()
				delete(m.running, key)
				m.mu.Unlock()
				close(ch)
			}, nil
		}
		m.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}
