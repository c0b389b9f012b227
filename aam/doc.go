// Package aam is the Adaptive API Mesh, the platform's ingestion spine: it
// keeps the connections of every tenant (with their secrets sealed), the
// versioned mappings from source objects to canonical entities, the
// pipeline that turns source records into canonical events, and the
// schema observer that notices when a source changes shape.
//
// Users call the concrete Mesh, made with New from a canonical registry, a
// connector registry and a Store. The Store is the persistence contract
// (store.go: TenantStore, ConnectionStore, MappingStore, EventLog,
// SchemaStore, ReviewStore, LeaseStore); pgstore implements it on PostgreSQL for production and
// duckstore on the embedded DuckDB control file for local mode, and
// aam/aamtest is the conformance suite both pass.
//
// # Data flow
//
//	CreateConnection ─ seal secrets (AES-256-GCM) ─▶ ConnectionStore
//	PutMapping ─ canonical.NewMapper validates ─▶ MappingStore (version N+1)
//
//	Sync(tenant, connection), per mapped object:
//	  quarantine (older versions) ─ re-apply mapping N ─┐
//	  Checkpoint ─▶ Connector.Read ─▶ Mapper.Apply ─────┼─▶ Batch ─▶ EventLog.Append
//	                                    └ field errors ─▶ quarantine   (events + quarantine
//	                                                                    + resolved + cursor,
//	                                                                    one transaction)
//	Observe(tenant, connection):
//	  Connector.Discover ─▶ drift.Fingerprint ─▶ LatestSnapshot ─▶ drift.Diff ─▶ drift.Classify
//	    ─▶ SaveSnapshot (+ DriftEvent) ─▶ FlowBus, Repairer (when breaking)
//
//	every stage ─▶ FlowBus (MemoryBus in process, redisflow on Redis Streams)
//
// # Connections and secrets
//
// A connector type's Spec marks some parameters Secret (passwords, tokens).
// CreateConnection and UpdateConnection validate the configuration against
// the Spec, keep the plain parameters in Connection.Config and seal the
// secret ones with AES-256-GCM under Options.SecretKey (the AOS_SECRET_KEY
// setting, read with ParseSecretKey): a version byte, a random nonce, and the
// tenant and connection ids as additional data, so a sealed value copied to
// another connection does not open. Secrets are unsealed in memory only when
// a connector is opened; connections returned by the mesh never carry them,
// logs never see them, and errors and flow events mask any secret value a
// connector's error happens to quote.
//
// # Exactly once
//
// Sync commits every Options.BatchSize records as one Batch: the events,
// the quarantined records and the connector cursor after the batch's last
// record, in one transaction of the store. The cursor therefore never runs
// ahead of the events (a crash cannot skip records) and never behind them
// by more than one uncommitted batch, whose records are read again on the
// next sync. Re-reading cannot duplicate: the store keeps every record's
// latest version (connection, object, record id -> content hash, or
// deleted) and appends an event only when it changes that version. So an
// unchanged source gives no new events, a changed record exactly one —
// also when it changes back to an earlier content (A -> B -> A appends A
// again; event ids name content and may repeat in the stream) — and a sync
// cancelled at any point and run again gives exactly the missing ones. When
// a source refuses a saved cursor (a rewritten file), the object is read
// again from its start under the same rule.
//
// # Change models and deletes
//
// Each object's connector states how its reads reflect source changes
// (connectors.ChangeModel, from Discover at the start of every Sync):
//
//   - snapshot: every sync starts a new pass from the empty cursor; when a
//     pass completes, the cursor is reset. A pass interrupted midway is
//     resumed from its cursor by the next sync, and that resumed pass
//     computes no deletes (it did not see everything); the sync after it
//     starts a full pass again.
//   - incremental: syncs resume from the cursor; only a pass from the empty
//     cursor (the first sync, a restart after connectors.ErrInvalidCursor,
//     a Sync with FullPass, or a scheduled one) is a full pass. Full
//     passes are scheduled so that deletes are found without an operator:
//     the first Sync at least Options.FullPassEvery (default 24h; -1
//     never) after the start of the object's last full pass reads it from
//     the start.
//   - cdc: syncs resume from the cursor; deletes arrive as records.
//
// A full pass — from the empty cursor, completed without error, not CDC —
// is a snapshot: the object's live records (EventLog.LiveRecords) it did
// not read become OpDelete events (DeleteEvent). A safety limit protects
// against truncated exports: if they exceed Options.MaxDeleteFraction
// (default 50%) of the live records, none are deleted unless the Sync has
// ConfirmDeletes, and ObjectReport.DeletesWithheld says why; so does a full
// pass that read records without an id, which computes no deletes. Records
// a source reports Deleted (CDC, Salesforce) become OpDelete events
// directly, under every model. Discovery failing leaves the model unknown:
// the object is synced, no deletes are computed, and the report says so.
// The record ids a pass reads are kept in memory (one map entry each) to
// find the vanished ones.
//
// The time of an object's last full pass persists with its checkpoint, so
// the schedule holds across processes: the checkpoint that ends a
// completed full pass (not CDC, model known) carries Checkpoint.FullPassAt,
// the time the object's sync started, and the store keeps it
// (EventLog.LastFullPass; the full_passes table). A checkpoint without it
// keeps the recorded time, and gives an object with none the time of the
// write: its first pass began about then, so an interrupted first pass is
// resumed rather than restarted, and objects checkpointed before the table
// existed get their first scheduled pass FullPassEvery after their next
// checkpoint.
//
// # Record identity
//
// A record's id is the one the source gives (its declared or discovered
// key), else the value of the field mapped to the entity's id. A record
// without one, or whose id the pass already read (outside CDC reads, where
// a record may change several times), is quarantined with the reason; it
// is never given another id, and the other records flow.
//
// Records that fail mapping (a value that does not coerce, a required field
// without a value) or cannot be read at all go to the quarantine with the
// reason and the raw record, never dropped. After a new mapping version,
// the next Sync re-applies it to the records older versions refused and
// releases those that now map, in one transaction with their events.
//
// # Failures
//
// Transient source errors (anything but cancellation, deadlines and the
// connectors package's configuration, authorization, not-found, cursor and
// unimplemented errors) are retried with exponential back-off and jitter,
// resuming from the last committed cursor. Every connection has a circuit
// breaker (sony/gobreaker) counting only transient failures; while it is
// open, Sync and Observe fail fast with ErrBreakerOpen.
//
// # Schema drift
//
// Observe, on demand, and RunObserver, every Options.ObserveInterval,
// discover each connection's objects, fingerprint their schemas and keep a
// snapshot with a few sample records. A changed fingerprint is diffed
// against the previous snapshot (fields added, removed, retyped, and renames
// recognised by their values on the same records) and classified against
// the active mapping: a mapped field removed, renamed or retyped so that its
// values no longer coerce is breaking. The drift event is stored with the
// snapshot, published, and, when breaking, handed to Options.Repairer.
//
// # Errors
//
// Errors wrap the package's sentinels for errors.Is: ErrNotFound (no such
// tenant, connection or mapping for this tenant), ErrConflict (a stale
// mapping version, a taken name), ErrInvalid (bad arguments or options,
// with the field named) and ErrBreakerOpen; connector, canonical and context
// errors stay wrapped as well. Messages are lower case and start with "aam:".
//
// # Concurrency
//
// A Mesh is safe for concurrent use. Syncs of one connection run one at a
// time within a Mesh (a second waits for the first), as do Observes of one
// connection; different connections proceed in parallel. Across
// processes sharing a store, Sync also takes the connection's lease
// (LeaseStore: a PostgreSQL advisory lock in pgstore, an in-process lock in
// the single-process duckstore) and writes every checkpoint with the
// lease's fencing token; the store refuses a checkpoint of a writer whose
// lease was taken since (ErrStaleLease), so a cursor never moves back.
// Within one Sync,
// reading and mapping overlap with the store's writes of the previous
// batch. RunObserver blocks until its context is done. MemoryBus never
// blocks a publisher: a slow subscriber loses its oldest events.
package aam
