-- 0007_tenancy: the tenancy tables of the local store, mirroring the
-- PostgreSQL ones: users, per-tenant settings, the audit log and
-- idempotency keys. Tenants stay in the tenants table of 0001, shared with
-- the aam store, so users and aam data share tenant ids.
--
-- DuckDB has no row-level security: every row carries tenant_id and the
-- adapter (tenancy*.go) filters every statement by it. The audit log is
-- append-only by construction: the adapter has no UPDATE or DELETE of it.

CREATE TABLE IF NOT EXISTS users (
    tenant_id     UUID NOT NULL,
    id            UUID NOT NULL,
    email         VARCHAR NOT NULL UNIQUE CHECK (email <> ''),
    password_hash VARCHAR NOT NULL CHECK (password_hash <> ''),
    role          VARCHAR NOT NULL CHECK (role IN ('admin', 'editor', 'viewer')),
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE IF NOT EXISTS tenant_settings (
    tenant_id  UUID PRIMARY KEY,
    rate_limit INTEGER NOT NULL DEFAULT 0 CHECK (rate_limit >= 0)
);

CREATE SEQUENCE IF NOT EXISTS audit_log_id_seq;
CREATE TABLE IF NOT EXISTS audit_log (
    tenant_id  UUID NOT NULL,
    id         BIGINT NOT NULL DEFAULT nextval('audit_log_id_seq'),
    occurred_at TIMESTAMPTZ NOT NULL,
    actor      VARCHAR NOT NULL,
    action     VARCHAR NOT NULL CHECK (action <> ''),
    target     VARCHAR NOT NULL DEFAULT '',
    request_id VARCHAR NOT NULL DEFAULT '',
    outcome    VARCHAR NOT NULL DEFAULT '',
    status     INTEGER NOT NULL DEFAULT 0,
    client_ip  VARCHAR NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, id)
);

CREATE TABLE IF NOT EXISTS idempotency_keys (
    tenant_id     UUID NOT NULL,
    key           VARCHAR NOT NULL CHECK (key <> '' AND length(key) <= 255),
    request_hash  BLOB NOT NULL,
    status        VARCHAR NOT NULL CHECK (status IN ('in_flight', 'completed')),
    response_code INTEGER,
    response      BLOB,
    created_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, key)
);
