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
// Accounts and contacts are clustered across sources, deterministically in
// stream order, so the same stream gives the same clusters and ids however
// it is batched, and a rebuild gives identical ids. A cluster's id is a
// UUIDv5 of its first record (entity, connection, record id, offset); when
// two clusters merge the older one's id is kept. Every decision is logged
// with the keys that matched (Engine.Explain).
//
// The rules are conservative, because a false merge is worse than a missed
// one. Two accounts match when
//
//   - their normalized names (NormalizeName: case, punctuation and legal
//     suffixes such as Inc, LLC, GmbH removed) are equal and at least one
//     of website domain, phone or billing country agrees; or
//   - their website domain and phone both agree, whatever their names;
//
// and nothing conflicts: two different domains, two different countries,
// or two different phones without a common domain, each forbid a match. A
// name alone never merges. Two contacts match on the same e-mail address,
// or on the same first and last name under the same unified account when
// they do not both carry (different) e-mail addresses; two different
// names forbid a match. A record joins a cluster only if it conflicts with
// none of its members, and two clusters bridged by a record merge only if
// none of their members conflict. An updated record keeps its cluster (it
// may pull in others); a deleted one leaves it.
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
