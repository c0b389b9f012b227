package aam

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// SyncReport says what one Sync did.
type SyncReport struct {
	TenantID     uuid.UUID `json:"tenant_id"`
	ConnectionID uuid.UUID `json:"connection_id"`
	// TraceID is shared by the sync's events (meta.trace_id) and flow
	// events.
	TraceID   string    `json:"trace_id"`
	StartedAt time.Time `json:"started_at"`
	// Duration is the whole sync's wall time.
	Duration time.Duration `json:"duration"`
	// Objects has one report per mapped object, in mapping order.
	Objects []ObjectReport `json:"objects"`
}

// ObjectReport says what Sync did for one mapped source object.
type ObjectReport struct {
	Object         string `json:"object"`
	Entity         string `json:"entity"`
	MappingVersion int    `json:"mapping_version"`
	// Read counts the records read from the source (a record read again
	// after a retry counts again).
	Read int `json:"read"`
	// Events counts the events appended (new to the stream).
	Events int `json:"events"`
	// Duplicates counts events already in the stream (unchanged records
	// read again), which were skipped.
	Duplicates int `json:"duplicates"`
	// Quarantined counts records newly set aside, with a reason.
	Quarantined int `json:"quarantined"`
	// Resolved counts quarantined records that became events (after a
	// mapping change or a fix at the source).
	Resolved int `json:"resolved"`
	// QualityIssues counts optional-field values that did not coerce: the
	// records became events without them (see QualityIssue).
	QualityIssues int `json:"quality_issues"`
	// Restarted is true when the saved cursor was refused (the source was
	// rewritten) and the object was read again from its start.
	Restarted bool `json:"restarted,omitempty"`
	// ChangeModel is the object's change model as its connector declared
	// it (connectors.ChangeModel); empty when discovery failed.
	ChangeModel string `json:"change_model,omitempty"`
	// FullPass is true when this sync read the object completely from the
	// empty cursor: a full snapshot, whose vanished records are deleted.
	FullPass bool `json:"full_pass,omitempty"`
	// Deleted counts delete events appended: records the source reported
	// deleted, and records a full pass no longer found.
	Deleted int `json:"deleted"`
	// DeletesWithheld says why the records a full pass no longer found
	// were not deleted (the safety limit, records without an id, an
	// unknown change model); empty when they were, or none vanished.
	DeletesWithheld string `json:"deletes_withheld,omitempty"`
	// Errors lists what went wrong, secrets masked.
	Errors   []string      `json:"errors,omitempty"`
	Duration time.Duration `json:"duration"`
}

// Total returns the sum of the object reports' counts (Object and Entity
// empty, MappingVersion 0, Errors concatenated, Duration the sync's).
func (r SyncReport) Total() ObjectReport {
	t := ObjectReport{Duration: r.Duration}
	for _, o := range r.Objects {
		t.Read += o.Read
		t.Events += o.Events
		t.Duplicates += o.Duplicates
		t.Quarantined += o.Quarantined
		t.Resolved += o.Resolved
		t.Deleted += o.Deleted
		t.QualityIssues += o.QualityIssues
		t.Restarted = t.Restarted || o.Restarted
		t.Errors = append(t.Errors, o.Errors...)
	}
	return t
}

