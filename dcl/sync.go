package dcl

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
)

// EventSource is where the engine reads the canonical stream from: the
// read side of aam.EventLog, which every aam store implements.
type EventSource interface {
	// ReadEvents returns up to limit events of tenant with offset > after,
	// in offset order; entity filters when non-empty.
	ReadEvents(ctx context.Context, tenant uuid.UUID, after int64, limit int, entity string) ([]aam.StoredEvent, error)
}

// SyncResult says what a Sync or Rebuild did.
type SyncResult struct {
	// Batches and Events count the transactions committed and the events
	// applied; Upserts and Deletes count records written and removed.
	Batches int `json:"batches"`
	Events  int `json:"events"`
	Upserts int `json:"upserts"`
	Deletes int `json:"deletes"`
	// Offset is the checkpoint afterwards.
	Offset int64 `json:"offset"`
}

// Sync brings the views up to date with the stream: it reads from the
// stored checkpoint in batches of Options.BatchSize and materializes each
// batch atomically (see Materialize) until the stream has no more events.
// If it fails, the batches committed before stay committed and the next
// Sync resumes after them. Errors wrap those of the source, or those of
// Materialize.
func (e *Engine) Sync(ctx context.Context, src EventSource) (SyncResult, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.syncLocked(ctx, src)
}

func (e *Engine) syncLocked(ctx context.Context, src EventSource) (SyncResult, error) {
	var out SyncResult
	if src == nil {
		return out, fmt.Errorf("%w: sync: nil event source", ErrInvalid)
	}
	for {
		out.Offset = e.offset
		evs, err := src.ReadEvents(ctx, e.tenant, e.offset, e.opts.BatchSize, "")
		if err != nil {
			return out, fmt.Errorf("dcl: sync: read events after %d: %w", e.offset, err)
		}
		if len(evs) == 0 {
			return out, nil
		}
		res, err := e.materializeLocked(ctx, evs)
		if err != nil {
			return out, err
		}
		if res.Events == 0 {
			// a source that returns only old events would loop forever
			return out, fmt.Errorf("%w: sync: source returned no event after offset %d", ErrInvalid, e.offset)
		}
		out.Batches++
		out.Events += res.Events
		out.Upserts += res.Upserts
		out.Deletes += res.Deletes
		out.Offset = res.Offset
	}
}

// Rebuild drops the tenant's DuckDB file and rebuilds it from the stream:
// the views, unified ids and decision log come back identical, because
// materialization is deterministic in stream order. The DuckGraph of the
// file is emptied too (a borrowed Options.Graph is left alone); call
// SyncGraph again. Queries wait while the file is swapped, not while it is
// refilled.
func (e *Engine) Rebuild(ctx context.Context, src EventSource) (SyncResult, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if src == nil {
		return SyncResult{}, fmt.Errorf("%w: rebuild: nil event source", ErrInvalid)
	}
	decisions, err := e.keepConstraints(ctx) // review decisions outlive the file
	if err != nil {
		return SyncResult{}, err
	}
	if err := e.reopenEmpty(ctx); err != nil {
		return SyncResult{}, err
	}
	if err := e.restoreConstraints(ctx, decisions); err != nil {
		return SyncResult{}, err
	}
	res, err := e.syncLocked(ctx, src)
	if err != nil {
		return res, err
	}
	return res, e.finishPending(ctx)
}

func (e *Engine) reopenEmpty(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if err := e.closeDB(); err != nil {
		return err
	}
	for _, p := range []string{e.path, e.path + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			e.closed = true
			return fmt.Errorf("%w: rebuild: remove %s: %v", ErrStorage, p, err)
		}
	}
	e.offset, e.logSeq = 0, 0
	if err := e.openDB(ctx); err != nil {
		e.closed = true
		return err
	}
	return nil
}
