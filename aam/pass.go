package aam

import (
	"context"
	"fmt"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// SyncOption changes one Sync.
type SyncOption func(*syncConfig)

type syncConfig struct {
	confirmDeletes bool
	full           bool
}

// FullPass makes a Sync read every object from its start instead of from
// its saved cursor: a full snapshot pass, which finds the records deleted at
// the source of incremental objects (whose reads from a cursor do not see
// deletes). CDC objects, whose reads see every delete, keep their cursor.
// Exactly-once is unchanged: records read again that did not change are
// recognised by the stream.
func FullPass() SyncOption {
	return func(c *syncConfig) { c.full = true }
}

// ConfirmDeletes lets a Sync delete more than Options.MaxDeleteFraction of
// an object's live records in one full pass: the operator confirms that
// the source really lost them (and is not, say, a truncated export).
func ConfirmDeletes() SyncOption {
	return func(c *syncConfig) { c.confirmDeletes = true }
}

// scheduleFullPass makes this sync of an incremental object a full pass
// when Options.FullPassEvery has passed since the start of its last one
// (as the store recorded it with the checkpoint).
func (o *objectSync) scheduleFullPass(ctx context.Context) error {
	every := o.m.opts.FullPassEvery
	if o.full || every <= 0 || o.committed == "" || !o.modelKnown || o.model != connectors.ChangeIncremental {
		return nil
	}
	last, err := o.m.store.LastFullPass(ctx, o.tenant, o.s.conn.ID, o.mv.Object)
	if err != nil {
		return fmt.Errorf("last full pass: %w", err)
	}
	if last.IsZero() || o.started.Sub(last) < every {
		return nil
	}
	o.full = true
	o.m.log.InfoContext(ctx, "aam: scheduled full pass, to find records deleted at the source", "tenant", o.tenant,
		"connection", o.s.conn.ID, "object", o.mv.Object, "last_full_pass", last, "every", every)
	return nil
}

// changeModels discovers the connection's catalog for the change model of
// each object. It calls the source once, outside the retries and the
// circuit breaker (a discovery that works must not hide failing reads from
// the breaker), and not at all while the breaker is open. A failed
// discovery is logged and returns nil: the objects are then synced without
// computing deletes, and their reports say so.
func (m *Mesh) changeModels(ctx context.Context, s *session) *connectors.Catalog {
	if m.breaker(s.conn.ID).State() == gobreaker.StateOpen {
		return nil
	}
	cat, err := s.c.Discover(ctx)
	if err != nil || cat == nil {
		m.log.WarnContext(ctx, "aam: discovery failed; syncing without change models, so no deletes are computed",
			"connection", s.conn.ID, "error", s.redact(err))
		return nil
	}
	return cat
}

// modelOf returns the change model of an object of cat (ChangeSnapshot
// when the connector states none, or does not list the object); known is
// false without a catalog.
func modelOf(cat *connectors.Catalog, object string) (model connectors.ChangeModel, known bool) {
	if cat == nil {
		return "", false
	}
	if obj, ok := cat.Object(object); ok && obj.ChangeModel != "" {
		return obj.ChangeModel, true
	}
	return connectors.ChangeSnapshot, true
}

// passState follows one read pass of an object: whether it started at the
// empty cursor (a full snapshot once it completes), and the record ids it
// read, to find repeated ids and, after a full pass, vanished records.
// Ids are tagged with the batch they were read in, so a retry that
// re-reads the uncommitted batches forgets them first. The reader
// goroutine owns seen and seq; the committer sets committedSeq and
// anonymous, which the reader reads only after the committer ended.
type passState struct {
	full         bool
	track        bool
	seen         map[string]uint64
	seq          uint64
	committedSeq uint64
	// anonymous counts committed records that had no id.
	anonymous int
}

// start begins a pass; full when it starts at the empty cursor. CDC reads
// track no ids: a record may change several times in one read.
func (o *objectSync) startPass(full bool) {
	track := o.model != connectors.ChangeCDC
	o.pass = passState{full: full, track: track}
	if track {
		o.pass.seen = make(map[string]uint64)
	}
}

// rewind forgets the ids of batches that were read but not committed.
func (ps *passState) rewind() {
	for id, seq := range ps.seen {
		if seq > ps.committedSeq {
			delete(ps.seen, id)
		}
	}
}

// see records id as read in batch seq and reports whether the pass read it
// before.
func (ps *passState) see(id string, seq uint64) (repeated bool) {
	if !ps.track {
		return false
	}
	if _, ok := ps.seen[id]; ok {
		return true
	}
	ps.seen[id] = seq
	return false
}

// livePage is how many live record ids one store call returns.
const livePage = 10000

// finishPass ends a pass that read the object to its end: after a full
// pass (not CDC) it deletes the live records the pass did not read, within
// the safety limit; for a snapshot-model object it resets the cursor, so
// the next sync starts a new full pass.
func (o *objectSync) finishPass(ctx context.Context) error {
	o.rep.FullPass = o.pass.full
	var vanished []string
	if o.pass.full && o.model != connectors.ChangeCDC {
		switch {
		case !o.modelKnown:
			o.rep.DeletesWithheld = "the change model is unknown (discovery failed): vanished records are not deleted"
		case o.pass.anonymous > 0:
			o.rep.DeletesWithheld = fmt.Sprintf("%d records without an id were read: vanished records are not deleted", o.pass.anonymous)
		default:
			var err error
			if vanished, err = o.vanished(ctx); err != nil {
				return err
			}
		}
	}
	reset := o.modelKnown && o.model == connectors.ChangeSnapshot && o.committed != ""
	var mark time.Time
	if o.pass.full && o.modelKnown && o.model != connectors.ChangeCDC {
		mark = o.started
	}
	return o.appendDeletes(ctx, vanished, reset, mark)
}

// vanished lists the live records the completed full pass did not read,
// or nothing when they exceed the safety limit without ConfirmDeletes
// (then the report says so).
func (o *objectSync) vanished(ctx context.Context) ([]string, error) {
	var gone []string
	live, after := 0, ""
	for {
		ids, err := o.m.store.LiveRecords(ctx, o.tenant, o.s.conn.ID, o.mv.Object, after, livePage)
		if err != nil {
			return nil, fmt.Errorf("live records: %w", err)
		}
		for _, id := range ids {
			if _, ok := o.pass.seen[id]; !ok {
				gone = append(gone, id)
			}
		}
		live += len(ids)
		if len(ids) < livePage {
			break
		}
		after = ids[len(ids)-1]
	}
	if len(gone) == 0 {
		return nil, nil
	}
	limit := o.m.opts.MaxDeleteFraction
	if !o.confirm && float64(len(gone)) > limit*float64(live) {
		o.rep.DeletesWithheld = fmt.Sprintf("refused to delete %d of %d live records (%.0f%%), above the limit of %.0f%% per sync; sync with ConfirmDeletes to apply",
			len(gone), live, 100*float64(len(gone))/float64(live), 100*limit)
		o.m.log.WarnContext(ctx, "aam: deletes withheld by the safety limit", "tenant", o.tenant, "connection", o.s.conn.ID,
			"object", o.mv.Object, "vanished", len(gone), "live", live, "limit", limit)
		o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: o.s.conn.ID, Object: o.mv.Object, Stage: StageSync,
			Errors: len(gone), TraceID: o.trace, Message: o.rep.DeletesWithheld})
		return nil, nil
	}
	return gone, nil
}

