-- 0006_quality: data-quality issues, mirroring the PostgreSQL table: values
-- of optional fields that did not coerce. One row per (connection, object,
-- record, field, value); written in the same transaction as the events.
CREATE SEQUENCE IF NOT EXISTS quality_issues_seq START 1;
CREATE TABLE IF NOT EXISTS quality_issues (
    tenant_id       UUID NOT NULL,
    id              BIGINT NOT NULL DEFAULT nextval('quality_issues_seq'),
    connection_id   UUID NOT NULL,
    object          VARCHAR NOT NULL CHECK (object <> ''),
    record_id       VARCHAR NOT NULL CHECK (record_id <> ''),
    field           VARCHAR NOT NULL CHECK (field <> ''),
    source          VARCHAR NOT NULL DEFAULT '',
    value           VARCHAR NOT NULL DEFAULT '',
    reason          VARCHAR NOT NULL CHECK (reason <> ''),
    event_id        VARCHAR NOT NULL DEFAULT '',
    mapping_version INTEGER NOT NULL DEFAULT 0,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, connection_id, object, record_id, field, value)
);
