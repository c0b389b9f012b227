// Package pgstore is the PostgreSQL store of the production mode: one
// database schema with one migration sequence and one row-level-security
// policy set for tenants, users, audit log, idempotency keys and the tables
// later features add.
//
// Migration 0002_aam adds the Adaptive API Mesh tables connections,
// mapping_versions, canonical_streams, checkpoints, quarantine,
// schema_snapshots and drift_events, through which AAM (NewAAM) implements
// aam.Store.
//
// Open connects, checks and migrates; New wraps a pool the caller owns.
// Work on tenant data runs in Store.WithTenant, cross-tenant system work in
// Store.WithSystem. CheckRLS verifies from the catalog that every tenant
// table is protected; tests of every package that adds a table call it.
//
// # Migrations
//
// Migrations are the files migrations/NNNN_name.sql (four or more digits,
// lower_snake name), embedded in the binary and applied by Migrate in
// ascending version order, each in its own transaction with its row in
// schema_migrations (version, name, checksum, applied_at). A
// pg_advisory_lock held for the whole run makes concurrent starts safe: one
// process applies, the others wait and find nothing left. An applied file
// must never change (Migrate fails with ErrMigrationChanged); fix mistakes
// with a new migration. A file runs in a transaction, so it cannot use
// statements that refuse one (CREATE INDEX CONCURRENTLY).
//
// Adding a table is dropping the next numbered file into migrations/. A
// tenant table carries tenant_id and is handed to aos_protect_tenant_table,
// which the first migration defines:
//
//	CREATE TABLE notes (
//	    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
//	    id        bigint GENERATED ALWAYS AS IDENTITY,
//	    body      text NOT NULL,
//	    PRIMARY KEY (tenant_id, id)
//	);
//	SELECT aos_protect_tenant_table('notes');
//	-- optional: narrow the application's rights, e.g. append-only
//	REVOKE UPDATE, DELETE ON notes FROM aos_app;
//
// aos_protect_tenant_table enables and forces row-level security, creates
// the tenant_isolation and system_access policies below and grants
// SELECT, INSERT, UPDATE, DELETE (and USAGE on the table's sequences) to
// aos_app. A table with a tenant_id column that skips it makes CheckRLS
// fail.
//
// # Tenant isolation
//
// The first migration creates the cluster-wide role aos_app (AppRole):
// NOLOGIN, NOSUPERUSER, NOBYPASSRLS, NOINHERIT. Roles are shared by all
// databases of a cluster while each database migrates on its own, so the
// creation tolerates a concurrent creator, and an existing aos_app that is
// superuser or BYPASSRLS stops the migration. Tables belong to the role that
// migrates (the connecting role), never to aos_app. If that role is not a
// superuser, the migration grants it membership in aos_app (it needs
// CREATEROLE, or a DBA grants aos_app to it beforehand).
//
// Every tenant table has row-level security ENABLE + FORCE and two
// permissive policies:
//
//   - tenant_isolation, for every role, on reads (USING) and writes (WITH
//     CHECK) alike; without the setting, or with an empty one, the
//     comparison is NULL: no rows, never all rows.
//   - system_access, for the table owner only: every row, but only while
//     app.system is "on" in the transaction.
//
// The tenant_isolation condition:
//
//	tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::uuid
//
// tenants uses id as its tenant key, so a tenant sees only its own row;
// aos_app may not insert or delete tenants, and may not update or delete
// audit_log rows.
//
// WithTenant begins a transaction, switches to aos_app with
// set_config('role', 'aos_app', true) (SET LOCAL ROLE) and sets app.tenant_id
// with set_config(..., true), in one round trip; both end with the
// transaction. Use it for all work done for a tenant: request handlers after
// authentication, jobs, pipelines.
//
// WithSystem begins a transaction as the connecting role with app.system set
// to "on" for the transaction. Use it only where no single tenant is in
// scope: creating or deleting tenants, looking a user up by email at login
// before the tenant is known, pruning expired idempotency keys and old audit
// rows, operator tools. Because of FORCE, the owner outside both helpers
// sees no tenant rows either (a superuser connecting role bypasses
// row-level security altogether, as PostgreSQL always lets it).
//
// The settings guard against a query that lacks or confuses its tenant
// context, which is the common failure; they are not a sandbox for
// arbitrary SQL, since a statement run inside the transaction could RESET
// ROLE. All values are therefore passed as bound parameters, never
// concatenated into SQL.
//
// # Errors
//
// Backend errors are translated in one place: no rows wrap ErrNotFound,
// unique and exclusion violations ErrConflict, not-null, check, foreign-key
// and malformed values ErrInvalid, missing privilege and row-level-security
// WITH CHECK violations ErrForbidden, a closed store or pool ErrClosed. The
// original error stays wrapped for errors.As. Errors fn returns from
// WithTenant and WithSystem are translated the same way. Migrate adds
// ErrMigrationChanged, CheckRLS returns an *RLSError matching
// ErrUnprotected. Messages never contain the DSN's password.
//
// # Concurrency
//
// A Store is safe for concurrent use; each WithTenant or WithSystem call
// uses its own pooled connection for the length of its transaction. The
// pgx.Tx handed to fn must not be used after fn returns nor shared between
// goroutines. Migrate is safe to call from several processes at once.
package pgstore
