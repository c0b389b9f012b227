package pgstore

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// appendLockSalt separates the stream's advisory lock keys from other
// advisory locks taken on the database.
const appendLockSalt = 0x61616d2d73747265 // "aam-stre"

// appendLockKey is the pg_advisory_xact_lock key serializing one tenant's
// appends. Two tenants sharing a key only serialize each other.
func appendLockKey(tenant uuid.UUID) int64 {
	return int64(binary.BigEndian.Uint64(tenant[:8]) ^ binary.BigEndian.Uint64(tenant[8:]) ^ appendLockSalt)
}

// stagingDDL creates the batch's staging table, dropped at commit (or gone
// with a rollback). It has no index: it is read once, sequentially. first
// marks a record's first event in the batch (see aam.BatchPlace).
const stagingDDL = `
CREATE TEMP TABLE aam_staging (
    ord             bigint,
    first           boolean,
    event_id        uuid,
    entity          text,
    op              text,
    connection_id   uuid,
    object          text,
    record_id       text COLLATE "C",
    record_hash     text,
    system          text,
    mapping_version integer,
    schema_version  integer,
    trace_id        text,
    emitted_at      timestamptz,
    data            jsonb,
    extras          jsonb
) ON COMMIT DROP`

var stagingColumns = []string{
	"ord", "first", "event_id", "entity", "op", "connection_id", "object", "record_id", "record_hash",
	"system", "mapping_version", "schema_version", "trace_id", "emitted_at", "data", "extras",
}

// insertStagedSQL moves the staged chunk into the stream in one statement
// and keeps each record's latest version in stream_heads. Offsets continue
// the tenant's stream in batch order: head ($2, read under the per-tenant
// lock, so stable for the whole transaction) plus ord, which counts the
// batch's kept events from 1 across chunks. A record's first event in the
// batch is skipped when it sets the version the record already has (same
// content, or deleted and deleted again, or a delete of a record the stream
// never had), leaving its offset unused; later events of the record in the
// batch differ from the one before them (repeats were dropped before
// staging) and are always new. The heads are probed per row through their
// primary key. It returns the number of new events and the highest new
// offset (0 if none).
const insertStagedSQL = `
WITH ins AS (
    INSERT INTO canonical_streams (tenant_id, "offset", event_id, entity, op, connection_id, object,
        record_id, record_hash, system, mapping_version, schema_version, trace_id, emitted_at, data, extras)
    SELECT $1, $2::bigint + s.ord, s.event_id, s.entity, s.op, s.connection_id, s.object,
        s.record_id, s.record_hash, s.system, s.mapping_version, s.schema_version, s.trace_id,
        s.emitted_at, s.data, s.extras
    FROM aam_staging s
    LEFT JOIN stream_heads h ON h.tenant_id = $1 AND h.connection_id = s.connection_id
        AND h.object = s.object AND h.record_id = s.record_id
    WHERE NOT s.first OR CASE WHEN s.op = 'delete' THEN NOT coalesce(h.deleted, true)
        ELSE h.record_hash IS NULL OR h.deleted OR h.record_hash <> s.record_hash END
    RETURNING "offset", connection_id, object, record_id, record_hash, op
), heads AS (
    INSERT INTO stream_heads (tenant_id, connection_id, object, record_id, record_hash, deleted, "offset")
    SELECT DISTINCT ON (connection_id, object, record_id)
        $1, connection_id, object, record_id, record_hash, op = 'delete', "offset"
    FROM ins
    ORDER BY connection_id, object, record_id, "offset" DESC
    ON CONFLICT (tenant_id, connection_id, object, record_id) DO UPDATE
    SET record_hash = excluded.record_hash, deleted = excluded.deleted, "offset" = excluded."offset"
)
SELECT count(*), coalesce(max("offset"), 0) FROM ins`

const headSQL = `SELECT coalesce(max("offset"), 0) FROM canonical_streams WHERE tenant_id = $1`

