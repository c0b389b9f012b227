package aam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// Errors of the aam package and of every storage adapter behind it; test
// with errors.Is. Adapters translate their backend's errors to these in one
// place.
var (
	// ErrNotFound: the tenant, connection, mapping, snapshot or record does
	// not exist (for this tenant).
	ErrNotFound = errors.New("aam: not found")
	// ErrConflict: an optimistic-concurrency check failed (a stale mapping
	// version) or a unique name is taken.
	ErrConflict = errors.New("aam: conflict")
	// ErrInvalid: an argument failed validation.
	ErrInvalid = errors.New("aam: invalid argument")
	// ErrStaleLease: a checkpoint was written under a sync lease another
	// writer has taken since; it wraps ErrConflict.
	ErrStaleLease = fmt.Errorf("%w: the sync lease was taken by another writer", ErrConflict)
)

// Tenant is a tenant as the mesh knows it.
type Tenant struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

// TenantStore creates and finds tenants. It runs outside any tenant's
// scope (system access).
type TenantStore interface {
	// CreateTenant creates a tenant with a new id; a taken name wraps
	// ErrConflict.
	CreateTenant(ctx context.Context, name string) (Tenant, error)
	// TenantByName finds a tenant; ErrNotFound if there is none.
	TenantByName(ctx context.Context, name string) (Tenant, error)
	// Tenants lists every tenant, ordered by name.
	Tenants(ctx context.Context) ([]Tenant, error)
}

// Connection is a configured source of one tenant. Config holds the
// non-secret parameters in clear; SealedSecrets holds the secret ones,
// encrypted by the mesh (adapters store the bytes as given and never see
// clear secrets).
type Connection struct {
	ID            uuid.UUID         `json:"id"`
	TenantID      uuid.UUID         `json:"tenant_id"`
	Name          string            `json:"name"`
	Type          string            `json:"type"`
	Config        connectors.Config `json:"config"`
	SealedSecrets []byte            `json:"-"`
	CreatedAt     time.Time         `json:"created_at"`
	UpdatedAt     time.Time         `json:"updated_at"`
}

// ConnectionStore keeps connections per tenant.
type ConnectionStore interface {
	// CreateConnection stores c (ID set by the caller); a name already used
	// by the tenant wraps ErrConflict.
	CreateConnection(ctx context.Context, tenant uuid.UUID, c Connection) error
	// UpdateConnection replaces the name, config and sealed secrets of an
	// existing connection; ErrNotFound if it does not exist.
	UpdateConnection(ctx context.Context, tenant uuid.UUID, c Connection) error
	// DeleteConnection removes a connection; ErrNotFound if absent.
	DeleteConnection(ctx context.Context, tenant, id uuid.UUID) error
	// Connection returns one connection; ErrNotFound if absent.
	Connection(ctx context.Context, tenant, id uuid.UUID) (Connection, error)
	// Connections lists the tenant's connections by name.
	Connections(ctx context.Context, tenant uuid.UUID) ([]Connection, error)
}

// MappingKey names the mapping of one source object of one connection.
type MappingKey struct {
	ConnectionID uuid.UUID `json:"connection_id"`
	Object       string    `json:"object"`
}

// MappingVersion is one stored version of a mapping, with who made it and
// why.
type MappingVersion struct {
	TenantID uuid.UUID `json:"tenant_id"`
	MappingKey
	// Version counts from 1; Mapping.Version equals it.
	Version int               `json:"version"`
	Mapping canonical.Mapping `json:"mapping"`
	// Author is who made the version: a user id, or "system:<component>".
	Author string `json:"author"`
	// Reason says why the version was made.
	Reason string `json:"reason"`
	// Evidence is optional structured support for an automatic change.
	Evidence  json.RawMessage `json:"evidence,omitempty"`
	CreatedAt time.Time       `json:"created_at"`
}

// PutMapping asks for a new mapping version.
type PutMapping struct {
	MappingKey
	// ExpectedVersion is the active version the writer based its change on
	// (0 when it expects no mapping yet). If the active version differs, Put
	// fails with ErrConflict and writes nothing.
	ExpectedVersion int
	Mapping         canonical.Mapping
	Author          string
	Reason          string
	Evidence        json.RawMessage
}

