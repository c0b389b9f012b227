-- 0002_aam: the Adaptive API Mesh tables of the local store, mirroring the
-- PostgreSQL ones: connections, versioned mappings, the canonical stream with
-- its checkpoints and quarantine, schema snapshots and drift events.
--
-- DuckDB has no row-level security: every row carries tenant_id, every key
-- starts with it, and the adapter (aam_*.go) filters every statement by it.
-- There are no foreign keys (DuckDB has no ON DELETE CASCADE and refuses to
-- update referenced rows); the adapter checks that a connection exists
-- before writing rows that belong to it and deletes them with it.
-- JSON documents are kept as VARCHAR holding the exact JSON text (query them
-- with data::JSON); DuckDB's JSON type would validate on every insert and
-- come back decoded.

CREATE TABLE IF NOT EXISTS connections (
    tenant_id      UUID NOT NULL,
    id             UUID NOT NULL,
    name           VARCHAR NOT NULL CHECK (name <> '' AND length(name) <= 200),
    type           VARCHAR NOT NULL CHECK (type <> ''),
    config         VARCHAR NOT NULL DEFAULT '{}',
    sealed_secrets BLOB,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);

-- mapping_versions: every version of every mapping, never rewritten; the
-- active version is the highest.
CREATE TABLE IF NOT EXISTS mapping_versions (
    tenant_id     UUID NOT NULL,
    connection_id UUID NOT NULL,
    object        VARCHAR NOT NULL CHECK (object <> ''),
    version       INTEGER NOT NULL CHECK (version >= 1),
    mapping       VARCHAR NOT NULL,
    author        VARCHAR NOT NULL CHECK (author <> ''),
    reason        VARCHAR NOT NULL DEFAULT '',
    evidence      VARCHAR,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, connection_id, object, version)
);

-- canonical_streams: the append-only canonical stream. "offset" is assigned
-- by the adapter, which serializes appends, so it increases in commit order
-- within a tenant; event_id is unique per tenant. Events outlive their
-- connection: the stream is history.
CREATE TABLE IF NOT EXISTS canonical_streams (
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
    PRIMARY KEY (tenant_id, "offset"),
    UNIQUE (tenant_id, event_id)
);

-- checkpoints: the connector cursor to resume each source object from,
-- written in the same transaction as the events read before it.
CREATE TABLE IF NOT EXISTS checkpoints (
    tenant_id     UUID NOT NULL,
    connection_id UUID NOT NULL,
    object        VARCHAR NOT NULL CHECK (object <> ''),
    cursor        VARCHAR NOT NULL,
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, connection_id, object)
);

-- quarantine: source records that could not become events, one entry per
-- source record. Ids are assigned by the adapter in batch order.
CREATE TABLE IF NOT EXISTS quarantine (
    tenant_id       UUID NOT NULL,
    id              BIGINT NOT NULL CHECK (id > 0),
    connection_id   UUID NOT NULL,
    object          VARCHAR NOT NULL CHECK (object <> ''),
    record_id       VARCHAR NOT NULL,
    raw             VARCHAR NOT NULL,
    reason          VARCHAR NOT NULL,
    errors          VARCHAR,
    mapping_version INTEGER NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, connection_id, object, record_id)
);

-- schema_snapshots: observations of a source object's schema, with a few
-- sample records keyed by record id.
CREATE SEQUENCE IF NOT EXISTS schema_snapshots_id_seq START 1;
CREATE TABLE IF NOT EXISTS schema_snapshots (
    tenant_id     UUID NOT NULL,
    id            BIGINT NOT NULL DEFAULT nextval('schema_snapshots_id_seq'),
    connection_id UUID NOT NULL,
    object        VARCHAR NOT NULL CHECK (object <> ''),
    fingerprint   VARCHAR NOT NULL CHECK (fingerprint <> ''),
    schema        VARCHAR NOT NULL,
    records       VARCHAR,
    observed_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

-- drift_events: detected schema changes, newest first by detected_at then
-- by insertion (seq).
CREATE SEQUENCE IF NOT EXISTS drift_events_seq START 1;
CREATE TABLE IF NOT EXISTS drift_events (
    tenant_id        UUID NOT NULL,
    id               UUID NOT NULL,
    seq              BIGINT NOT NULL DEFAULT nextval('drift_events_seq'),
    connection_id    UUID NOT NULL,
    object           VARCHAR NOT NULL CHECK (object <> ''),
    from_fingerprint VARCHAR NOT NULL,
    to_fingerprint   VARCHAR NOT NULL,
    breaking         BOOLEAN NOT NULL,
    changes          VARCHAR,
    detected_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
