-- 0002_aam: the Adaptive API Mesh tables: connections, versioned mappings,
-- the canonical stream with its checkpoints and quarantine, schema snapshots
-- and drift events. Every table is a tenant table under row-level security.

-- connections: configured sources. config holds the non-secret parameters,
-- sealed_secrets the secret ones, encrypted by the mesh before they arrive.
CREATE TABLE connections (
    tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             uuid NOT NULL,
    name           text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    type           text NOT NULL CHECK (type <> ''),
    config         jsonb NOT NULL DEFAULT '{}'::jsonb,
    sealed_secrets bytea,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, name)
);
SELECT aos_protect_tenant_table('connections');

-- mapping_versions: every version of every mapping, never rewritten; the
-- active version is the highest. The primary key makes two writers racing
-- for the same next version conflict. A connection's mappings go with it.
CREATE TABLE mapping_versions (
    tenant_id     uuid NOT NULL,
    connection_id uuid NOT NULL,
    object        text NOT NULL CHECK (object <> ''),
    version       integer NOT NULL CHECK (version >= 1),
    mapping       jsonb NOT NULL,
    author        text NOT NULL CHECK (author <> ''),
    reason        text NOT NULL DEFAULT '',
    evidence      jsonb,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, connection_id, object, version),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
SELECT aos_protect_tenant_table('mapping_versions');
REVOKE UPDATE ON mapping_versions FROM aos_app;

-- canonical_streams: the append-only canonical stream. "offset" is assigned
-- by the store under a per-tenant transaction lock, so it increases in
-- commit order within a tenant; an event's identity is its event_id (derived
-- from tenant, connection, object, record id and record hash), unique per
-- tenant. Events outlive their connection: the stream is history.
CREATE TABLE canonical_streams (
    tenant_id       uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    "offset"        bigint NOT NULL CHECK ("offset" > 0),
    event_id        uuid NOT NULL,
    entity          text NOT NULL,
    op              text NOT NULL,
    connection_id   uuid NOT NULL,
    object          text NOT NULL,
    record_id       text NOT NULL,
    record_hash     text NOT NULL,
    system          text NOT NULL DEFAULT '',
    mapping_version integer NOT NULL,
    schema_version  integer NOT NULL,
    trace_id        text NOT NULL DEFAULT '',
    emitted_at      timestamptz NOT NULL,
    appended_at     timestamptz NOT NULL DEFAULT now(),
    data            jsonb NOT NULL,
    extras          jsonb,
    PRIMARY KEY (tenant_id, "offset"),
    UNIQUE (tenant_id, event_id)
);
SELECT aos_protect_tenant_table('canonical_streams');
REVOKE UPDATE, DELETE ON canonical_streams FROM aos_app;

-- checkpoints: the connector cursor to resume each source object from,
-- written in the same transaction as the events read before it.
CREATE TABLE checkpoints (
    tenant_id     uuid NOT NULL,
    connection_id uuid NOT NULL,
    object        text NOT NULL CHECK (object <> ''),
    cursor        text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, connection_id, object),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
SELECT aos_protect_tenant_table('checkpoints');

-- quarantine: source records that could not become events, one entry per
-- source record (a record failing again replaces its reason), until a
-- mapping change lets them through.
CREATE TABLE quarantine (
    tenant_id       uuid NOT NULL,
    id              bigint GENERATED ALWAYS AS IDENTITY,
    connection_id   uuid NOT NULL,
    object          text NOT NULL CHECK (object <> ''),
    record_id       text NOT NULL,
    raw             jsonb NOT NULL,
    reason          text NOT NULL,
    errors          jsonb,
    mapping_version integer NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, connection_id, object, record_id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
SELECT aos_protect_tenant_table('quarantine');

-- schema_snapshots: observations of a source object's schema, with a few
-- sample records keyed by record id.
CREATE TABLE schema_snapshots (
    tenant_id     uuid NOT NULL,
    id            bigint GENERATED ALWAYS AS IDENTITY,
    connection_id uuid NOT NULL,
    object        text NOT NULL CHECK (object <> ''),
    fingerprint   text NOT NULL CHECK (fingerprint <> ''),
    schema        jsonb NOT NULL,
    records       jsonb,
    observed_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX schema_snapshots_object_idx
    ON schema_snapshots (tenant_id, connection_id, object, observed_at DESC, id DESC);
SELECT aos_protect_tenant_table('schema_snapshots');
REVOKE UPDATE ON schema_snapshots FROM aos_app;

-- drift_events: detected schema changes, newest first by detected_at then
-- by insertion (seq).
CREATE TABLE drift_events (
    tenant_id        uuid NOT NULL,
    id               uuid NOT NULL,
    seq              bigint GENERATED ALWAYS AS IDENTITY,
    connection_id    uuid NOT NULL,
    object           text NOT NULL CHECK (object <> ''),
    from_fingerprint text NOT NULL,
    to_fingerprint   text NOT NULL,
    breaking         boolean NOT NULL,
    changes          jsonb,
    detected_at      timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX drift_events_detected_idx ON drift_events (tenant_id, detected_at DESC, seq DESC);
SELECT aos_protect_tenant_table('drift_events');
REVOKE UPDATE ON drift_events FROM aos_app;

-- Append stages a batch in a temporary table (ON COMMIT DROP) created as
-- aos_app; PUBLIC usually has TEMPORARY on a database, but a hardened
-- database may have revoked it.
DO $$
BEGIN
    EXECUTE format('GRANT TEMPORARY ON DATABASE %I TO aos_app', current_database());
END
$$;
