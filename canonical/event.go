package canonical

import (
	"encoding/binary"
	"time"

	"github.com/google/uuid"
)

// Op is what an event does to its canonical record.
type Op string

// The event operations.
const (
	// OpUpsert creates or replaces the record with the event's data.
	OpUpsert Op = "upsert"
	// OpDelete removes the record; data may be partial or empty.
	OpDelete Op = "delete"
)

// Valid reports whether op is OpUpsert or OpDelete.
func (op Op) Valid() bool { return op == OpUpsert || op == OpDelete }

// Event is one normalized record as published to the canonical stream. Its
// JSON form is the event shape of the canonical schema document.
//
// Data values are the normalized Go values of their field types (see
// Coerce): string, int64, bool, decimal.Decimal (JSON: a string, exact),
// CivilDate (JSON: "YYYY-MM-DD") and time.Time in UTC (JSON: RFC 3339).
// Registry.DecodeEvent turns an event's JSON back into those Go values.
type Event struct {
	// EventID is a UUID derived from the record's identity (see EventID):
	// the same source content gives the same id.
	EventID string `json:"event_id"`
	// Entity is the canonical entity name.
	Entity string `json:"entity"`
	// Op is OpUpsert or OpDelete.
	Op Op `json:"op"`
	// Data maps canonical field names of Entity to normalized values.
	Data map[string]any `json:"data"`
	// Extras keeps the source fields no mapping used, as read; optional.
	Extras map[string]any `json:"extras,omitempty"`
	// Meta is about the event's production.
	Meta EventMeta `json:"meta"`
	// Source is about the record the event came from.
	Source EventSource `json:"source"`
}

// EventMeta says how an event was produced.
type EventMeta struct {
	// TenantID is the owning tenant's UUID.
	TenantID string `json:"tenant_id"`
	// TraceID correlates the event with the sync or request that made it.
	TraceID string `json:"trace_id,omitempty"`
	// MappingVersion is the version of the mapping applied.
	MappingVersion int `json:"mapping_version"`
	// SchemaVersion is the canonical schema version (SchemaVersion).
	SchemaVersion int `json:"schema_version"`
	// EmittedAt is when the event was produced, in UTC.
	EmittedAt time.Time `json:"emitted_at"`
}

// EventSource identifies the source record of an event.
type EventSource struct {
	// System is the source system's kind, e.g. "salesforce".
	System string `json:"system"`
	// ConnectionID is the UUID of the connection the record was read from.
	ConnectionID string `json:"connection_id"`
	// Object is the source object, e.g. "Account".
	Object string `json:"object"`
	// RecordID is the record's id in the source.
	RecordID string `json:"record_id"`
	// RecordHash is RecordHash of the source record's fields, used for
	// idempotency.
	RecordHash string `json:"record_hash"`
}

// eventNamespace is the UUID v5 namespace of event ids:
// uuid.NewSHA1(uuid.NameSpaceURL, "urn:autonomos:canonical:event").
var eventNamespace = uuid.UUID{0xfa, 0xa0, 0xc9, 0x03, 0xbc, 0xd4, 0x51, 0x6a, 0xb0, 0xa9, 0xdb, 0xe2, 0xf4, 0xe4, 0x7f, 0x4e}

// EventID returns the event id for a record identity: a name-based UUID
// (version 5) of tenant, connection, object, record id and record hash. The
// same identity always gives the same id, so re-reading an unchanged record
// never makes a new event; any change of one part gives another id. It is
// safe for concurrent use.
func EventID(tenantID, connectionID, object, recordID, recordHash string) string {
	parts := [...]string{tenantID, connectionID, object, recordID, recordHash}
	n := 0
	for _, p := range parts {
		n += 4 + len(p)
	}
	// Length prefixes keep ("ab", "c") and ("a", "bc") apart.
	buf := make([]byte, 0, n)
	for _, p := range parts {
		buf = binary.BigEndian.AppendUint32(buf, uint32(len(p)))
		buf = append(buf, p...)
	}
	return uuid.NewSHA1(eventNamespace, buf).String()
}
