// Package pgsource is the connector for PostgreSQL databases, Supabase
// included: it discovers the tables of one schema from the system catalog
// (columns, types, primary keys, sample values) and reads their rows in
// primary-key order.
//
// # Configuration
//
// Either "url" (a PostgreSQL connection string; secret, it may hold the
// password) or "host", "port", "user", "password" (secret) and "database".
// "schema" (default public) picks the schema, "tables" (a comma list)
// restricts the tables, and "cursor_column" (for example updated_at) names
// the column incremental reads follow in every table that has it.
//
// # Reads
//
// Read runs in one READ ONLY, REPEATABLE READ transaction, so a read sees one
// snapshot, and pages with keyset pagination:
//
//	WHERE (pk1, pk2) > ($1, $2) ORDER BY pk1, pk2 LIMIT n
//
// With a cursor column the keyset is (cursor column, primary key), rows whose
// cursor column is NULL first, so a row whose cursor column moves forward is
// read again after the cursor. Rows whose cursor column is set back to NULL
// or to an earlier value are not seen by incremental reads.
//
// Tables without a primary key are discovered but not readable: there is no
// stable order to resume from (ctid changes on every update and on VACUUM
// FULL), so Read refuses them with an error wrapping
// connectors.ErrInvalidConfig. Add a primary key, or leave the table out of
// "tables".
//
// The cursor is a JSON document holding the table name and the text form of
// the last row's key values (and cursor column value); the values are cast
// back to the column types by PostgreSQL, so no precision is lost.
//
// Identifiers (schema, table and column names) are always quoted with
// pgx.Identifier; values are always bound as parameters.
//
// # Values
//
// Record.Fields holds: int64 for integer columns, float64 for real and
// double precision, exact decimal strings for numeric, bool, time.Time for
// date and timestamp columns, string for text-like types and uuid (canonical
// form), map[string]any or []any for json and jsonb, []any for arrays,
// []byte for bytea, the text form for every other type, and nil for NULL.
// Record.ID is the primary-key value as text; for a composite key it is the
// JSON array of the key values as text.
//
// # Errors
//
// A connection refused for its role or password wraps
// connectors.ErrUnauthorized; an unknown database, schema or table wraps
// connectors.ErrInvalidConfig or connectors.ErrNotFound; a cursor not made
// for the table wraps connectors.ErrInvalidCursor. Error messages never
// contain the password.
//
// # Concurrency
//
// A Source is safe for concurrent use: Discover and Read may run at the same
// time; each Read uses its own pooled connection.
package pgsource
