-- 0012_full_passes: when each source object's last full pass completed, so
-- that the mesh can schedule the next one (aam.Options.FullPassEvery).
-- Written with the object's checkpoints: a checkpoint of a completed full
-- pass sets completed_at to the pass's start; the first checkpoint of an
-- object without a row sets it to the write time (the object's first pass
-- began then), so an interrupted first pass resumes instead of restarting.
CREATE TABLE full_passes (
    tenant_id     uuid NOT NULL,
    connection_id uuid NOT NULL,
    object        text NOT NULL CHECK (object <> ''),
    completed_at  timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, connection_id, object),
    FOREIGN KEY (tenant_id, connection_id) REFERENCES connections (tenant_id, id) ON DELETE CASCADE
);
SELECT aos_protect_tenant_table('full_passes');
