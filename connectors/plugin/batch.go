package plugin

import (
	"context"
	"fmt"
	"sync"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/plugin/internal/connectorpb"
)

// batcher sits between a connector's Read, which calls emit, and the gRPC
// stream, which one sender goroutine (run) feeds. Records are encoded by the
// connector's goroutine while the previous batch is on the wire; a batch is
// taken as soon as the sender is free, so a slow source still sees each
// record sent at once and a fast one fills batches up to the limits. Two sets
// of buffers alternate, so steady state allocates no batch memory.
type batcher struct {
	maxRecs  int
	maxBytes int

	scratch []byte // emit's encoding buffer; only emit touches it

	mu         sync.Mutex
	recs       []*connectorpb.Record // the batch being filled
	n          int                   // records used in recs
	arena      []byte                // bytes of the batch being filled
	spareRecs  []*connectorpb.Record // buffers returned by the sender
	spareArena []byte
	done       bool  // the connector's Read returned
	err        error // the stream failed; emit returns it

	ready chan struct{} // a batch is non-empty, or done
	space chan struct{} // the batch was taken, or err is set
}

func newBatcher(maxRecs, maxBytes int) *batcher {
	return &batcher{
		maxRecs:  maxRecs,
		maxBytes: maxBytes,
		ready:    make(chan struct{}, 1),
		space:    make(chan struct{}, 1),
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// emit adds r to the batch, waiting while the batch is full.
func (b *batcher) emit(r connectors.Record) error {
	var encErr error
	if r.Err == nil && r.Fields != nil {
		b.scratch, encErr = appendFields(b.scratch[:0], r.Fields)
	}
	b.mu.Lock()
	for b.err == nil && (b.n >= b.maxRecs || len(b.arena) >= b.maxBytes) {
		b.mu.Unlock()
		<-b.space
		b.mu.Lock()
	}
	if b.err != nil {
		err := b.err
		b.mu.Unlock()
		return err
	}
	pr := b.next()
	pr.Id = b.add(r.ID)
	pr.Cursor = b.add(string(r.Cursor))
	pr.FieldsJson = nil
	pr.Error = nil
	pr.Deleted = r.Deleted && r.Err == nil
	switch {
	case r.Err != nil:
		pr.Error = recordErrorToPB(r.Err)
	case encErr != nil:
		pr.Error = &connectorpb.RecordError{
			Location: validUTF8(r.ID),
			Reason:   validUTF8(fmt.Sprintf("field %v", encErr)),
		}
	case r.Fields != nil:
		start := len(b.arena)
		b.arena = append(b.arena, b.scratch...)
		pr.FieldsJson = b.arena[start:len(b.arena):len(b.arena)]
	}
	first := b.n == 1
	b.mu.Unlock()
	if first {
		signal(b.ready)
	}
	return nil
}

// next returns the next record slot of the batch, reusing an old message.
// b.mu is held.
func (b *batcher) next() *connectorpb.Record {
	if b.n < len(b.recs) {
		b.n++
		return b.recs[b.n-1]
	}
	pr := &connectorpb.Record{}
	b.recs = append(b.recs, pr)
	b.n++
	return pr
}

// add copies s into the arena and returns the copy. b.mu is held.
func (b *batcher) add(s string) []byte {
	if s == "" {
		return nil
	}
	start := len(b.arena)
	b.arena = append(b.arena, s...)
	return b.arena[start:len(b.arena):len(b.arena)]
}

// finish tells the sender that no record will follow.
func (b *batcher) finish() {
	b.mu.Lock()
	b.done = true
	b.mu.Unlock()
	signal(b.ready)
}

// run sends batches until finish was called and all was sent, the stream
// fails or ctx ends.
func (b *batcher) run(ctx context.Context, send func(*connectorpb.ReadResponse) error) error {
	resp := &connectorpb.ReadResponse{}
	for {
		b.mu.Lock()
		for b.n == 0 && !b.done {
			b.mu.Unlock()
			select {
			case <-b.ready:
			case <-ctx.Done():
				return b.fail(ctx.Err())
			}
			b.mu.Lock()
		}
		if b.n == 0 {
			b.mu.Unlock()
			return nil
		}
		all, arena := b.recs, b.arena
		recs := all[:b.n]
		b.recs, b.arena, b.n = b.spareRecs, b.spareArena[:0], 0
		b.spareRecs, b.spareArena = nil, nil
		b.mu.Unlock()
		signal(b.space)

		resp.Records = recs
		if err := send(resp); err != nil {
			return b.fail(err)
		}
		// The message is marshalled: its buffers can be filled again.
		b.mu.Lock()
		b.spareRecs, b.spareArena = all, arena
		b.mu.Unlock()
	}
}

func (b *batcher) fail(err error) error {
	b.mu.Lock()
	b.err = err
	b.mu.Unlock()
	signal(b.space)
	return err
}
