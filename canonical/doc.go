// Package canonical holds the shared vocabulary of AutonomOS: the canonical
// entities, the events records become, the mappings that turn source records
// into events, value coercion, and the source-schema document. It imports no
// other package of this module, so every other package can use it.
//
// # Entities
//
// A Registry holds the five built-in entities of the canonical schema
// (account, contact, opportunity, invoice, cloud_cost) with their typed
// fields and required flags, plus any custom entities an embedder passes to
// NewRegistry. There is no global registry: build one and pass it along.
// Registry.Document returns the canonical schema document (the content of
// the project's canonical.json, extended by custom entities) ready for
// encoding/json.
//
// # Types and coercion
//
// Every canonical field has a Type (String, Integer, Decimal, Percent,
// Boolean, Date, Timestamp, Email, URL, Phone, Currency, Country, Ref).
// Coerce turns a source value into the type's normalized Go value, exact
// (decimal.Decimal for amounts, never float64 rounding) and forgiving (many
// date layouts, "yes"/"no" booleans, country names, bare domains). A value
// that cannot be coerced gives a FieldError saying which value and why.
//
// # Mappings and events
//
// A Mapping lists FieldMappings from source fields (dotted paths reach into
// nested objects: "Owner.id") to the fields of one entity, each with an
// optional Transform, a confidence and an Origin (manual, auto, reviewed,
// llm); the Mapping has a version. NewMapper validates and compiles a
// Mapping; Mapper.Apply turns one record into an Event and returns every
// FieldError of the record at once, including required fields without a
// value.
//
// An Event has the shape of the canonical schema: event_id, entity, op
// (upsert or delete), data (canonical field -> normalized value), extras
// (source fields no mapping used), meta (tenant_id, trace_id,
// mapping_version, schema_version, emitted_at) and source (system,
// connection_id, object, record_id, record_hash). RecordHash hashes a
// record's content independently of map order and number representation;
// EventID derives a UUID from (tenant, connection, object, record_id,
// record_hash), so re-reading an unchanged record yields the same event id
// and the stream stays free of duplicates. Registry.DecodeEvent reads an
// event's JSON back into typed values; Registry.ValidateEvent checks one.
//
// # Source schemas
//
// SourceSchema is the portable description of one source object (system,
// object, fields with declared types and sample values), as connectors
// discover it; ParseSourceSchema reads and validates the JSON document.
//
// # Errors
//
// Errors wrap one of the package's sentinels, for errors.Is:
// ErrInvalidEntity (NewRegistry), ErrUnknownEntity, ErrInvalidMapping
// (Mapping.Validate, NewMapper), ErrInvalidValue and ErrMissingRequired
// (FieldError, from Coerce and Mapper.Apply), ErrInvalidEvent
// (ValidateEvent, DecodeEvent) and ErrInvalidSchema (ParseSourceSchema).
// Messages are lower case and name the entity, field and value at fault.
//
// # Concurrency
//
// Registry and Mapper are immutable after construction and safe for
// concurrent use; so are Coerce, RecordHash and EventID. Mapping, Event and
// SourceSchema are plain values owned by their caller.
package canonical
