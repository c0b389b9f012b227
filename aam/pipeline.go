package aam

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// pending is one batch being built by the reader.
type pending struct {
	events     []canonical.Event
	quarantine []QuarantinedRecord
	quality    []QualityIssue
	resolved   []int64
	qindex     map[string]int // record id -> index in quarantine
	records    int            // records read into the batch
	deletes    int            // delete events the source reported
	anonymous  int            // records without an id
	seq        uint64         // the batch's sequence in the pass
	cursor     connectors.Cursor
	started    time.Time
	read       time.Duration
}

func (o *objectSync) newPending() *pending {
	o.pass.seq++
	return &pending{seq: o.pass.seq, started: o.m.opts.Now()}
}

// ingest reads the object from the committed cursor to its end, retrying
// transient errors, and restarting once from the beginning when the source
// refuses the saved cursor.
//
// The pass is full when it starts at the empty cursor (a first sync, a
// snapshot-model object whose previous pass completed, or a restart); a
// snapshot-model object interrupted mid-pass resumes from its cursor, and
// that pass is not full.
func (o *objectSync) ingest(ctx context.Context) error {
	restarted := false
	o.startPass(o.committed == "")
	for {
		err := o.m.retry(ctx, o.s, "read "+o.mv.Object, func() error { return o.readOnce(ctx) })
		if err != nil && errors.Is(err, connectors.ErrInvalidCursor) && o.committed != "" && !restarted {
			restarted = true
			o.rep.Restarted = true
			o.m.log.InfoContext(ctx, "aam: saved cursor refused by the source, reading the object from its start",
				"tenant", o.tenant, "connection", o.s.conn.ID, "object", o.mv.Object, "reason", o.s.redact(err))
			o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: o.s.conn.ID, Object: o.mv.Object, Stage: StageRead,
				TraceID: o.trace, Message: "saved cursor refused by the source; reading from the start"})
			o.committed = ""
			o.startPass(true)
			continue
		}
		return err
	}
}

// readOnce is one read attempt from the committed cursor. The reader (this
// goroutine, inside Read) maps records into batches; a committer goroutine
// appends them in order, so reading and mapping overlap with the store's
// writes. A batch is committed whole or not at all, with its cursor, so
// stopping at any point leaves the committed cursor exactly after the
// committed events.
func (o *objectSync) readOnce(ctx context.Context) error {
	o.pass.rewind()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan *pending, 1)
	done := make(chan error, 1)
	go func() {
		var err error
		for p := range work {
			if err == nil {
				if err = o.commit(ctx, p); err != nil {
					cancel()
				}
			}
		}
		done <- err
	}()
	hand := func(p *pending) error {
		p.read = o.m.opts.Now().Sub(p.started)
		select {
		case work <- p:
			return nil
		case <-ctx.Done():
			return &internalError{err: ctx.Err()}
		}
	}
	p := o.newPending()
	req := connectors.ReadRequest{Object: o.mv.Object, Cursor: connectors.Cursor(o.committed)}
	readErr := o.s.c.Read(ctx, req, func(rec connectors.Record) error {
		o.handle(rec, p)
		if p.records < o.m.opts.BatchSize {
			return nil
		}
		if err := hand(p); err != nil {
			return err
		}
		p = o.newPending()
		return nil
	})
	if readErr == nil && p.records > 0 {
		readErr = hand(p)
	}
	close(work)
	if err := <-done; err != nil {
		return &internalError{err: err}
	}
	if readErr != nil {
		var ie *internalError
		if errors.As(readErr, &ie) {
			return readErr
		}
		return fmt.Errorf("read: %w", o.s.redact(readErr))
	}
	return nil
}

