-- 0010_job_outbox: the transactional outbox of the job queue. A request
-- that commits something in PostgreSQL and must start a job (an API sync
-- request with its idempotency key) inserts the job here in the same
-- transaction; a relayer copies rows to the Redis queue (enqueue is
-- idempotent by job ID) and deletes them, so the job is enqueued exactly
-- once even if the process dies between the commit and the enqueue.
CREATE TABLE job_outbox (
    tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         text NOT NULL CHECK (id <> ''),
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    job        jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX job_outbox_seq_idx ON job_outbox (seq);
SELECT aos_protect_tenant_table('job_outbox');