// appendDeletes appends the delete events of the vanished records in
// batches, the last one resetting the cursor when reset and recording a
// completed full pass that started at mark when it is not zero (also
// without deletes).
func (o *objectSync) appendDeletes(ctx context.Context, ids []string, reset bool, mark time.Time) error {
	meta := o.meta
	checkpoint := reset || !mark.IsZero()
	for start := 0; start < len(ids) || (start == 0 && checkpoint); start += o.m.opts.BatchSize {
		end := min(start+o.m.opts.BatchSize, len(ids))
		b := Batch{Events: make([]canonical.Event, 0, end-start)}
		for _, id := range ids[start:end] {
			meta.RecordID = id
			b.Events = append(b.Events, DeleteEvent(o.mv.Mapping.Entity, o.mv.Version, meta, o.m.opts.Now()))
		}
		if end == len(ids) && checkpoint {
			cur := connectors.Cursor(o.committed)
			if reset {
				cur = ""
			}
			b.Checkpoint = &Checkpoint{ConnectionID: o.s.conn.ID, Object: o.mv.Object, Cursor: cur, Lease: o.lease, FullPassAt: mark}
		}
		res, err := o.m.store.Append(ctx, o.tenant, b)
		if err != nil {
			return fmt.Errorf("append deletes: %w", err)
		}
		if b.Checkpoint != nil {
			o.committed = string(b.Checkpoint.Cursor)
		}
		o.rep.Events += res.Appended
		o.rep.Deleted += res.Appended
		o.rep.Duplicates += res.Duplicates
		o.m.metrics.add("deleted", res.Appended)
		if len(b.Events) > 0 {
			o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: o.s.conn.ID, Object: o.mv.Object, Stage: StageAppend,
				Count: res.Appended, TraceID: o.trace, Message: fmt.Sprintf("%d records deleted: no longer at the source", res.Appended)})
		}
	}
	return nil
}