// handle maps one record into p, or quarantines it. A record's identity
// is the id the source gives, else the value of the field mapped to the
// entity's id; a record without one, or whose id the pass already read
// (except in CDC reads, where a record may change several times), is
// quarantined with the reason, never given another id.
func (o *objectSync) handle(rec connectors.Record, p *pending) {
	p.records++
	o.rep.Read++
	p.cursor = rec.Cursor
	if rec.Err != nil {
		id := rec.ID
		if id == "" {
			id = rec.Err.Location
			p.anonymous++
		} else {
			o.pass.see(id, p.seq)
		}
		o.quarantine1(p, QuarantinedRecord{
			RecordID: id,
			Raw:      map[string]any{"raw": rec.Err.Raw},
			Reason:   "unreadable record at " + rec.Err.Location + ": " + rec.Err.Reason,
		})
		return
	}
	meta := o.meta
	meta.RecordID = rec.ID
	if rec.Deleted {
		if rec.ID == "" {
			p.anonymous++
			o.quarantine1(p, QuarantinedRecord{RecordID: noID(rec), Raw: maps.Clone(rec.Fields),
				Reason: "the source reported a deleted record without an id"})
			return
		}
		p.events = append(p.events, DeleteEvent(o.mv.Mapping.Entity, o.mv.Version, meta, o.m.opts.Now()))
		p.deletes++
		o.resolve(p, rec.ID)
		return
	}
	ev, ferrs := o.mapper.Apply(rec.Fields, meta)
	// Optional fields that failed coercion become data-quality issues (the
	// event keeps them null) unless the tenant is strict; they are recorded
	// only when the record becomes an event.
	var issues []canonical.FieldError
	if len(ferrs) > 0 && !o.strict {
		issues, ferrs = o.mapper.Tolerate(rec.Fields, &ev, ferrs)
	}
	id := ev.Source.RecordID
	switch {
	case id == "":
		p.anonymous++
		q := QuarantinedRecord{RecordID: noID(rec), Raw: maps.Clone(rec.Fields),
			Reason: "record has no id: the source gives none and the field mapped to the entity's id is empty"}
		if len(ferrs) > 0 {
			q = o.fieldQuarantine(q.RecordID, q.Raw, ferrs)
			q.Reason = "record has no id; " + q.Reason
		}
		o.quarantine1(p, q)
		return
	case o.pass.see(id, p.seq):
		o.quarantine1(p, QuarantinedRecord{RecordID: id + " (repeated)", Raw: maps.Clone(rec.Fields),
			Reason: fmt.Sprintf("record id %q is repeated within one read of the object: the first record with it was taken, this one set aside", id)})
		return
	case len(ferrs) > 0:
		o.quarantine1(p, o.fieldQuarantine(id, maps.Clone(rec.Fields), ferrs))
		return
	}
	if len(issues) > 0 {
		p.quality = append(p.quality, qualityIssues(&ev, o.s.conn.ID, o.mv.Object, o.mv.Version, o.m.opts.Now().UTC(), issues)...)
	}
	p.events = append(p.events, ev)
	o.resolve(p, id)
}

// noID is the quarantine key of a record without an id: its position.
func noID(rec connectors.Record) string {
	return "(no id) at cursor " + string(rec.Cursor)
}

// fieldQuarantine builds the quarantined form of a record that mapped with
// field errors.
func (o *objectSync) fieldQuarantine(id string, raw map[string]any, ferrs []canonical.FieldError) QuarantinedRecord {
	q := QuarantinedRecord{RecordID: id, Raw: raw, Errors: make([]QuarantineFieldError, len(ferrs))}
	for i, fe := range ferrs {
		q.Errors[i] = QuarantineFieldError{Field: fe.Field, Source: fe.Source, Reason: fe.Reason}
		if fe.Value != nil {
			q.Errors[i].Value = fmt.Sprint(fe.Value)
		}
	}
	q.Reason = strings.TrimPrefix(ferrs[0].Error(), "canonical: ")
	if len(ferrs) > 1 {
		q.Reason += fmt.Sprintf(" (and %d more)", len(ferrs)-1)
	}
	return q
}

// quarantine1 adds q to p unless the same content is already quarantined.
func (o *objectSync) quarantine1(p *pending, q QuarantinedRecord) {
	q.ConnectionID = o.s.conn.ID
	q.Object = o.mv.Object
	q.MappingVersion = o.mv.Version
	q.CreatedAt = o.m.opts.Now().UTC()
	hash := canonical.RecordHash(q.Raw)
	o.qmu.Lock()
	defer o.qmu.Unlock()
	for _, e := range o.quarantine[q.RecordID] {
		if e.hash == hash {
			return // already quarantined as it is
		}
	}
	// A record keeps one quarantine entry: the newest content replaces
	// older entries of its id, stored or earlier in this batch.
	for _, e := range o.quarantine[q.RecordID] {
		if e.id != 0 {
			p.resolved = append(p.resolved, e.id)
		}
	}
	if i, ok := p.qindex[q.RecordID]; ok {
		p.quarantine[i] = q
		return
	}
	if p.qindex == nil {
		p.qindex = make(map[string]int)
	}
	p.qindex[q.RecordID] = len(p.quarantine)
	p.quarantine = append(p.quarantine, q)
}

