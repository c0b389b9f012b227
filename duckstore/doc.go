// Package duckstore is the local-mode control store: one embedded DuckDB
// file (control.duckdb) under the data directory that holds, in local mode,
// what PostgreSQL holds in production (tenants, connections, mappings, the
// canonical stream, jobs ...).
//
// DuckDB lets one process open a database file for writing, so every local
// adapter shares the single *sql.DB that Open returns. Migrations are embedded
// SQL files applied in order and recorded in schema_migrations.
//
// # Concurrency
//
// A Store is safe for concurrent use; DuckDB serializes conflicting writers
// with optimistic concurrency, and adapters retry or serialize their own
// writes where conflicts are possible.
package duckstore
