package pgsource

// Catalog queries. Every identifier a query touches comes from the catalog
// and is bound as a parameter; identifiers placed into SQL text elsewhere go
// through pgx.Identifier.Sanitize.

const sqlSchemaExists = `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $1)`

// sqlMissingTables returns the names in $2 that are not tables of schema $1.
const sqlMissingTables = `
SELECT coalesce(array_agg(want ORDER BY ord), '{}')
FROM unnest($2::text[]) WITH ORDINALITY AS w(want, ord)
WHERE NOT EXISTS (
	SELECT 1 FROM pg_catalog.pg_class c
	JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
	WHERE n.nspname = $1 AND c.relname = w.want AND c.relkind IN ('r', 'p'))`

// sqlColumns lists the columns of the readable tables of schema $1 (all of
// them when $2 is NULL, else those named in $2): ordinary and partitioned
// tables, not partitions. For domains the base type decides the mapping.
const sqlColumns = `
SELECT c.relname,
       a.attname,
       pg_catalog.format_type(a.atttypid, a.atttypmod),
       bt.typname,
       bt.typcategory,
       bt.typtype,
       bt.oid,
       c.reltuples::float8
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
JOIN pg_catalog.pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
WHERE n.nspname = $1
  AND c.relkind IN ('r', 'p')
  AND NOT c.relispartition
  AND ($2::text[] IS NULL OR c.relname = ANY ($2::text[]))
  AND has_table_privilege(c.oid, 'SELECT')
ORDER BY c.relname, a.attnum`

// sqlPrimaryKeys lists the primary-key columns, in key order, of the tables
// of schema $1 (filtered by $2 as in sqlColumns).
const sqlPrimaryKeys = `
SELECT c.relname, a.attname
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE i.indisprimary
  AND n.nspname = $1
  AND ($2::text[] IS NULL OR c.relname = ANY ($2::text[]))
ORDER BY c.relname, k.ord`

// sqlSnapshotBounds returns the current transaction snapshot's bounds for
// commit-safe incremental reads (xid8 values, PostgreSQL 13 and later): the
// oldest transaction in progress that may belong to this database, or xmax
// when there is none, and xmax. Transactions that pg_stat_activity shows in
// another database are left out (they cannot write this database's
// tables); any other in-progress transaction, one that ended meanwhile or a
// prepared one, is kept.
const sqlSnapshotBounds = `
WITH snap AS (SELECT pg_current_snapshot() AS s),
other AS (
	SELECT a.backend_xid::text::bigint AS x
	FROM pg_catalog.pg_stat_activity a
	WHERE a.backend_xid IS NOT NULL
	  AND a.datid IS DISTINCT FROM (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = current_database()))
SELECT coalesce(
         (SELECT min(x::text::numeric) FROM pg_snapshot_xip(snap.s) AS x
          WHERE (x::text::numeric % 4294967296)::bigint NOT IN (SELECT other.x FROM other)),
         pg_snapshot_xmax(snap.s)::text::numeric)::int8,
       pg_snapshot_xmax(snap.s)::text::numeric::int8
FROM snap`
