-- The canonical stream is the highest-volume table: a foreign key to
-- tenants costs a referential-integrity trigger per appended row, a large
-- share of ingest time. Tenants are never deleted while they have events
-- (deleting a tenant deletes its stream first, explicitly), so the key is
-- dropped; row-level security still binds every row to its tenant.
ALTER TABLE canonical_streams DROP CONSTRAINT IF EXISTS canonical_streams_tenant_id_fkey;
