package aam

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/google/uuid"
)

// DefaultSubscriberBuffer is the default number of events a MemoryBus
// buffers per subscriber.
const DefaultSubscriberBuffer = 1024

// MemoryBusOptions tunes a MemoryBus. A nil *MemoryBusOptions means the
// defaults.
type MemoryBusOptions struct {
	// Buffer is how many events each subscriber may have pending; when it
	// is full the oldest pending event is dropped. Default
	// DefaultSubscriberBuffer.
	Buffer int
}

// MemoryBus is the in-process FlowBus and FlowSubscriber: Publish hands
// each event to the tenant's current subscribers without ever blocking.
// A subscriber that falls behind loses its oldest pending events (counted
// by Dropped), never the newest. Events published while nobody listens are
// gone. A MemoryBus is safe for concurrent use; the zero value is not
// usable, make one with NewMemoryBus.
type MemoryBus struct {
	buffer  int
	mu      sync.RWMutex
	subs    map[uuid.UUID]map[*memorySub]struct{}
	dropped atomic.Uint64
}

type memorySub struct {
	ch chan FlowEvent
}

var _ FlowSubscriber = (*MemoryBus)(nil)

// NewMemoryBus returns an empty bus. Invalid options fall back to the
// defaults (a Buffer below 1 means DefaultSubscriberBuffer).
func NewMemoryBus(opts *MemoryBusOptions) *MemoryBus {
	b := &MemoryBus{buffer: DefaultSubscriberBuffer, subs: make(map[uuid.UUID]map[*memorySub]struct{})}
	if opts != nil && opts.Buffer > 0 {
		b.buffer = opts.Buffer
	}
	return b
}

// Publish delivers e to the subscribers of e.TenantID. It never blocks and
// always returns nil.
func (b *MemoryBus) Publish(_ context.Context, e FlowEvent) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for s := range b.subs[e.TenantID] {
		for {
			select {
			case s.ch <- e:
			default:
				// Full: drop the oldest pending event and try again.
				select {
				case <-s.ch:
					b.dropped.Add(1)
				default:
				}
				continue
			}
			break
		}
	}
	return nil
}

// Subscribe returns the tenant's events published from now on; see
// FlowSubscriber. A nil tenant wraps ErrInvalid.
func (b *MemoryBus) Subscribe(ctx context.Context, tenant uuid.UUID) (<-chan FlowEvent, func(), error) {
	if tenant == uuid.Nil {
		return nil, nil, fmt.Errorf("%w: subscribe: tenant is nil", ErrInvalid)
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, fmt.Errorf("aam: subscribe: %w", err)
	}
	s := &memorySub{ch: make(chan FlowEvent, b.buffer)}
	b.mu.Lock()
	if b.subs[tenant] == nil {
		b.subs[tenant] = make(map[*memorySub]struct{})
	}
	b.subs[tenant][s] = struct{}{}
	b.mu.Unlock()

	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ctx.Done():
		case <-stop:
		}
		b.mu.Lock()
		delete(b.subs[tenant], s)
		if len(b.subs[tenant]) == 0 {
			delete(b.subs, tenant)
		}
		close(s.ch)
		b.mu.Unlock()
	}()
	var once sync.Once
	cancel := func() {
		once.Do(func() { close(stop) })
		<-done
	}
	return s.ch, cancel, nil
}

// Dropped returns how many events were dropped, over all subscribers,
// because a subscriber's buffer was full.
func (b *MemoryBus) Dropped() uint64 { return b.dropped.Load() }