// upsertQuarantineSQL stores quarantined records in batch order, one entry
// per (connection, object, record id): a record quarantined again keeps its
// id and gets the new reason, errors, raw record and mapping version.
const upsertQuarantineSQL = `
INSERT INTO quarantine (tenant_id, connection_id, object, record_id, raw, reason, errors, mapping_version)
SELECT $1, u.connection_id, u.object, u.record_id, u.raw::jsonb, u.reason, NULLIF(u.errors, '')::jsonb, u.mapping_version
FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::integer[])
    WITH ORDINALITY AS u(connection_id, object, record_id, raw, reason, errors, mapping_version, ord)
ORDER BY u.ord
ON CONFLICT (tenant_id, connection_id, object, record_id) DO UPDATE
SET raw = excluded.raw, reason = excluded.reason, errors = excluded.errors, mapping_version = excluded.mapping_version`

const resolveSQL = `DELETE FROM quarantine WHERE tenant_id = $1 AND id = ANY($2)`

const checkpointSQL = `
INSERT INTO checkpoints (tenant_id, connection_id, object, cursor) VALUES ($1, $2, $3, $4)
ON CONFLICT (tenant_id, connection_id, object) DO UPDATE SET cursor = excluded.cursor, updated_at = now()`

// fullPassSQL records a checkpoint's full pass ($4), or the write time for
// an object without a recorded one ($4 NULL).
const fullPassSQL = `
INSERT INTO full_passes (tenant_id, connection_id, object, completed_at) VALUES ($1, $2, $3, coalesce($4::timestamptz, now()))
ON CONFLICT (tenant_id, connection_id, object) DO UPDATE SET completed_at = coalesce($4::timestamptz, full_passes.completed_at)`

// fullPassArg is the fullPassSQL argument of cp: nil without a full pass.
func fullPassArg(cp *aam.Checkpoint) *time.Time {
	if cp.FullPassAt.IsZero() {
		return nil
	}
	t := cp.FullPassAt.UTC()
	return &t
}

// stagedEvent is an event checked and ready to copy.
type stagedEvent struct {
	e            *canonical.Event
	id, conn     uuid.UUID
	ord          int64
	first        bool
	emittedAtUTC time.Time
}

// checkEvents validates the batch's events and drops those repeating their
// record's previous version in the batch (see aam.PlaceEvents).
func checkEvents(op string, tenant uuid.UUID, events []canonical.Event) ([]stagedEvent, error) {
	staged := make([]stagedEvent, 0, len(events))
	places := aam.PlaceEvents(events)
	for i := range events {
		e := &events[i]
		id, err := uuid.Parse(e.EventID)
		if err != nil {
			return nil, invalid(op, "event %d: event id %q is not a uuid", i, e.EventID)
		}
		tid, err := uuid.Parse(e.Meta.TenantID)
		if err != nil || tid != tenant {
			return nil, invalid(op, "event %d: meta.tenant_id %q is not the tenant", i, e.Meta.TenantID)
		}
		conn, err := uuid.Parse(e.Source.ConnectionID)
		if err != nil {
			return nil, invalid(op, "event %d: source.connection_id %q is not a uuid", i, e.Source.ConnectionID)
		}
		switch {
		case e.Entity == "":
			return nil, invalid(op, "event %d: entity is empty", i)
		case !e.Op.Valid():
			return nil, invalid(op, "event %d: op %q is neither upsert nor delete", i, e.Op)
		case e.Source.Object == "":
			return nil, invalid(op, "event %d: source.object is empty", i)
		}
		if places[i].Repeat {
			continue
		}
		staged = append(staged, stagedEvent{e: e, id: id, conn: conn, ord: int64(len(staged) + 1), first: places[i].First,
			emittedAtUTC: e.Meta.EmittedAt.UTC()})
	}
	return staged, nil
}

// Chunks bound the staging table: a chunk is copied, moved into the
// stream and truncated before the next, so the table stays within the
// session's temporary buffers instead of spilling to disk, and the next
// chunk's JSON is encoded while the database inserts the previous one.
const (
	chunkEvents = 8192
	chunkBytes  = 4 << 20
)

// chunk is one chunk of staging rows, or the error that stopped encoding.
type chunk struct {
	rows [][]any
	err  error
}

