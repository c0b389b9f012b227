-- 0005_stream_heads: the stream deduplicates against each record's latest
-- version, not against every version it ever had, so a record changed back
-- to an earlier content (A -> B -> A) is appended again, and a deleted
-- record can come back.

-- stream_heads: the latest version of every source record in the stream:
-- its content hash and whether it is deleted, with the offset of the event
-- that set it. Append keeps it in the same transaction as the events; the
-- live records of an object are its rows with deleted = false, listed in
-- record id order through the primary key (record_id compares bytes,
-- COLLATE "C", so that order is the same in every database). Like the
-- stream, it outlives the record's connection.
CREATE TABLE stream_heads (
    tenant_id     uuid NOT NULL,
    connection_id uuid NOT NULL,
    object        text NOT NULL,
    record_id     text COLLATE "C" NOT NULL,
    record_hash   text NOT NULL,
    deleted       boolean NOT NULL,
    "offset"      bigint NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, object, record_id)
);
SELECT aos_protect_tenant_table('stream_heads');

-- Backfill from the stream (as the owner, under the system policy).
SELECT set_config('app.system', 'on', true);
INSERT INTO stream_heads (tenant_id, connection_id, object, record_id, record_hash, deleted, "offset")
SELECT DISTINCT ON (tenant_id, connection_id, object, record_id)
    tenant_id, connection_id, object, record_id, record_hash, op = 'delete', "offset"
FROM canonical_streams
ORDER BY tenant_id, connection_id, object, record_id, "offset" DESC;
SELECT set_config('app.system', '', true);

-- An event id names a record's content, and the same content may now come
-- back after another: it is no longer unique in the stream.
ALTER TABLE canonical_streams DROP CONSTRAINT canonical_streams_tenant_id_event_id_key;

-- sync_leases: the fencing token of each connection's sync lease. The lease
-- itself is a session advisory lock held by the syncing process; taking it
-- increments the token, and a checkpoint written under an older token is
-- refused, so a writer that lost its lock cannot move a cursor back.
CREATE TABLE sync_leases (
    tenant_id     uuid NOT NULL,
    connection_id uuid NOT NULL,
    token         bigint NOT NULL CHECK (token > 0),
    acquired_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, connection_id)
);
SELECT aos_protect_tenant_table('sync_leases');
