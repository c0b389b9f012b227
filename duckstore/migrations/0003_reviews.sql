-- 0003_reviews: the review queue of mapping proposals (drift repairs and
-- bulk mappings), mirroring the PostgreSQL table. A proposal is inserted
-- once and then only changes status, guarded by the status it is expected
-- to have. Every statement filters by tenant_id; the adapter checks that the
-- connection exists before inserting.
CREATE SEQUENCE IF NOT EXISTS mapping_proposals_seq START 1;
CREATE TABLE IF NOT EXISTS mapping_proposals (
    tenant_id       UUID NOT NULL,
    id              UUID NOT NULL,
    seq             BIGINT NOT NULL DEFAULT nextval('mapping_proposals_seq'),
    connection_id   UUID NOT NULL,
    object          VARCHAR NOT NULL CHECK (object <> ''),
    drift_event_id  UUID,
    kind            VARCHAR NOT NULL CHECK (kind IN ('repair', 'bulk')),
    change          VARCHAR NOT NULL DEFAULT '',
    source_field    VARCHAR NOT NULL DEFAULT '',
    previous_source VARCHAR NOT NULL DEFAULT '',
    target          VARCHAR NOT NULL CHECK (target <> ''),
    entity          VARCHAR NOT NULL CHECK (entity <> ''),
    confidence      DOUBLE NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    decision        VARCHAR NOT NULL DEFAULT '',
    evidence        VARCHAR,
    status          VARCHAR NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'applied', 'superseded')),
    base_version    INTEGER NOT NULL CHECK (base_version >= 0),
    applied_version INTEGER NOT NULL DEFAULT 0 CHECK (applied_version >= 0),
    reason          VARCHAR NOT NULL DEFAULT '',
    created_at      TIMESTAMPTZ NOT NULL,
    decided_at      TIMESTAMPTZ,
    decided_by      VARCHAR NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);
