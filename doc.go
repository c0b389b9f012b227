// Package autonomos is the composition root of AutonomOS for Go: an
// embeddable SDK, and a reference server, for AI-assisted data orchestration
// across many tenants.
//
// # What it does
//
// Records flow through five stages:
//
//  1. Connect: connectors (package connectors and its subpackages) read
//     records from source systems — files, PostgreSQL/Supabase, Salesforce,
//     MongoDB, and third-party plugins running as separate processes.
//  2. Normalize: versioned field mappings turn each record into a canonical
//     event (package canonical: account, contact, opportunity, invoice,
//     cloud_cost), type-coerced and validated, appended to a per-tenant
//     stream.
//  3. Heal: a schema observer fingerprints every source object; on drift a
//     matcher proposes mapping repairs with a calibrated confidence — applied
//     at 0.85 and above, queued for human review from 0.60, rejected below.
//  4. Understand: the stream is materialized into per-tenant DuckDB views and
//     a knowledge graph, with duplicate entities unified across sources.
//  5. Ask: a gateway answers questions by persona from the views.
//
// # Extension points
//
// Six small interfaces are the public contracts third parties implement,
// each with a conformance suite: Connector (connectors), MappingStore (aam),
// Embedder and LLM (rag), GraphStore (dcl) and JobQueue (jobs).
//
// # Modes
//
// Open picks the backends from its Config. With no DATABASE_URL or
// REDIS_URL it runs in local mode: an embedded DuckDB control file under the
// data directory and in-process queues, durable across restarts, needing no
// services. With both set it runs in production mode: PostgreSQL (with
// row-level security per tenant) as the system of record and Redis for
// queues, limits and live events. The per-tenant DuckDB files are used in
// both modes.
//
// # Errors
//
// Open wraps ErrInvalidConfig for a bad Config and names the unreachable
// service otherwise.
package autonomos