// eventRow encodes one staged event as a staging row.
func eventRow(s *stagedEvent) ([]any, int, error) {
	e := s.e
	data, err := jsonbValue(e.Data)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: event %q: data: %w", aam.ErrInvalid, e.EventID, err)
	}
	size := len(data)
	var extras any
	if len(e.Extras) > 0 {
		b, err := jsonbValue(e.Extras)
		if err != nil {
			return nil, 0, fmt.Errorf("%w: event %q: extras: %w", aam.ErrInvalid, e.EventID, err)
		}
		extras, size = b, size+len(b)
	}
	return []any{
		s.ord, s.first, pgtype.UUID{Bytes: s.id, Valid: true}, e.Entity, string(e.Op), pgtype.UUID{Bytes: s.conn, Valid: true},
		e.Source.Object, e.Source.RecordID, e.Source.RecordHash, e.Source.System,
		int32(e.Meta.MappingVersion), int32(e.Meta.SchemaVersion), e.Meta.TraceID, s.emittedAtUTC,
		data, extras,
	}, size + 200, nil
}

// encodeChunks encodes the staged events into chunks on a goroutine of its
// own, one chunk ahead of the consumer. stop ends the goroutine and waits
// for it; call it before returning.
func encodeChunks(staged []stagedEvent) (chunks <-chan chunk, stop func()) {
	ch := make(chan chunk, 1)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		defer close(ch)
		for i := 0; i < len(staged); {
			var c chunk
			size := 0
			for ; i < len(staged) && len(c.rows) < chunkEvents && size < chunkBytes; i++ {
				row, n, err := eventRow(&staged[i])
				if err != nil {
					c = chunk{err: err}
					i = len(staged)
					break
				}
				c.rows = append(c.rows, row)
				size += n
			}
			select {
			case ch <- c:
			case <-done:
				return
			}
		}
	}()
	return ch, func() {
		close(done)
		<-finished
	}
}

// appendEvents copies the staged events chunk by chunk into the staging
// table and moves each chunk into the stream; it returns the number of new
// events and the highest new offset.
func appendEvents(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, head int64, staged []stagedEvent) (int, int64, error) {
	chunks, stop := encodeChunks(staged)
	defer stop()
	var (
		appended int
		last     int64
	)
	for c := range chunks {
		if c.err != nil {
			return 0, 0, c.err
		}
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"aam_staging"}, stagingColumns, pgx.CopyFromRows(c.rows)); err != nil {
			return 0, 0, err
		}
		batch := &pgx.Batch{}
		batch.Queue(insertStagedSQL, tenant, head).QueryRow(func(row pgx.Row) error {
			var n, top int64
			if err := row.Scan(&n, &top); err != nil {
				return err
			}
			appended += int(n)
			last = max(last, top)
			return nil
		})
		batch.Queue("TRUNCATE aam_staging")
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			return 0, 0, err
		}
	}
	return appended, last, nil
}

// quarantineArgs are the columns of the batch's quarantined records, one
// array per column, with repeated records (same connection, object and
// record id) merged: the last one's content at the first one's place.
type quarantineArgs struct {
	conns                                   []uuid.UUID
	objects, recordIDs, raws, reasons, errs []string
	versions                                []int32
}

func checkQuarantine(op string, recs []aam.QuarantinedRecord) (*quarantineArgs, error) {
	q := &quarantineArgs{}
	type key struct {
		conn           uuid.UUID
		object, record string
	}
	at := make(map[key]int, len(recs))
	for i, r := range recs {
		switch {
		case r.ConnectionID == uuid.Nil:
			return nil, invalid(op, "quarantined record %d: connection id is the nil uuid", i)
		case r.Object == "":
			return nil, invalid(op, "quarantined record %d: object is empty", i)
		}
		raw, err := jsonbValue(r.Raw)
		if err != nil {
			return nil, invalid(op, "quarantined record %d: raw: %v", i, err)
		}
		var errs []byte
		if len(r.Errors) > 0 {
			if errs, err = jsonbValue(r.Errors); err != nil {
				return nil, invalid(op, "quarantined record %d: errors: %v", i, err)
			}
		}
		k := key{r.ConnectionID, r.Object, r.RecordID}
		j, ok := at[k]
		if !ok {
			j = len(q.conns)
			at[k] = j
			q.conns = append(q.conns, r.ConnectionID)
			q.objects = append(q.objects, r.Object)
			q.recordIDs = append(q.recordIDs, r.RecordID)
			q.raws = append(q.raws, "")
			q.reasons = append(q.reasons, "")
			q.errs = append(q.errs, "")
			q.versions = append(q.versions, 0)
		}
		q.raws[j], q.reasons[j], q.errs[j], q.versions[j] = string(raw), r.Reason, string(errs), int32(r.MappingVersion)
	}
	return q, nil
}

