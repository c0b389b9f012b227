-- 0011_full_passes: when each source object's last full pass completed, so
-- that the mesh can schedule the next one (aam.Options.FullPassEvery); see
-- the PostgreSQL migration 0012 for the semantics. Rows go with their
-- connection (aam_connections.go connectionTables).
CREATE TABLE IF NOT EXISTS full_passes (
    tenant_id     UUID NOT NULL,
    connection_id UUID NOT NULL,
    object        VARCHAR NOT NULL CHECK (object <> ''),
    completed_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, object)
);
