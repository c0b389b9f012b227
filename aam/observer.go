package aam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/drift"
)

// errSampled stops a sample read once enough records are in.
var errSampled = errors.New("aam: sample complete")

// Observe discovers the connection's source objects now and records schema
// drift. For each object of the catalog it fingerprints the schema
// (drift.Fingerprint) and reads up to Options.SampleRecords records from the
// start, to recognise renamed fields by their values on the same records.
// The first observation of an object stores a snapshot only. A changed
// fingerprint stores the new snapshot together with a drift event: the
// drift.Diff against the previous snapshot (fields added, removed, retyped,
// renamed with rename candidates), classified breaking or not against the
// object's active mapping (drift.Classify). A mapped object that is gone
// from the catalog drifts to an empty schema. Each drift event is published
// (StageDrift) and, when breaking and Options.Repairer is set, handed to it.
//
// It returns the drift events recorded, oldest first. Objects are observed
// independently: a failing one does not stop the others and its error is
// returned, joined, with the events of the rest. Discover goes through the
// connection's retries and circuit breaker (so errors may wrap
// ErrBreakerOpen); other errors wrap ErrNotFound (no such connection), the
// context's error and the store's. Observes of one connection in one Mesh
// run one at a time.
func (m *Mesh) Observe(ctx context.Context, tenant, connection uuid.UUID) ([]DriftEvent, error) {
	start := m.opts.Now()
	release, err := m.acquire(ctx, runKey{"observe", connection})
	if err != nil {
		return nil, fmt.Errorf("aam: observe connection %s: %w", connection, err)
	}
	defer release()
	s, err := m.open(ctx, tenant, connection)
	if err != nil {
		return nil, fmt.Errorf("aam: observe: %w", err)
	}
	defer s.close()
	var cat *connectors.Catalog
	err = m.retry(ctx, s, "discover", func() error {
		var err error
		cat, err = s.c.Discover(ctx)
		return err
	})
	if err != nil {
		err = fmt.Errorf("aam: observe connection %q: discover: %w", s.conn.Name, s.redact(err))
		m.publish(ctx, FlowEvent{TenantID: tenant, ConnectionID: connection, Stage: StageObserve, Errors: 1, Message: err.Error()})
		return nil, err
	}
	if cat == nil {
		cat = &connectors.Catalog{}
	}
	mvs, err := m.Mappings(ctx, tenant, connection)
	if err != nil {
		return nil, fmt.Errorf("aam: observe connection %q: %w", s.conn.Name, err)
	}
	active := make(map[string]MappingVersion, len(mvs))
	for _, mv := range mvs {
		active[mv.Object] = mv
	}
	objects := append([]connectors.Object(nil), cat.Objects...)
	seen := make(map[string]bool, len(objects))
	for _, o := range objects {
		seen[o.Schema.Object] = true
	}
	for _, mv := range mvs {
		if !seen[mv.Object] {
			objects = append(objects, connectors.Object{Schema: canonical.SourceSchema{System: s.conn.Type, Object: mv.Object, Fields: []canonical.SourceField{}}})
		}
	}
	var events []DriftEvent
	var errs []error
	for _, o := range objects {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		mv, mapped := active[o.Schema.Object]
		ev, err := m.observeObject(ctx, s, tenant, o, seen[o.Schema.Object], mv, mapped)
		if err != nil {
			errs = append(errs, fmt.Errorf("object %q: %w", o.Schema.Object, s.redact(err)))
			continue
		}
		if ev != nil {
			events = append(events, *ev)
		}
	}
	var msg string
	if len(errs) > 0 {
		err = fmt.Errorf("aam: observe connection %q: %w", s.conn.Name, errors.Join(errs...))
		msg = err.Error()
	}
	m.publish(ctx, FlowEvent{TenantID: tenant, ConnectionID: connection, Stage: StageObserve, Count: len(objects), Errors: len(errs),
		LatencyMS: ms(m.opts.Now().Sub(start)), Message: fmt.Sprintf("%d drift events%s", len(events), prefixed("; ", msg))})
	return events, err
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// observeObject snapshots one object and records its drift, if any; it
// returns the drift event recorded, or nil.
func (m *Mesh) observeObject(ctx context.Context, s *session, tenant uuid.UUID, o connectors.Object, present bool, mv MappingVersion, mapped bool) (*DriftEvent, error) {
	schema := o.Schema
	if schema.System == "" {
		schema.System = s.conn.Type
	}
	snap := SchemaSnapshot{ConnectionID: s.conn.ID, Object: schema.Object, Fingerprint: drift.Fingerprint(schema), Schema: schema, ObservedAt: m.opts.Now().UTC()}
	if present {
		snap.Records = m.sample(ctx, s, schema.Object)
	}
	prev, err := m.store.LatestSnapshot(ctx, tenant, s.conn.ID, schema.Object)
	if errors.Is(err, ErrNotFound) {
		if !present {
			return nil, nil // never seen, and gone: nothing to compare
		}
		if err := m.store.SaveSnapshot(ctx, tenant, snap, nil); err != nil {
			return nil, fmt.Errorf("save snapshot: %w", err)
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest snapshot: %w", err)
	}
	if prev.Fingerprint == snap.Fingerprint {
		return nil, nil
	}
	diff := drift.Diff(drift.Snapshot{Schema: prev.Schema, Records: prev.Records}, drift.Snapshot{Schema: snap.Schema, Records: snap.Records})
	var mapping *canonical.Mapping
	if mapped {
		mapping = &mv.Mapping
	}
	diff, err = drift.Classify(diff, mapping, m.canon)
	if err != nil {
		return nil, fmt.Errorf("classify drift: %w", err)
	}
	changes, err := json.Marshal(diff.Changes)
	if err != nil {
		return nil, fmt.Errorf("encode drift: %w", err)
	}
	ev := DriftEvent{ID: uuid.New(), ConnectionID: s.conn.ID, Object: schema.Object, FromFingerprint: prev.Fingerprint, ToFingerprint: snap.Fingerprint,
		Breaking: diff.Breaking(), Changes: changes, DetectedAt: snap.ObservedAt}
	if err := m.store.SaveSnapshot(ctx, tenant, snap, &ev); err != nil {
		return nil, fmt.Errorf("save snapshot and drift: %w", err)
	}
	summary := summarize(diff)
	m.log.InfoContext(ctx, "aam: schema drift", "tenant", tenant, "connection", s.conn.ID, "object", schema.Object, "breaking", ev.Breaking, "changes", summary)
	errCount := 0
	if ev.Breaking {
		errCount = 1
	}
	m.publish(ctx, FlowEvent{TenantID: tenant, ConnectionID: s.conn.ID, Object: schema.Object, Stage: StageDrift, Count: len(diff.Changes), Errors: errCount, Message: summary})
	if m.metrics != nil {
		m.metrics.drift.WithLabelValues(fmt.Sprint(ev.Breaking)).Inc()
	}
	if ev.Breaking && mapped && m.opts.Repairer != nil {
		req := RepairRequest{TenantID: tenant, Connection: s.conn, Mapping: mv, Event: ev, Diff: diff, Previous: prev, Current: snap}
		if err := m.opts.Repairer.Repair(ctx, req); err != nil {
			m.log.WarnContext(ctx, "aam: repair of drift failed", "tenant", tenant, "connection", s.conn.ID, "object", schema.Object, "drift", ev.ID, "error", err)
			m.publish(ctx, FlowEvent{TenantID: tenant, ConnectionID: s.conn.ID, Object: schema.Object, Stage: StageDrift, Errors: 1, Message: "repair failed: " + s.redact(err).Error()})
		}
	}
	return &ev, nil
}

// summarize describes a classified diff in one line:
// "renamed Email -> EmailAddress (breaking); added Notes".
func summarize(d drift.SchemaDiff) string {
	parts := make([]string, 0, len(d.Changes))
	for _, c := range d.Changes {
		var p string
		switch c.Kind {
		case drift.KindRenamed:
			p = fmt.Sprintf("renamed %s -> %s", c.Field, c.NewField)
		case drift.KindRetyped:
			p = fmt.Sprintf("retyped %s %s -> %s", c.Field, c.OldType, c.NewType)
		case drift.KindRemoved:
			p = "removed " + c.Field
			if len(c.Candidates) > 0 {
				p += fmt.Sprintf(" (rename candidate %s)", c.Candidates[0].Field)
			}
		default:
			p = string(c.Kind) + " " + c.Field
		}
		if c.Breaking {
			p += " (breaking)"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

// sample reads up to Options.SampleRecords good records of an object from
// its start, keyed by record id. A failing read gives what it got so far:
// samples only sharpen rename detection.
func (m *Mesh) sample(ctx context.Context, s *session, object string) map[string]map[string]any {
	n := m.opts.SampleRecords
	if n == 0 {
		return nil
	}
	recs := make(map[string]map[string]any, n)
	err := m.call(s.conn.ID, func() error {
		err := s.c.Read(ctx, connectors.ReadRequest{Object: object}, func(r connectors.Record) error {
			if r.Err == nil && r.ID != "" {
				recs[r.ID] = r.Fields
			}
			if len(recs) >= n {
				return &internalError{err: errSampled}
			}
			return nil
		})
		if errors.Is(err, errSampled) {
			return nil
		}
		return err
	})
	if err != nil {
		m.log.WarnContext(ctx, "aam: reading sample records failed", "connection", s.conn.ID, "object", object, "error", s.redact(err))
	}
	if len(recs) == 0 {
		return nil
	}
	return recs
}

// RunObserver observes every connection of the tenants listed by tenants
// (called before every round, so new tenants are picked up) at once and
// then every Options.ObserveInterval, until ctx is done; then it returns
// nil. A failing tenant or connection is logged and published (StageObserve)
// and does not stop the others. It returns an error wrapping ErrInvalid only
// when tenants is nil. Run it in its own goroutine; it returns once its work
// has stopped.
func (m *Mesh) RunObserver(ctx context.Context, tenants func(context.Context) ([]uuid.UUID, error)) error {
	if tenants == nil {
		return fmt.Errorf("%w: run observer: tenants func is nil", ErrInvalid)
	}
	t := time.NewTicker(m.opts.ObserveInterval)
	defer t.Stop()
	for {
		m.observeAll(ctx, tenants)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (m *Mesh) observeAll(ctx context.Context, tenants func(context.Context) ([]uuid.UUID, error)) {
	ids, err := tenants(ctx)
	if err != nil {
		if ctx.Err() == nil {
			m.log.ErrorContext(ctx, "aam: observer: listing tenants failed", "error", err)
		}
		return
	}
	for _, tenant := range ids {
		cs, err := m.store.Connections(ctx, tenant)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			m.log.ErrorContext(ctx, "aam: observer: listing connections failed", "tenant", tenant, "error", err)
			m.publish(ctx, FlowEvent{TenantID: tenant, Stage: StageObserve, Errors: 1, Message: "listing connections failed: " + err.Error()})
			continue
		}
		for _, c := range cs {
			if ctx.Err() != nil {
				return
			}
			if _, err := m.Observe(ctx, tenant, c.ID); err != nil && ctx.Err() == nil {
				m.log.WarnContext(ctx, "aam: observer: observe failed", "tenant", tenant, "connection", c.ID, "error", err)
			}
		}
	}
}
