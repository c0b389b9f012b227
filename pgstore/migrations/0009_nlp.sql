-- 0009_nlp: the NLP gateway's knowledge base (documents and their chunks,
-- with a full-text index) and its query history (questions stored already
-- redacted). All under row-level security; a tenant's rows go with it.
CREATE TABLE nlp_documents (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    name       text NOT NULL CHECK (name <> '' AND length(name) <= 200),
    bytes      integer NOT NULL CHECK (bytes >= 0),
    chunks     integer NOT NULL CHECK (chunks >= 0),
    added_at   timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, name)
);
SELECT aos_protect_tenant_table('nlp_documents');

CREATE TABLE nlp_chunks (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         text NOT NULL CHECK (id <> ''),
    document   text NOT NULL CHECK (document <> ''),
    heading    text NOT NULL DEFAULT '',
    body       text NOT NULL,
    tsv        tsvector GENERATED ALWAYS AS (
                   setweight(to_tsvector('english', heading), 'A') || setweight(to_tsvector('english', body), 'B')) STORED,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX nlp_chunks_tsv_idx ON nlp_chunks USING gin (tsv);
CREATE INDEX nlp_chunks_document_idx ON nlp_chunks (tenant_id, document);
SELECT aos_protect_tenant_table('nlp_chunks');

CREATE TABLE nlp_history (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    at         timestamptz NOT NULL,
    question   text NOT NULL,
    persona    text NOT NULL DEFAULT '',
    kind       text NOT NULL,
    metric     text NOT NULL DEFAULT '',
    confidence double precision NOT NULL DEFAULT 0,
    error      text NOT NULL DEFAULT '',
    PRIMARY KEY (tenant_id, seq)
);
SELECT aos_protect_tenant_table('nlp_history');