// Sync ingests one connection: for each source object with an active
// mapping, in mapping order, it
//
//  1. retries the object's quarantined records that an older mapping
//     version refused, with the active mapping, releasing those that now
//     map and quarantining the others again under the active version;
//  2. reads the source from the object's saved cursor, maps, coerces and
//     validates every record (canonical.Mapper), and sets aside records that
//     fail — with the reason and the raw record — in the quarantine;
//  3. commits every Options.BatchSize records as one Batch: the new events
//     (stamped with the sync's trace id and the mapping version), the
//     quarantined records and the cursor after the last of them, atomically.
//
// A pass that started at the empty cursor and completed deletes the live
// records it did not read (see the package documentation on change models;
// opts may carry ConfirmDeletes), and records the source reports deleted
// become delete events.
//
// Because a cursor is only saved together with the events before it, and the
// stream appends only changes of a record's latest version, a sync stopped at any point (cancelled,
// crashed) loses nothing and duplicates nothing: the next one resumes at the
// last committed batch and re-reads at most one batch, whose events the
// stream recognises. A saved cursor the source refuses
// (connectors.ErrInvalidCursor: a rewritten file) restarts the object from
// its beginning, with the same guarantee.
//
// Transient source errors are retried with back-off (Options.Retry),
// resuming from the last committed cursor, through the connection's
// circuit breaker (Options.Breaker). Flow events are published per batch and
// per object (see Stage).
//
// The report is returned even with an error and holds what was done. An
// object that fails does not stop the others, except on cancellation and
// an open breaker. Errors wrap ErrNotFound (no such connection),
// ErrBreakerOpen, the context's error, the connector's errors (secret
// values masked) and the store's; Syncs of one connection run one at a
// time, in one Mesh and, through the store's lease, across processes.
func (m *Mesh) Sync(ctx context.Context, tenant, connection uuid.UUID, opts ...SyncOption) (SyncReport, error) {
	var cfg syncConfig
	for _, o := range opts {
		o(&cfg)
	}
	start := m.opts.Now()
	rep := SyncReport{TenantID: tenant, ConnectionID: connection, TraceID: uuid.NewString(), StartedAt: start.UTC(), Objects: []ObjectReport{}}
	release, err := m.acquire(ctx, runKey{"sync", connection})
	if err != nil {
		return rep, fmt.Errorf("aam: sync connection %s: %w", connection, err)
	}
	defer release()
	lease, err := m.store.AcquireLease(ctx, tenant, connection)
	if err != nil {
		return rep, fmt.Errorf("aam: sync connection %s: lease: %w", connection, err)
	}
	defer func() {
		if err := lease.Release(); err != nil {
			m.log.WarnContext(ctx, "aam: release sync lease", "connection", connection, "error", err)
		}
	}()
	s, err := m.open(ctx, tenant, connection)
	if err != nil {
		return rep, fmt.Errorf("aam: sync: %w", err)
	}
	defer s.close()
	mvs, err := m.Mappings(ctx, tenant, connection)
	if err != nil {
		return rep, fmt.Errorf("aam: sync connection %q: %w", s.conn.Name, err)
	}
	m.log.InfoContext(ctx, "aam: sync started", "tenant", tenant, "connection", connection, "name", s.conn.Name, "objects", len(mvs), "trace_id", rep.TraceID)
	var cat *connectors.Catalog
	if len(mvs) > 0 {
		cat = m.changeModels(ctx, s)
	}
	var errs []error
	for _, mv := range mvs {
		job := &objectSync{m: m, s: s, tenant: tenant, mv: mv, trace: rep.TraceID, confirm: cfg.confirmDeletes, full: cfg.full, lease: lease.Token()}
		job.model, job.modelKnown = modelOf(cat, mv.Object)
		err := job.run(ctx)
		rep.Objects = append(rep.Objects, job.rep)
		if err != nil {
			errs = append(errs, fmt.Errorf("object %q: %w", mv.Object, err))
			if ctx.Err() != nil || errors.Is(err, ErrBreakerOpen) {
				break
			}
		}
	}
	rep.Duration = m.opts.Now().Sub(start)
	t := rep.Total()
	m.log.InfoContext(ctx, "aam: sync finished", "tenant", tenant, "connection", connection, "trace_id", rep.TraceID,
		"read", t.Read, "events", t.Events, "duplicates", t.Duplicates, "quarantined", t.Quarantined, "resolved", t.Resolved, "deleted", t.Deleted,
		"errors", len(errs), "duration", rep.Duration)
	switch len(errs) {
	case 0:
		return rep, nil
	case 1:
		return rep, fmt.Errorf("aam: sync connection %q: %w", s.conn.Name, errs[0])
	}
	return rep, fmt.Errorf("aam: sync connection %q: %w", s.conn.Name, errors.Join(errs...))
}

