package aam

import (
	"context"
	"fmt"

	"github.com/autonomos/autonomos/canonical"
)

// pageQuarantine calls fn with the object's quarantined records, one page
// of at most Options.BatchSize records at a time, in id order, so a large
// quarantine never sits in memory whole.
func (o *objectSync) pageQuarantine(ctx context.Context, fn func([]QuarantinedRecord) error) error {
	var after int64
	for {
		qs, err := o.m.store.QuarantinePage(ctx, o.tenant, o.s.conn.ID, o.mv.Object, after, o.m.opts.BatchSize)
		if err != nil {
			return fmt.Errorf("quarantine: %w", err)
		}
		if len(qs) == 0 {
			return nil
		}
		if err := fn(qs); err != nil {
			return err
		}
		if len(qs) < o.m.opts.BatchSize {
			return nil
		}
		after = qs[len(qs)-1].ID
	}
}

// loadQuarantine indexes the object's quarantined records: record id ->
// quarantine id and content hash (not the records themselves).
func (o *objectSync) loadQuarantine(ctx context.Context) error {
	idx := make(map[string][]quarantined)
	err := o.pageQuarantine(ctx, func(qs []QuarantinedRecord) error {
		for _, q := range qs {
			idx[q.RecordID] = append(idx[q.RecordID], quarantined{id: q.ID, hash: canonical.RecordHash(q.Raw)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	o.qmu.Lock()
	o.quarantine = idx
	o.qmu.Unlock()
	return nil
}

// retryQuarantined applies the active mapping to the object's records that
// an older mapping version quarantined. Each batch releases the records it
// retried and, atomically, appends the events of those that now map and
// quarantines the others again under the active version (so they are not
// retried until the mapping changes again). Records that could not be read
// at all (no field errors) wait for their source to be fixed instead.
func (o *objectSync) retryQuarantined(ctx context.Context) error {
	var b Batch
	retried, released := 0, 0
	flush := func() error {
		if len(b.Resolved) == 0 {
			return nil
		}
		res, err := o.m.store.Append(ctx, o.tenant, b)
		if err != nil {
			return fmt.Errorf("release quarantined records: %w", err)
		}
		o.rep.Events += res.Appended
		o.rep.Duplicates += res.Duplicates
		o.rep.Resolved += len(b.Events)
		o.m.metrics.add("appended", res.Appended)
		o.m.metrics.add("resolved", len(b.Events))
		b = Batch{}
		return nil
	}
	retry1 := func(q QuarantinedRecord) error {
		if q.MappingVersion >= o.mv.Version || len(q.Errors) == 0 {
			return nil
		}
		retried++
		meta := o.meta
		meta.RecordID = q.RecordID
		ev, ferrs := o.mapper.Apply(q.Raw, meta)
		if len(ferrs) > 0 && !o.strict {
			var issues []canonical.FieldError
			if issues, ferrs = o.mapper.Tolerate(q.Raw, &ev, ferrs); len(issues) > 0 {
				b.Quality = append(b.Quality, qualityIssues(&ev, o.s.conn.ID, o.mv.Object, o.mv.Version, o.m.opts.Now().UTC(), issues)...)
			}
		}
		b.Resolved = append(b.Resolved, q.ID)
		if len(ferrs) == 0 {
			released++
			b.Events = append(b.Events, ev)
		} else {
			nq := o.fieldQuarantine(q.RecordID, q.Raw, ferrs)
			nq.ConnectionID, nq.Object, nq.MappingVersion, nq.CreatedAt = q.ConnectionID, q.Object, o.mv.Version, q.CreatedAt
			b.Quarantine = append(b.Quarantine, nq)
		}
		if len(b.Resolved) >= o.m.opts.BatchSize {
			return flush()
		}
		return nil
	}
	err := o.pageQuarantine(ctx, func(qs []QuarantinedRecord) error {
		for _, q := range qs {
			if err := retry1(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := flush(); err != nil {
		return err
	}
	if retried > 0 {
		o.m.log.InfoContext(ctx, "aam: quarantined records retried", "tenant", o.tenant, "connection", o.s.conn.ID,
			"object", o.mv.Object, "mapping_version", o.mv.Version, "retried", retried, "released", released)
		o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: o.s.conn.ID, Object: o.mv.Object, Stage: StageQuarantine,
			Count: released, Errors: retried - released, TraceID: o.trace,
			Message: fmt.Sprintf("retried %d quarantined records with mapping version %d: %d released, %d still failing", retried, o.mv.Version, released, retried-released)})
	}
	return nil
}
