-- The local control store's base tables.
CREATE TABLE IF NOT EXISTS tenants (
    id         UUID PRIMARY KEY,
    name       VARCHAR NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
