-- 0001_foundation: the application role, the tenant-table protection routine
-- and the foundation tables (tenants, users, audit_log, idempotency_keys).
--
-- Runs inside one transaction, as the migrating role, which becomes the owner
-- of every table created here.

-- The application role is cluster-wide while this migration runs once per
-- database, possibly in several databases at the same time, so creating it
-- tolerates a concurrent creator. An existing role with superuser or
-- BYPASSRLS would silently defeat row-level security: refuse to go on.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'aos_app') THEN
        BEGIN
            CREATE ROLE aos_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT
                NOCREATEDB NOCREATEROLE NOREPLICATION;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created meanwhile by a migration of another database
        END;
    END IF;
    IF EXISTS (SELECT 1 FROM pg_roles
               WHERE rolname = 'aos_app' AND (rolsuper OR rolbypassrls)) THEN
        RAISE EXCEPTION 'role aos_app must be neither superuser nor BYPASSRLS';
    END IF;
    -- The connecting role switches to aos_app with SET LOCAL ROLE; a
    -- superuser always may, any other role needs membership.
    IF NOT pg_has_role(current_user, 'aos_app', 'MEMBER') THEN
        BEGIN
            EXECUTE format('GRANT aos_app TO %I', current_user);
        EXCEPTION WHEN unique_violation THEN
            NULL; -- granted meanwhile by a concurrent migration
        END;
    END IF;
    IF NOT has_schema_privilege('aos_app', current_schema(), 'USAGE') THEN
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO aos_app', current_schema());
    END IF;
END
$$;

-- aos_protect_tenant_table puts a tenant table under row-level security:
-- ENABLE + FORCE, a policy restricting every command to the rows whose
-- key_column equals the transaction's app.tenant_id (no setting: no rows), a
-- policy letting the table owner reach all rows only inside an explicit
-- system transaction (app.system = 'on'), and DML grants to aos_app,
-- including the sequences the table owns. Every later migration that creates
-- a tenant table calls it.
CREATE FUNCTION aos_protect_tenant_table(tbl regclass, key_column name DEFAULT 'tenant_id')
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    owner_name name;
    seq regclass;
BEGIN
    SELECT pg_get_userbyid(relowner) INTO STRICT owner_name FROM pg_class WHERE oid = tbl;
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
    EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
    EXECUTE format(
        $p$CREATE POLICY tenant_isolation ON %s AS PERMISSIVE FOR ALL TO PUBLIC
            USING (%I = NULLIF(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK (%I = NULLIF(current_setting('app.tenant_id', true), '')::uuid)$p$,
        tbl, key_column, key_column);
    EXECUTE format(
        $p$CREATE POLICY system_access ON %s AS PERMISSIVE FOR ALL TO %I
            USING (current_setting('app.system', true) = 'on')
            WITH CHECK (current_setting('app.system', true) = 'on')$p$,
        tbl, owner_name);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO aos_app', tbl);
    FOR seq IN
        SELECT d.objid::regclass
        FROM pg_depend d JOIN pg_class s ON s.oid = d.objid
        WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
          AND d.refobjid = tbl AND s.relkind = 'S' AND d.deptype IN ('a', 'i')
    LOOP
        EXECUTE format('GRANT USAGE ON SEQUENCE %s TO aos_app', seq);
    END LOOP;
END
$$;

REVOKE ALL ON FUNCTION aos_protect_tenant_table(regclass, name) FROM PUBLIC;

-- tenants: a tenant sees and may rename only its own row; creating and
-- deleting tenants are system operations.
CREATE TABLE tenants (
    id         uuid PRIMARY KEY,
    name       text NOT NULL UNIQUE CHECK (name <> '' AND length(name) <= 200),
    created_at timestamptz NOT NULL DEFAULT now()
);
SELECT aos_protect_tenant_table('tenants', 'id');
REVOKE INSERT, DELETE ON tenants FROM aos_app;

-- users: one account per (tenant, email); email is stored as the
-- application normalized it. The email index serves the cross-tenant login
-- lookup, a system operation.
CREATE TABLE users (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id            uuid NOT NULL DEFAULT gen_random_uuid(),
    email         text NOT NULL CHECK (email <> ''),
    password_hash text NOT NULL CHECK (password_hash <> ''),
    role          text NOT NULL CHECK (role <> ''),
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);
CREATE INDEX users_email_idx ON users (email);
SELECT aos_protect_tenant_table('users');

-- audit_log: append-only for the application; pruning is a system operation.
CREATE TABLE audit_log (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id        bigint GENERATED ALWAYS AS IDENTITY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor     text NOT NULL,
    action    text NOT NULL CHECK (action <> ''),
    target    text NOT NULL DEFAULT '',
    detail    jsonb NOT NULL DEFAULT '{}'::jsonb,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_log_tenant_at_idx ON audit_log (tenant_id, at DESC);
SELECT aos_protect_tenant_table('audit_log');
REVOKE UPDATE, DELETE ON audit_log FROM aos_app;

-- idempotency_keys: one row per (tenant, Idempotency-Key). A request first
-- inserts it 'in_flight' with the hash of its body, then stores the response
-- and marks it 'completed'; expired rows are pruned by a system operation.
CREATE TABLE idempotency_keys (
    tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    key           text NOT NULL CHECK (key <> '' AND length(key) <= 255),
    request_hash  bytea NOT NULL,
    status        text NOT NULL DEFAULT 'in_flight' CHECK (status IN ('in_flight', 'completed')),
    response_code integer,
    response      bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
SELECT aos_protect_tenant_table('idempotency_keys');
