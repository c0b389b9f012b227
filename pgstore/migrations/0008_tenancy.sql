-- 0008_tenancy: what the tenancy layer needs on top of the foundation tables
-- (tenants, users, audit_log, idempotency_keys of 0001).
--
-- Tenant names follow the tenancy rule: 1 to 63 letters, digits, '-' or
-- '_'. Existing rows that break it are left alone (NOT VALID); every new or
-- renamed tenant is checked.
ALTER TABLE tenants ADD CONSTRAINT tenants_name_shape
    CHECK (name ~ '^[A-Za-z0-9_-]{1,63}$') NOT VALID;

-- Login names no tenant, so an e-mail is unique across the platform. The
-- unique index is checked across tenants whatever row-level security shows.
CREATE UNIQUE INDEX users_email_key ON users (email);
ALTER TABLE users ADD CONSTRAINT users_role_valid
    CHECK (role IN ('admin', 'editor', 'viewer'));

-- tenant_settings: per-tenant overrides; rate_limit in requests per minute.
CREATE TABLE tenant_settings (
    tenant_id  uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    rate_limit integer NOT NULL DEFAULT 0 CHECK (rate_limit >= 0)
);
SELECT aos_protect_tenant_table('tenant_settings');

-- audit_log: who (actor = user id), what (action, target), which request,
-- the outcome and status, and from where. Still append-only for aos_app
-- (UPDATE and DELETE were revoked in 0001).
ALTER TABLE audit_log
    ADD COLUMN request_id text NOT NULL DEFAULT '',
    ADD COLUMN outcome    text NOT NULL DEFAULT '',
    ADD COLUMN status     integer NOT NULL DEFAULT 0,
    ADD COLUMN client_ip  text NOT NULL DEFAULT '';
CREATE INDEX audit_log_tenant_id_desc_idx ON audit_log (tenant_id, id DESC);
