// Package pgvec is a rag.VectorStore on PostgreSQL with the pgvector
// extension: documents in one table with a vector(dim) column, an HNSW
// index with vector_cosine_ops, and search ordered by the cosine distance
// operator <=>, as in the local DuckDB store (package duckvec).
//
// New installs the extension when the server has it (CREATE EXTENSION IF
// NOT EXISTS vector) and creates its table when missing. The table is under
// row-level security (ENABLE + FORCE) with a policy on the transaction
// setting app.tenant_id, and every statement runs in a transaction that sets
// it with set_config(..., true) and also filters on tenant_id: a statement
// without tenant context sees no rows. (A superuser bypasses row-level
// security; the explicit filter still holds.)
//
// The HNSW index makes search approximate on large collections; each search
// raises hnsw.ef_search to Options.EfSearch (at least k) for its
// transaction. Small filtered collections are usually answered exactly
// through the primary key.
//
// # Errors
//
// When the extension is not installed and cannot be created, New returns an
// error wrapping rag.ErrUnavailable that says so; callers fall back to the
// DuckDB store. Invalid arguments wrap rag.ErrInvalid before any I/O.
// Database failures are wrapped with the operation that failed.
//
// # Concurrency
//
// A Store is safe for concurrent use; it borrows the pool and never closes
// it.
package pgvec
