// Package duckvec is the local default rag.VectorStore: documents and their
// vectors in a DuckDB table, searched by cosine distance.
//
// Vectors live in a fixed-size FLOAT[dim] array column, so DuckDB itself
// rejects a vector of another length; Search orders by
// array_cosine_distance against the parameterized query vector and reports
// the cosine similarity (1 - distance). Every row carries its tenant and
// every statement filters on it, so one tenant never reads another's rows.
//
// Upsert bulk-loads a batch with DuckDB's Appender into a temporary staging
// table private to its connection, then replaces the stored documents with
// one INSERT OR REPLACE ... SELECT, so a batch becomes visible at once.
//
// # Errors
//
// Invalid arguments (an empty tenant, collection or id, a vector of the
// wrong dimension, a zero or non-finite vector, metadata that is not JSON,
// k < 1) wrap rag.ErrInvalid and are reported before any I/O. Database
// failures are wrapped with the operation that failed.
//
// # Concurrency
//
// A Store is safe for concurrent use. Searches run in parallel; writes are
// serialized inside the Store, because DuckDB's optimistic concurrency
// aborts one of two transactions that touch the same row.
package duckvec