// objectSync is the sync of one mapped object.
type objectSync struct {
	m      *Mesh
	s      *session
	tenant uuid.UUID
	mv     MappingVersion
	trace  string
	rep    ObjectReport

	mapper *canonical.Mapper
	meta   canonical.RecordMeta
	strict bool // the tenant's QualityStrict policy
	// quarantine indexes the object's quarantined records by record id,
	// to release them when their record maps and to avoid quarantining
	// the same content twice. The reader consults it, the committer
	// removes released records from it; qmu guards it.
	qmu        sync.Mutex
	quarantine map[string][]quarantined
	// committed is the cursor of the last committed batch.
	committed string

	// model is the object's change model; modelKnown is false when
	// discovery failed (then no deletes are computed).
	model      connectors.ChangeModel
	modelKnown bool
	// full asks for a pass from the empty cursor (FullPass, or one
	// scheduled by Options.FullPassEvery).
	full bool
	// started is when the object's sync started: a full pass it completes
	// is recorded as of then.
	started time.Time
	// confirm lifts the delete safety limit (ConfirmDeletes).
	confirm bool
	// lease is the fencing token every checkpoint is written with.
	lease int64
	// pass tracks the record ids of the current read pass.
	pass passState
}

type quarantined struct {
	id   int64
	hash string
}

func (o *objectSync) run(ctx context.Context) (err error) {
	start := o.m.opts.Now()
	o.rep = ObjectReport{Object: o.mv.Object, Entity: o.mv.Mapping.Entity, MappingVersion: o.mv.Version}
	if o.modelKnown {
		o.rep.ChangeModel = string(o.model)
	}
	defer func() {
		o.rep.Duration = o.m.opts.Now().Sub(start)
		msg := ""
		if err != nil {
			err = o.s.redact(err)
			msg = err.Error()
			o.rep.Errors = append(o.rep.Errors, msg)
		}
		o.m.publish(ctx, FlowEvent{TenantID: o.tenant, ConnectionID: o.s.conn.ID, Object: o.mv.Object, Stage: StageSync,
			Count: o.rep.Events, Errors: o.rep.Quarantined, LatencyMS: ms(o.rep.Duration), TraceID: o.trace, Message: msg})
		if o.m.metrics != nil {
			outcome := "ok"
			if err != nil {
				outcome = "error"
			}
			o.m.metrics.syncSeconds.WithLabelValues(outcome).Observe(o.rep.Duration.Seconds())
		}
	}()
	profile, err := o.profile(ctx)
	if err != nil {
		return err
	}
	o.strict = o.m.strict(o.tenant)
	o.mapper, err = canonical.NewMapper(o.m.canon, o.mv.Mapping, &canonical.MapperOptions{DefaultRegion: o.m.opts.DefaultRegion, Now: o.m.opts.Now, Profile: profile})
	if err != nil {
		return fmt.Errorf("mapping version %d: %w", o.mv.Version, err)
	}
	system := o.mv.Mapping.System
	if system == "" {
		system = o.s.conn.Type
	}
	o.meta = canonical.RecordMeta{TenantID: o.tenant.String(), ConnectionID: o.s.conn.ID.String(), System: system, Object: o.mv.Object, TraceID: o.trace}
	if err := o.retryQuarantined(ctx); err != nil {
		return err
	}
	if err := o.loadQuarantine(ctx); err != nil {
		return err
	}
	cur, err := o.m.store.Checkpoint(ctx, o.tenant, o.s.conn.ID, o.mv.Object)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	o.committed = string(cur)
	o.started = start
	if err := o.scheduleFullPass(ctx); err != nil {
		return err
	}
	if o.full && o.modelKnown && o.model != connectors.ChangeCDC {
		o.committed = ""
	}
	if err := o.ingest(ctx); err != nil {
		return err
	}
	return o.finishPass(ctx)
}
