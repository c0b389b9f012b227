package dcltest

import (
	"context"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

// MemorySource is an in-memory canonical stream of many tenants that
// implements dcl.EventSource (and the read side of aam.EventLog). Offsets
// count from 1 per tenant. It is safe for concurrent use.
type MemorySource struct {
	mu     sync.Mutex
	events map[uuid.UUID][]aam.StoredEvent
	reads  int
}

// NewMemorySource returns an empty stream.
func NewMemorySource() *MemorySource {
	return &MemorySource{events: map[uuid.UUID][]aam.StoredEvent{}}
}

// Append adds events to the tenant's stream and returns the offset of the
// last one.
func (s *MemorySource) Append(tenant uuid.UUID, evs ...canonical.Event) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.events[tenant]
	for _, ev := range evs {
		cur = append(cur, aam.StoredEvent{Offset: int64(len(cur) + 1), Event: ev})
	}
	s.events[tenant] = cur
	return int64(len(cur))
}

// Reads returns how many ReadEvents calls were made.
func (s *MemorySource) Reads() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// ReadEvents returns up to limit events with offset > after, in offset
// order; entity filters when non-empty. A limit below 1 is an error
// wrapping aam.ErrInvalid.
func (s *MemorySource) ReadEvents(ctx context.Context, tenant uuid.UUID, after int64, limit int, entity string) ([]aam.StoredEvent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, fmt.Errorf("%w: limit %d", aam.ErrInvalid, limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	var out []aam.StoredEvent
	all := s.events[tenant]
	if after < 0 {
		after = 0
	}
	for i := int(after); i < len(all) && len(out) < limit; i++ {
		if entity == "" || all[i].Entity == entity {
			out = append(out, all[i])
		}
	}
	return out, nil
}
