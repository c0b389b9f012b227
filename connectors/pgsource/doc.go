// Package pgsource is the connector for PostgreSQL databases, Supabase
// included: it discovers the tables of one schema from the system catalog
// (columns, types, primary keys, sample values) and reads their rows as full
// snapshots, as commit-safe incremental reads, or as change data capture
// through logical replication.
//
// # Configuration
//
// Either "url" (a PostgreSQL connection string; secret, it may hold the
// password) or "host", "port", "user", "password" (secret) and "database".
// "schema" (default public) picks the schema, "tables" (a comma list)
// restricts the tables, and "cursor_column" (for example updated_at) names
// the column incremental reads follow in every table that has it.
// "lookback" (default 5m) is the look-back window of incremental reads.
// "mode" is auto (default) or cdc; with cdc, "slot" names the prefix of the
// connection's replication slots and publications (default: aos_ and a hash
// of server, database, role and schema; give each connection its own) and
// "cdc_wait" (default 5s) is how long a read waits for the server.
//
// # Change models
//
// Discover states in Object.ChangeModel how each table is read:
//
//   - snapshot (mode auto, the table has no cursor column): every read from
//     the empty cursor returns the whole table. The platform reads it so
//     every sync, keeps what changed by content and turns ids missing from a
//     completed pass into deletes. Keys may be anything, random UUIDs
//     included; the cursor only resumes an interrupted pass, by key.
//   - incremental (mode auto, the table has the cursor column): a read from
//     a cursor returns the rows whose cursor column is at or after a resume
//     point, commit-safe: a row written by a transaction that was still open
//     during the last read is read even when it commits after rows with
//     later values were read (see "Commit-safe incremental reads" below).
//     Rows can be read again; the platform keeps each record's latest
//     version. Deletes are seen by full passes from the empty cursor only.
//   - cdc (mode=cdc): inserts, updates and deletes (Record.Deleted) in
//     commit order, from a logical replication slot (pgoutput).
//
// # Reads
//
// A snapshot or incremental read runs in one READ ONLY, REPEATABLE READ
// transaction, so it sees one snapshot, and pages with keyset pagination:
//
//	WHERE (pk1, pk2) > ($1, $2) ORDER BY pk1, pk2 LIMIT n
//
// With a cursor column the order is (cursor column, primary key), rows whose
// cursor column is NULL first. Rows whose cursor column is set back to NULL
// or to an earlier value than the resume point are not seen by incremental
// reads.
//
// # Commit-safe incremental reads
//
// Each incremental read records, in its cursor, a mark: its snapshot's
// xmin (the oldest transaction still running that may be in this database)
// and xmax, and the position it read up to. The next read starts at the
// position of the latest earlier read whose xmax is at most that xmin: any
// transaction open during the last read got its id after that read, so,
// with a cursor column set at write time (a trigger with clock_timestamp(),
// a sequence), all it writes lies after that position. With no such read it
// reads the whole table again (so does the first read after a transaction
// stayed open across 32 reads). A value taken at transaction start (a
// default of now()) can be older than the transaction's first write; for
// date and time cursor columns the start moves back by "lookback" more, so
// a transaction whose first write comes more than "lookback" after it began
// and that stamps now() can be missed. CDC has no such limit.
//
// # Change data capture
//
// mode=cdc needs wal_level=logical and a role with the REPLICATION
// attribute. Each table has a publication and a replication slot named
// "<slot>_<hash of the table>". Provision (connectors.Provisioner) creates
// them when the connection is made; Deprovision drops them (and ends a
// session holding one) when it is removed. A read from the empty cursor
// creates the table's slot anew with an exported snapshot, reads the table
// in that snapshot and then streams the changes after it, so nothing falls
// between the snapshot and the stream. An empty table gives no record and
// so no cursor: its next read starts over the same way.
//
// A read streams from its cursor's position until it has caught up with the
// server's WAL position as of its start, or the server was silent for
// "cdc_wait". The slot's position is acknowledged only up to the cursor the
// read was given: a cursor is durable once the platform stored it with the
// records before it, and it proves that by reading from it. A read that
// stopped inside a transaction resumes after its last record. An update
// that changes the key gives a delete of the old key; a TRUNCATE fails the
// read with connectors.ErrInvalidCursor, so the platform starts over from
// the empty cursor. Columns whose TOASTed value did not change are not
// sent by the server; such a row is read again from the table. A cursor
// whose slot is gone wraps connectors.ErrInvalidCursor.
//
// Collectors (connectors.MetricsCollector) exposes
// aos_pgsource_replication_slot_lag_bytes{prefix,slot}: the WAL the server
// keeps for each slot. It is queried when scraped, so a slot that stops
// advancing shows as a growing value; alert on it.
//
// Tables without a primary key are discovered but not readable: there is no
// stable order to resume from (ctid changes on every update and on VACUUM
// FULL), so Read refuses them with an error wrapping
// connectors.ErrInvalidConfig. Add a primary key, or leave the table out of
// "tables".
//
// The cursor is a JSON document holding the table name and the text form of
// the last row's key values (and cursor column value, marks, or replication
// position); the values are cast back to the column types by PostgreSQL, so
// no precision is lost.
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
// time; each Read uses its own pooled connection. Two CDC reads of one table
// must not run at once (they share its replication slot).
package pgsource
