package aam

import (
	"context"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
)

// MaxQualityValue bounds the raw value text kept with a data-quality issue
// (bytes); longer values are cut at a rune boundary and marked with "…".
const MaxQualityValue = 1024

// QualityIssue is a value of an optional field that did not coerce: the
// record became an event without that field, and the raw value is kept in
// the event's extras and here. One issue is kept per (connection, object,
// record, field, value), so reading a record again adds nothing.
type QualityIssue struct {
	// ID is assigned by the store.
	ID           int64     `json:"id"`
	ConnectionID uuid.UUID `json:"connection_id"`
	Object       string    `json:"object"`
	RecordID     string    `json:"record_id"`
	// Field is the canonical field; Source the source field it maps from.
	Field  string `json:"field"`
	Source string `json:"source"`
	// Value is the raw value as text (at most MaxQualityValue bytes).
	Value string `json:"value"`
	// Reason says why the value was refused.
	Reason string `json:"reason"`
	// EventID is the event emitted without the field.
	EventID        string    `json:"event_id"`
	MappingVersion int       `json:"mapping_version"`
	CreatedAt      time.Time `json:"created_at"`
}

// Validate checks what every store needs: a connection id, an object, a
// record id, a field and a reason; value within MaxQualityValue. Errors
// wrap ErrInvalid.
func (q *QualityIssue) Validate() error {
	switch {
	case q.ConnectionID == uuid.Nil:
		return fmt.Errorf("%w: quality issue: connection id is the nil uuid", ErrInvalid)
	case q.Object == "":
		return fmt.Errorf("%w: quality issue: object is empty", ErrInvalid)
	case q.RecordID == "":
		return fmt.Errorf("%w: quality issue: record id is empty", ErrInvalid)
	case q.Field == "":
		return fmt.Errorf("%w: quality issue: field is empty", ErrInvalid)
	case q.Reason == "":
		return fmt.Errorf("%w: quality issue: reason is empty", ErrInvalid)
	case len(q.Value) > MaxQualityValue+len("…"):
		return fmt.Errorf("%w: quality issue: value is longer than %d bytes", ErrInvalid, MaxQualityValue)
	}
	return nil
}

// QualityFilter narrows QualityIssues; zero fields do not filter.
type QualityFilter struct {
	ConnectionID uuid.UUID
	Object       string
	// Limit caps the number of issues returned; 0 means no cap.
	Limit int
}

// QualityStore keeps the data-quality issues per tenant. Issues are
// written by EventLog.Append with the batch whose events they belong to
// (Batch.Quality), in the same transaction.
type QualityStore interface {
	// QualityIssues lists the tenant's issues, oldest first.
	QualityIssues(ctx context.Context, tenant uuid.UUID, f QualityFilter) ([]QualityIssue, error)
}

// QualityPolicy says what the pipeline does with a record whose optional
// fields hold values that do not coerce.
type QualityPolicy string

// The quality policies.
const (
	// QualityLenient (the default): the record becomes an event without
	// those fields, the raw values go to the event's extras, and each is
	// recorded as a QualityIssue. Required fields still quarantine.
	QualityLenient QualityPolicy = "lenient"
	// QualityStrict: any field error quarantines the record.
	QualityStrict QualityPolicy = "strict"
)

// qualityIssues turns tolerated field errors into issues for ev.
func qualityIssues(ev *canonical.Event, conn uuid.UUID, object string, version int, now time.Time, ferrs []canonical.FieldError) []QualityIssue {
	out := make([]QualityIssue, 0, len(ferrs))
	for _, fe := range ferrs {
		var v string
		if raw, ok := ev.Extras[fe.Source]; ok && raw != nil {
			v = fmt.Sprint(raw)
		}
		out = append(out, QualityIssue{ConnectionID: conn, Object: object, RecordID: ev.Source.RecordID,
			Field: fe.Field, Source: fe.Source, Value: clipValue(v), Reason: fe.Reason, EventID: ev.EventID,
			MappingVersion: version, CreatedAt: now})
	}
	return out
}

// clipValue cuts s to MaxQualityValue bytes at a rune boundary.
func clipValue(s string) string {
	if len(s) <= MaxQualityValue {
		return s
	}
	cut := MaxQualityValue
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// QualityIssues lists the tenant's data-quality issues (see QualityStore).
// Errors wrap ErrInvalid for a negative limit, and the store's errors.
func (m *Mesh) QualityIssues(ctx context.Context, tenant uuid.UUID, f QualityFilter) ([]QualityIssue, error) {
	if f.Limit < 0 {
		return nil, fmt.Errorf("%w: quality issues: negative limit", ErrInvalid)
	}
	qs, err := m.store.QualityIssues(ctx, tenant, f)
	if err != nil {
		return nil, fmt.Errorf("aam: quality issues: %w", err)
	}
	return qs, nil
}

// strict reports whether the tenant's policy is QualityStrict.
func (m *Mesh) strict(tenant uuid.UUID) bool {
	return m.opts.QualityPolicy != nil && m.opts.QualityPolicy(tenant) == QualityStrict
}

// profile returns the object's latest schema snapshot, whose sample values
// decide column units and decimal marks once per column (nil when the
// object was never observed).
func (o *objectSync) profile(ctx context.Context) (*canonical.SourceSchema, error) {
	snap, err := o.m.store.LatestSnapshot(ctx, o.tenant, o.s.conn.ID, o.mv.Object)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("schema snapshot: %w", err)
	}
	return &snap.Schema, nil
}
