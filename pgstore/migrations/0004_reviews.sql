-- 0004_reviews: the review queue of mapping proposals (drift repairs and
-- bulk mappings). A proposal is inserted once and then only changes status
-- (pending -> approved/rejected/applied/superseded, approved ->
-- applied/superseded), guarded by the status it is expected to have. A
-- connection's proposals go with it.
CREATE TABLE mapping_proposals (
    tenant_id       uuid NOT NULL,
    id              uuid NOT NULL,
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    connection_id   uuid NOT NULL,
    object          text NOT NULL CHECK (object <> ''),
    drift_event_id  uuid,
    kind            text NOT NULL CHECK (kind IN ('repair', 'bulk')),
    change          text NOT NULL DEFAULT '',
    source_field    text NOT NULL DEFAULT '',
    previous_source text NOT NULL DEFAULT '',
    target          text NOT NULL CHECK (target <> ''),
    entity          text NOT NULL CHECK (entity <> ''),
    confidence      double precision NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
    decision        text NOT NULL DEFAULT '',
    evidence        jsonb,
    status          text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'applied', 'superseded')),
    base_version    integer NOT NULL CHECK (base_version >= 0),
    applied_version integer NOT NULL DEFAULT 0 CHECK (applied_version >= 0),
    reason          text NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    decided_at      timestamptz,
    decided_by      text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX mapping_proposals_status_idx ON mapping_proposals (tenant_id, status, created_at, seq);
SELECT aos_protect_tenant_table('mapping_proposals');