// resolve releases the quarantined records of a record id that now maps.
func (o *objectSync) resolve(p *pending, recordID string) {
	o.qmu.Lock()
	defer o.qmu.Unlock()
	if len(o.quarantine) == 0 {
		return
	}
	for _, e := range o.quarantine[recordID] {
		if e.id != 0 {
			p.resolved = append(p.resolved, e.id)
		}
	}
}

// commit appends one batch with its cursor.
func (o *objectSync) commit(ctx context.Context, p *pending) error {
	b := Batch{Events: p.events, Quarantine: p.quarantine, Quality: p.quality, Resolved: dedupIDs(p.resolved),
		Checkpoint: &Checkpoint{ConnectionID: o.s.conn.ID, Object: o.mv.Object, Cursor: p.cursor, Lease: o.lease}}
	t := o.m.opts.Now()
	res, err := o.m.store.Append(ctx, o.tenant, b)
	if err != nil {
		return fmt.Errorf("append batch: %w", err)
	}
	lat := o.m.opts.Now().Sub(t)
	o.committed = string(p.cursor)
	o.pass.committedSeq = p.seq
	o.pass.anonymous += p.anonymous
	o.rep.Events += res.Appended
	o.rep.Deleted += p.deletes
	o.rep.Duplicates += res.Duplicates
	o.rep.Quarantined += len(b.Quarantine)
	o.rep.QualityIssues += len(b.Quality)
	o.rep.Resolved += len(b.Resolved)
	o.forget(b.Resolved)
	if mt := o.m.metrics; mt != nil {
		mt.add("read", p.records)
		mt.add("appended", res.Appended)
		mt.add("duplicate", res.Duplicates)
		mt.add("quarantined", len(b.Quarantine))
		mt.add("quality_issue", len(b.Quality))
		mt.add("resolved", len(b.Resolved))
	}
	conn, obj := o.s.conn.ID, o.mv.Object
	o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: conn, Object: obj, Stage: StageRead, Count: p.records, LatencyMS: ms(p.read), TraceID: o.trace})
	o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: conn, Object: obj, Stage: StageMap, Count: len(p.events), Errors: len(p.quarantine), TraceID: o.trace})
	o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: conn, Object: obj, Stage: StageAppend, Count: res.Appended, Errors: 0, LatencyMS: ms(lat), TraceID: o.trace,
		Message: fmt.Sprintf("%d new, %d duplicate, offset %d", res.Appended, res.Duplicates, res.LastOffset)})
	if len(b.Quarantine) > 0 || len(b.Resolved) > 0 {
		o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: conn, Object: obj, Stage: StageQuarantine, Count: len(b.Quarantine), TraceID: o.trace,
			Message: fmt.Sprintf("%d quarantined, %d released; first reason: %s", len(b.Quarantine), len(b.Resolved), firstReason(b.Quarantine))})
	}
	return nil
}

func firstReason(q []QuarantinedRecord) string {
	if len(q) == 0 {
		return "-"
	}
	return q[0].Reason
}

// forget drops released quarantine ids from the index.
func (o *objectSync) forget(ids []int64) {
	if len(ids) == 0 {
		return
	}
	gone := make(map[int64]bool, len(ids))
	for _, id := range ids {
		gone[id] = true
	}
	o.qmu.Lock()
	defer o.qmu.Unlock()
	for rid, es := range o.quarantine {
		kept := es[:0]
		for _, e := range es {
			if !gone[e.id] {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			delete(o.quarantine, rid)
		} else {
			o.quarantine[rid] = kept
		}
	}
}

func dedupIDs(ids []int64) []int64 {
	if len(ids) < 2 {
		return ids
	}
	seen := make(map[int64]bool, len(ids))
	out := ids[:0]
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