// MappingStore keeps versioned mappings per (tenant, connection, object).
// It is a public extension point; aamtest holds its conformance suite.
// Implementations must be safe for concurrent use.
type MappingStore interface {
	// ActiveMapping returns the newest version; ErrNotFound if none.
	ActiveMapping(ctx context.Context, tenant uuid.UUID, key MappingKey) (MappingVersion, error)
	// PutMapping stores a new version numbered ExpectedVersion+1 and
	// returns it, or fails with ErrConflict when the active version is not
	// ExpectedVersion (a stale writer).
	PutMapping(ctx context.Context, tenant uuid.UUID, req PutMapping) (MappingVersion, error)
	// MappingHistory returns every version of one mapping, oldest first;
	// ErrNotFound if there is none.
	MappingHistory(ctx context.Context, tenant uuid.UUID, key MappingKey) ([]MappingVersion, error)
	// Mappings returns the active version of each of the tenant's
	// mappings, ordered by connection and object.
	Mappings(ctx context.Context, tenant uuid.UUID) ([]MappingVersion, error)
}

// StoredEvent is an event with its position in the tenant's stream.
type StoredEvent struct {
	// Offset increases strictly, in commit order, within a tenant's stream.
	Offset int64 `json:"offset"`
	canonical.Event
}

// Checkpoint is a connector cursor saved for one source object.
type Checkpoint struct {
	ConnectionID uuid.UUID         `json:"connection_id"`
	Object       string            `json:"object"`
	Cursor       connectors.Cursor `json:"cursor"`
	// Lease, when not 0, is the fencing token of the writer's sync lease
	// on the connection (see LeaseStore): the store refuses the whole
	// batch (ErrStaleLease) unless it is still the connection's newest
	// token, so a writer that lost its lease cannot move the cursor back.
	Lease int64 `json:"lease,omitempty"`
	// FullPassAt, when not zero, says this checkpoint ends a full pass of
	// the object that started at FullPassAt; the store keeps it as the
	// object's last full pass (EventLog.LastFullPass). A checkpoint
	// without it keeps the recorded time, and gives an object without one
	// the time of the write (its first pass started about then).
	FullPassAt time.Time `json:"full_pass_at,omitzero"`
}

// QuarantinedRecord is a source record that could not become an event,
// kept with the reason until a mapping change lets it through.
type QuarantinedRecord struct {
	// ID is assigned by the store.
	ID           int64     `json:"id"`
	ConnectionID uuid.UUID `json:"connection_id"`
	Object       string    `json:"object"`
	// RecordID is the source record's id (or its location when it could not
	// be read at all).
	RecordID string `json:"record_id"`
	// Raw is the record as read (for unreadable records: {"raw": text}).
	Raw map[string]any `json:"raw"`
	// Reason says why, in one line; Errors has the field-level detail.
	Reason         string                 `json:"reason"`
	Errors         []QuarantineFieldError `json:"errors,omitempty"`
	MappingVersion int                    `json:"mapping_version"`
	CreatedAt      time.Time              `json:"created_at"`
}

// QuarantineFieldError is a canonical.FieldError in storable form.
type QuarantineFieldError struct {
	Field  string `json:"field"`
	Source string `json:"source,omitempty"`
	Value  string `json:"value,omitempty"`
	Reason string `json:"reason"`
}

// Batch is what one pipeline step commits atomically: new events, records
// to quarantine, quarantined records now resolved, and the cursor to resume
// from. Either all of it is durable or none of it is.
type Batch struct {
	Events     []canonical.Event
	Quarantine []QuarantinedRecord
	// Resolved lists quarantine ids to remove (their records became events
	// in this batch).
	Resolved []int64
	// Checkpoint, when set, is saved in the same transaction.
	Checkpoint *Checkpoint
	// Quality lists the data-quality issues of the batch's events, stored
	// in the same transaction (see QualityStore).
	Quality []QualityIssue
}

// AppendResult says what a Batch changed.
type AppendResult struct {
	// Appended counts events that were new; Duplicates counts events that
	// set the version their record already had — the same content as the
	// record's latest event in the stream (or the event before it in the
	// batch), a delete of a record deleted already or never seen — and were
	// skipped.
	Appended   int
	Duplicates int
	// LastOffset is the tenant's highest offset after the commit.
	LastOffset int64
}