// Append commits b for tenant in one transaction: the events through COPY
// into a temporary staging table and a set-based INSERT that skips events
// setting the version their record already has in the stream, keeping each
// record's latest version in stream_heads (one per chunk of up to 8192
// events, so the staging table stays in memory), then the resolved
// quarantine ids, the new quarantined records and the checkpoint. Appends
// of one tenant are serialized by a transaction-scoped advisory lock, so
// offsets follow commit order; within a batch they follow batch order. An
// offset is head + position among the batch's kept events, so a batch with
// duplicates leaves the duplicates' offsets unused: offsets increase
// strictly but are not always consecutive. An event repeating its record's
// previous version in the batch counts as a duplicate (see
// aam.EventLog.Append).
//
// The batch is checked first, and nothing is written if any part is
// invalid (aam.ErrInvalid): an event id, meta.tenant_id (must be tenant)
// or source.connection_id that is not a UUID, an empty entity or
// source.object, an op other than upsert or delete, data or extras that do
// not encode as JSON, a quarantined record or checkpoint without
// connection id or object. A checkpoint or quarantined record of a
// connection the tenant does not have fails the whole batch (ErrInvalid).
// Resolved ids that do not exist are ignored. A failed or cancelled Append
// leaves nothing behind. Event times are kept to the microsecond; a NUL
// character in JSON text, which PostgreSQL cannot store, is kept as U+FFFD.
// Safe for concurrent use.
func (a *AAM) Append(ctx context.Context, tenant uuid.UUID, b aam.Batch) (aam.AppendResult, error) {
	const op = "append"
	if err := checkTenant(op, tenant); err != nil {
		return aam.AppendResult{}, err
	}
	staged, err := checkEvents(op, tenant, b.Events)
	if err != nil {
		return aam.AppendResult{}, err
	}
	quar, err := checkQuarantine(op, b.Quarantine)
	if err != nil {
		return aam.AppendResult{}, err
	}
	if cp := b.Checkpoint; cp != nil {
		if err := cp.Validate(); err != nil {
			return aam.AppendResult{}, fmt.Errorf("pgstore: %s: %w", op, err)
		}
	}

	var res aam.AppendResult
	err = a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		// The lock comes first, in a statement of its own, so the head
		// read after it sees every append committed before.
		first := &pgx.Batch{}
		first.Queue("SELECT pg_advisory_xact_lock($1)", appendLockKey(tenant))
		first.Queue(headSQL, tenant).QueryRow(func(row pgx.Row) error {
			return row.Scan(&res.LastOffset)
		})
		if len(staged) > 0 {
			first.Queue(stagingDDL)
		}
		if err := tx.SendBatch(ctx, first).Close(); err != nil {
			return err
		}
		if err := checkLease(ctx, tx, tenant, b.Checkpoint); err != nil {
			return err
		}
		if len(staged) > 0 {
			n, last, err := appendEvents(ctx, tx, tenant, res.LastOffset, staged)
			if err != nil {
				return err
			}
			res.Appended, res.LastOffset = n, max(res.LastOffset, last)
		}

		second := &pgx.Batch{}
		if len(b.Resolved) > 0 {
			second.Queue(resolveSQL, tenant, b.Resolved)
		}
		if len(quar.conns) > 0 {
			second.Queue(upsertQuarantineSQL, tenant, quar.conns, quar.objects, quar.recordIDs,
				quar.raws, quar.reasons, quar.errs, quar.versions)
		}
		if cp := b.Checkpoint; cp != nil {
			second.Queue(checkpointSQL, tenant, cp.ConnectionID, cp.Object, string(cp.Cursor))
			second.Queue(fullPassSQL, tenant, cp.ConnectionID, cp.Object, fullPassArg(cp))
		}
		if err := queueQuality(op, second, tenant, b.Quality); err != nil {
			return err
		}
		if second.Len() == 0 {
			return nil
		}
		return tx.SendBatch(ctx, second).Close()
	})
	if err != nil {
		return aam.AppendResult{}, aamError(op, err)
	}
	res.Duplicates = len(b.Events) - res.Appended
	return res, nil
}

