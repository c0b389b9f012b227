-- 0004_stream_heads: the stream deduplicates against each record's latest
-- version, not against every version it ever had, so a record changed back
-- to an earlier content (A -> B -> A) is appended again, and a deleted
-- record can come back.

-- stream_heads: the latest version of every source record in the stream:
-- its content hash and whether it is deleted, with the offset of the event
-- that set it. Append keeps it in the same transaction as the events; the
-- live records of an object are its rows with deleted = false.
CREATE TABLE IF NOT EXISTS stream_heads (
    tenant_id     UUID NOT NULL,
    connection_id UUID NOT NULL,
    object        VARCHAR NOT NULL,
    record_id     VARCHAR NOT NULL,
    record_hash   VARCHAR NOT NULL,
    deleted       BOOLEAN NOT NULL,
    "offset"      BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, object, record_id)
);

INSERT INTO stream_heads (tenant_id, connection_id, object, record_id, record_hash, deleted, "offset")
SELECT tenant_id, connection_id, object, record_id, arg_max(record_hash, "offset"),
    arg_max(op, "offset") = 'delete', max("offset")
FROM canonical_streams
GROUP BY tenant_id, connection_id, object, record_id;

-- An event id names a record's content, and the same content may now come
-- back after another: it is no longer unique in the stream. DuckDB cannot
-- drop a constraint, so the table is rebuilt without it.
CREATE TABLE canonical_streams_v4 (
    tenant_id       UUID NOT NULL,
    "offset"        BIGINT NOT NULL CHECK ("offset" > 0),
    event_id        UUID NOT NULL,
    entity          VARCHAR NOT NULL,
    op              VARCHAR NOT NULL,
    connection_id   UUID NOT NULL,
    object          VARCHAR NOT NULL,
    record_id       VARCHAR NOT NULL,
    record_hash     VARCHAR NOT NULL,
    system          VARCHAR NOT NULL DEFAULT '',
    mapping_version INTEGER NOT NULL,
    schema_version  INTEGER NOT NULL,
    trace_id        VARCHAR NOT NULL DEFAULT '',
    emitted_at      TIMESTAMPTZ NOT NULL,
    appended_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    data            VARCHAR NOT NULL,
    extras          VARCHAR,
    PRIMARY KEY (tenant_id, "offset")
);
INSERT INTO canonical_streams_v4 SELECT * FROM canonical_streams ORDER BY tenant_id, "offset";
DROP TABLE canonical_streams;
ALTER TABLE canonical_streams_v4 RENAME TO canonical_streams;

-- sync_leases: the fencing token of each connection's sync lease (the
-- control store is one process: the lease itself is an in-process lock);
-- a checkpoint written under an older token is refused.
CREATE TABLE IF NOT EXISTS sync_leases (
    tenant_id     UUID NOT NULL,
    connection_id UUID NOT NULL,
    token         BIGINT NOT NULL CHECK (token > 0),
    acquired_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, connection_id)
);
