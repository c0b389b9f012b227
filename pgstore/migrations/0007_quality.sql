-- 0007_quality: data-quality issues, values of optional fields that did
-- not coerce (the record became an event without them). One row per
-- (connection, object, record, field, value): reading a record again adds
-- nothing. Written in the same transaction as the events they belong to.
CREATE TABLE quality_issues (
    tenant_id       uuid NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    connection_id   uuid NOT NULL,
    object          text NOT NULL CHECK (object <> ''),
    record_id       text NOT NULL CHECK (record_id <> ''),
    field           text NOT NULL CHECK (field <> ''),
    source          text NOT NULL DEFAULT '',
    value           text NOT NULL DEFAULT '' CHECK (length(value) <= 1100),
    reason          text NOT NULL CHECK (reason <> ''),
    event_id        text NOT NULL DEFAULT '',
    mapping_version integer NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, connection_id, object, record_id, field, value),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
SELECT aos_protect_tenant_table('quality_issues');