const eventColumns = `"offset", event_id, entity, op, connection_id, object, record_id, record_hash, system,
    mapping_version, schema_version, trace_id, emitted_at, data, extras`

func scanEvent(tenant string) pgx.RowToFunc[aam.StoredEvent] {
	return func(row pgx.CollectableRow) (aam.StoredEvent, error) {
		var (
			e            aam.StoredEvent
			id, conn     uuid.UUID
			op           string
			data, extras []byte
		)
		m, s := &e.Meta, &e.Source
		if err := row.Scan(&e.Offset, &id, &e.Entity, &op, &conn, &s.Object, &s.RecordID, &s.RecordHash,
			&s.System, &m.MappingVersion, &m.SchemaVersion, &m.TraceID, &m.EmittedAt, &data, &extras); err != nil {
			return e, err
		}
		e.EventID, e.Op, s.ConnectionID = id.String(), canonical.Op(op), conn.String()
		m.TenantID, m.EmittedAt = tenant, m.EmittedAt.UTC()
		if err := decodeJSON(data, &e.Data); err != nil {
			return e, fmt.Errorf("event %q: data: %w", e.EventID, err)
		}
		if err := decodeJSON(extras, &e.Extras); err != nil {
			return e, fmt.Errorf("event %q: extras: %w", e.EventID, err)
		}
		return e, nil
	}
}

// ReadEvents returns up to limit events of tenant with offset > after, in
// offset order, only of entity when it is not empty. Data and extras hold
// JSON values (strings, bool, int64 for integral numbers, float64, maps and
// slices); canonical.Registry.DecodeEvent restores typed values. A limit
// below 1 wraps aam.ErrInvalid. Safe for concurrent use.
func (a *AAM) ReadEvents(ctx context.Context, tenant uuid.UUID, after int64, limit int, entity string) ([]aam.StoredEvent, error) {
	const op = "read events"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, invalid(op, "limit %d is below 1", limit)
	}
	var list []aam.StoredEvent
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		var (
			rows pgx.Rows
			err  error
		)
		if entity == "" {
			rows, err = tx.Query(ctx, "SELECT "+eventColumns+`
FROM canonical_streams WHERE tenant_id = $1 AND "offset" > $2 ORDER BY "offset" LIMIT $3`,
				tenant, after, limit)
		} else {
			rows, err = tx.Query(ctx, "SELECT "+eventColumns+`
FROM canonical_streams WHERE tenant_id = $1 AND "offset" > $2 AND entity = $4 ORDER BY "offset" LIMIT $3`,
				tenant, after, limit, entity)
		}
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, scanEvent(tenant.String()))
		return err
	})
	if err != nil {
		return nil, aamError(op, err)
	}
	return list, nil
}

// Checkpoint returns the saved cursor of a source object of tenant, or the
// empty cursor if none was saved. Safe for concurrent use.
func (a *AAM) Checkpoint(ctx context.Context, tenant, connection uuid.UUID, object string) (connectors.Cursor, error) {
	const op = "checkpoint"
	if err := checkTenant(op, tenant); err != nil {
		return "", err
	}
	var cur string
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx,
			"SELECT cursor FROM checkpoints WHERE tenant_id = $1 AND connection_id = $2 AND object = $3",
			tenant, connection, object)
		if err != nil {
			return err
		}
		found, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if len(found) > 0 {
			cur = found[0]
		}
		return err
	})
	if err != nil {
		return "", aamError(fmt.Sprintf("%s %q of connection %q", op, object, connection.String()), err)
	}
	return connectors.Cursor(cur), nil
}

// LastFullPass returns when the last full pass of a source object of
// tenant started, or the zero time when none is recorded. Safe for
// concurrent use.
func (a *AAM) LastFullPass(ctx context.Context, tenant, connection uuid.UUID, object string) (time.Time, error) {
	const op = "last full pass"
	if err := checkTenant(op, tenant); err != nil {
		return time.Time{}, err
	}
	var at time.Time
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx,
			"SELECT completed_at FROM full_passes WHERE tenant_id = $1 AND connection_id = $2 AND object = $3",
			tenant, connection, object)
		if err != nil {
			return err
		}
		found, err := pgx.CollectRows(rows, pgx.RowTo[time.Time])
		if len(found) > 0 {
			at = found[0].UTC()
		}
		return err
	})
	if err != nil {
		return time.Time{}, aamError(fmt.Sprintf("%s %q of connection %q", op, object, connection.String()), err)
	}
	return at, nil
}

