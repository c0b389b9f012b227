// Package dcl is the Data Connectivity Layer: per-tenant materialized views
// of the canonical stream, a knowledge graph of where each canonical field
// comes from, unification of duplicate accounts and contacts across
// sources, and domain agents (RevOps, FinOps, CFO) that answer from the
// views.
//
// DuckDB is the DCL's engine, never the system of record: everything here
// can be rebuilt from the canonical stream (Engine.Rebuild).
//
// # Engine and tenant files
//
// Open gives an Engine for one tenant: one DuckDB file,
// dataDir/registry_{tenant}.duckdb, whose name is built only from the
// tenant's UUID (ParseTenantID refuses anything else, such as "../x"). The
// file records its owner, so an engine never opens another tenant's file.
//
// # Views
//
// Each canonical entity has a typed table named by its plural (accounts,
// contacts, opportunities, invoices, cloud_costs): one column per canonical
// field with its DuckDB type (DECIMAL(38,18) for money and percentages,
// DATE, TIMESTAMP, BIGINT, BOOLEAN, VARCHAR), then the system columns
// _source_system, _connection_id, _source_object, _record_id (the record's
// identity is (connection, record id)), _unified_id, _mapping_version,
// _offset and _updated_at (when the event was emitted).
//
// Engine.Sync reads the stream from the stored checkpoint through an
// EventSource (any aam.EventLog) in batches; Engine.Materialize applies one
// batch in one DuckDB transaction: the rows are bulk-loaded through the
// Appender, the records of the batch are merged set-wise (the last event of
// a record wins, deletes remove it), the unification state is written, and
// the checkpoint advances, all in the same commit. Readers keep reading
// meanwhile and see each batch entirely or not at all (DuckDB's MVCC).
//
// Engine.Query reads a page of a view with field selection, filters (eq,
// ne, lt, le, gt, ge, in, prefix, contains), sort and a page token;
// Engine.Aggregate computes sum, count or avg grouped by a column and/or a
// day, week or month bucket. Field names and operators are checked against
// the view's whitelist and values are always query parameters.
//
// # Unification
//
// Accounts and contacts are clustered across sources by probabilistic
// record linkage (package linkage, Fellegi–Sunter style), in stream
// order, so the same stream gives the same clusters and ids however it
// is batched, and a rebuild gives identical ids. Records are compared
// within blocks (phone, domain, name tokens with city or house number,
// street); each comparison (name, domain, phone, address, city, country;
// for contacts e-mail, name, unified account, phone) contributes a match
// weight from its level, with term frequencies so common names and shared
// switchboards weigh less. Phones are compared in one form whatever their
// source wrote: "+1 415-555-0100" and "(415) 555-0100" are the same phone.
//
// A pair links when its match probability reaches the precision target
// (0.99), two comparisons agree and the names are at least similar;
// pairs just below form the review band (Engine.UnifyReview). A cluster's
// id is a UUIDv5 of its first record (entity, connection, record id,
// offset); when clusters merge the older id is kept, and when a change or
// deletion breaks a link the cluster splits and the part keeping most
// members keeps the id. Every decision is logged with the comparisons,
// levels and weights that made it (Engine.Explain). Review decisions
// (Engine.UnifyDecide: must-link, cannot-link) hold whatever the model
// says and survive Rebuild.
//
// # Knowledge graph
//
// GraphStore is the public extension point for the graph (conformance
// suite in dcl/dcltest); DuckGraph stores it in the tenant's file.
// Engine.SyncGraph writes source systems, connections, objects and fields,
// canonical entities and fields, which source field maps to which
// canonical field through which mapping version, and the unified entities.
// Engine.FieldLineage and Engine.SourceFieldImpact answer "where does this
// field come from" and "what breaks if this source field disappears".
//
// # Agents
//
// An Agent runs on an Engine as of a date and returns a Result: structured
// metrics (exact decimals for money) and a one-paragraph summary. RevOps,
// FinOps and CFO document their definitions.
//
// # Errors
//
// Errors wrap ErrInvalid (bad arguments, unknown views or fields, crafted
// tenant ids, events of another tenant), ErrNotFound, ErrClosed or
// ErrStorage (DuckDB failures), or the context's error.
//
// # Concurrency
//
// An Engine is safe for concurrent use: writers (Sync, Materialize,
// Rebuild, SyncGraph) are serialized, readers run concurrently with them.
// DuckDB allows one process per file, so open each tenant's engine once per
// process and share it.
package dcl
