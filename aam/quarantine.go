package aam

import (
	"context"
	"fmt"

	"github.com/autonomos/autonomos/canonical"
)

// loadQuarantine indexes the object's quarantined records.
func (o *objectSync) loadQuarantine(ctx context.Context) error {
	qs, err := o.m.store.Quarantined(ctx, o.tenant, o.s.conn.ID, o.mv.Object)
	if err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	idx := make(map[string][]quarantined, len(qs))
	for _, q := range qs {
		idx[q.RecordID] = append(idx[q.RecordID], quarantined{id: q.ID, hash: canonical.RecordHash(q.Raw)})
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
	qs, err := o.m.store.Quarantined(ctx, o.tenant, o.s.conn.ID, o.mv.Object)
	if err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
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
	for _, q := range qs {
		if q.MappingVersion >= o.mv.Version || len(q.Errors) == 0 {
			continue
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
			if err := flush(); err != nil {
				return err
			}
		}
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