func scanQuarantined(row pgx.CollectableRow) (aam.QuarantinedRecord, error) {
	var (
		r         aam.QuarantinedRecord
		raw, errs []byte
	)
	if err := row.Scan(&r.ID, &r.ConnectionID, &r.Object, &r.RecordID, &raw, &r.Reason, &errs,
		&r.MappingVersion, &r.CreatedAt); err != nil {
		return r, err
	}
	if err := decodeJSON(raw, &r.Raw); err != nil {
		return r, fmt.Errorf("quarantined record %d: raw: %w", r.ID, err)
	}
	if err := json.Unmarshal(nullJSON(errs), &r.Errors); err != nil {
		return r, fmt.Errorf("quarantined record %d: errors: %w", r.ID, err)
	}
	r.CreatedAt = r.CreatedAt.UTC()
	return r, nil
}

// nullJSON reads SQL NULL as JSON null.
func nullJSON(b []byte) []byte {
	if b == nil {
		return []byte("null")
	}
	return b
}

// LiveRecords returns up to limit ids of the records of one source object
// of tenant that are live in the stream (their latest event is an upsert),
// in byte order, after the id after ("" starts at the first). It reads the
// latest-version table through its primary key. A limit below 1 wraps
// aam.ErrInvalid. Safe for concurrent use.
func (a *AAM) LiveRecords(ctx context.Context, tenant, connection uuid.UUID, object, after string, limit int) ([]string, error) {
	const op = "live records"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, invalid(op, "limit %d is below 1", limit)
	}
	var ids []string
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
SELECT record_id FROM stream_heads
WHERE tenant_id = $1 AND connection_id = $2 AND object = $3 AND record_id > $4 AND NOT deleted
ORDER BY record_id LIMIT $5`, tenant, connection, object, after, limit)
		if err != nil {
			return err
		}
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
	if err != nil {
		return nil, aamError(fmt.Sprintf("%s %q of connection %q", op, object, connection.String()), err)
	}
	return ids, nil
}

// Quarantined lists the quarantined records of one source object of
// tenant (every object of the connection when object is empty), oldest
// first. Safe for concurrent use.
func (a *AAM) Quarantined(ctx context.Context, tenant, connection uuid.UUID, object string) ([]aam.QuarantinedRecord, error) {
	return a.quarantined(ctx, "quarantined", tenant, connection, object, 0, 0)
}

// QuarantinePage returns up to limit quarantined records of one source
// object of tenant (every object of the connection when object is empty)
// with ids above after, in id order (oldest first). A limit below 1 wraps
// aam.ErrInvalid. Safe for concurrent use.
func (a *AAM) QuarantinePage(ctx context.Context, tenant, connection uuid.UUID, object string, after int64, limit int) ([]aam.QuarantinedRecord, error) {
	if limit < 1 {
		return nil, invalid("quarantine page", "limit %d is below 1", limit)
	}
	return a.quarantined(ctx, "quarantine page", tenant, connection, object, after, limit)
}

// quarantined reads quarantined records with ids above after, up to limit
// (0: all).
func (a *AAM) quarantined(ctx context.Context, op string, tenant, connection uuid.UUID, object string, after int64, limit int) ([]aam.QuarantinedRecord, error) {
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	var list []aam.QuarantinedRecord
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
SELECT id, connection_id, object, record_id, raw, reason, errors, mapping_version, created_at
FROM quarantine WHERE tenant_id = $1 AND connection_id = $2 AND ($3 = '' OR object = $3) AND id > $4
ORDER BY id LIMIT nullif($5, 0)`, tenant, connection, object, after, limit)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, scanQuarantined)
		return err
	})
	if err != nil {
		return nil, aamError(fmt.Sprintf("%s %q of connection %q", op, object, connection.String()), err)
	}
	return list, nil
}