// EventLog is the tenant's append-only canonical stream, with the
// checkpoints and quarantine written in the same transactions. An
// implementation must keep offsets in commit order per tenant (appends of
// one tenant are serialized), so a reader that has seen offset N never
// later finds a smaller new one.
//
// The stream deduplicates against each record's latest version: a record
// (connection, object, record id) is live with the content of its latest
// upsert, or deleted by a later delete. An event is new, and appended, only
// if it changes that: an upsert of a record with no version, a deleted one
// or other content (so A -> B -> A appends A again: event ids name content
// and may repeat), a delete of a live record. Re-reading unchanged records
// therefore appends nothing, which is what makes a resumed sync
// exactly-once. Within a batch, events are taken in order (see
// PlaceEvents).
type EventLog interface {
	// Append commits b atomically for tenant.
	Append(ctx context.Context, tenant uuid.UUID, b Batch) (AppendResult, error)
	// ReadEvents returns up to limit events with offset > after, in offset
	// order; entity filters when non-empty.
	ReadEvents(ctx context.Context, tenant uuid.UUID, after int64, limit int, entity string) ([]StoredEvent, error)
	// Checkpoint returns the saved cursor of a source object, or the empty
	// cursor if none.
	Checkpoint(ctx context.Context, tenant, connection uuid.UUID, object string) (connectors.Cursor, error)
	// LastFullPass returns when the last full pass of a source object
	// started (see Checkpoint.FullPassAt), or the zero time when the
	// object has no checkpoint yet.
	LastFullPass(ctx context.Context, tenant, connection uuid.UUID, object string) (time.Time, error)
	// LiveRecords returns up to limit ids of the records of one source
	// object whose latest version in the stream is live (not deleted), in
	// byte order, after the id after ("" starts at the first); a limit
	// below 1 wraps ErrInvalid. Sync pages through it to find the records a
	// full snapshot no longer has.
	LiveRecords(ctx context.Context, tenant, connection uuid.UUID, object, after string, limit int) ([]string, error)
	// Quarantined lists the quarantined records of one source object (all
	// objects of the connection when object is empty), oldest first.
	Quarantined(ctx context.Context, tenant, connection uuid.UUID, object string) ([]QuarantinedRecord, error)
	// QuarantinePage returns up to limit quarantined records of one source
	// object (all objects of the connection when object is empty) with ids
	// above after, in id order; a limit below 1 wraps ErrInvalid. Sync
	// pages through it, so memory stays bounded however many records are
	// quarantined.
	QuarantinePage(ctx context.Context, tenant, connection uuid.UUID, object string, after int64, limit int) ([]QuarantinedRecord, error)
}

// SchemaSnapshot is one observation of a source object's schema.
type SchemaSnapshot struct {
	ConnectionID uuid.UUID              `json:"connection_id"`
	Object       string                 `json:"object"`
	Fingerprint  string                 `json:"fingerprint"`
	Schema       canonical.SourceSchema `json:"schema"`
	// Records holds a few sample records keyed by record id, used to match
	// renamed fields by their values on the same records.
	Records    map[string]map[string]any `json:"records,omitempty"`
	ObservedAt time.Time                 `json:"observed_at"`
}

// DriftEvent is a detected schema change of a source object, as stored.
type DriftEvent struct {
	ID              uuid.UUID `json:"id"`
	ConnectionID    uuid.UUID `json:"connection_id"`
	Object          string    `json:"object"`
	FromFingerprint string    `json:"from_fingerprint"`
	ToFingerprint   string    `json:"to_fingerprint"`
	// Breaking is true when any change breaks the active mapping.
	Breaking bool `json:"breaking"`
	// Changes is the classified diff (drift.Change values as JSON).
	Changes    json.RawMessage `json:"changes"`
	DetectedAt time.Time       `json:"detected_at"`
}

// SchemaStore keeps schema snapshots and drift events.
type SchemaStore interface {
	// LatestSnapshot returns the newest snapshot; ErrNotFound if none.
	LatestSnapshot(ctx context.Context, tenant, connection uuid.UUID, object string) (SchemaSnapshot, error)
	// SaveSnapshot stores a snapshot, and the drift event when not nil, in
	// one transaction.
	SaveSnapshot(ctx context.Context, tenant uuid.UUID, s SchemaSnapshot, drift *DriftEvent) error
	// DriftEvents lists the tenant's drift events, newest first; connection
	// filters when not uuid.Nil.
	DriftEvents(ctx context.Context, tenant, connection uuid.UUID) ([]DriftEvent, error)
}

// Lease is a held sync lease of one connection.
type Lease interface {
	// Token is the lease's fencing token: larger than every token issued
	// before for the connection.
	Token() int64
	// Release gives the lease up; it is safe to call more than once.
	Release() error
}

// LeaseStore hands out per-connection sync leases, so that one process at
// a time syncs a connection, across every process sharing the store.
type LeaseStore interface {
	// AcquireLease takes the connection's sync lease, waiting while another
	// holder has it (or until ctx ends), and issues a new fencing token.
	// Checkpoints written with an older token are refused (see
	// Checkpoint.Lease).
	AcquireLease(ctx context.Context, tenant, connection uuid.UUID) (Lease, error)
}

// Store is everything the mesh persists. Each backend (PostgreSQL for
// production, the DuckDB control store for local mode) provides one value
// implementing every role.
type Store interface {
	TenantStore
	ConnectionStore
	MappingStore
	EventLog
	SchemaStore
	ReviewStore
	LeaseStore
	QualityStore
}
