package duckstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// How Append is atomic: DuckDB's Appender writes through its connection's
// context, so on a connection with an open transaction its rows belong to
// that transaction and vanish with a rollback. Append therefore runs one
// transaction on one connection, holding the adapter's write lock, and
// writes the events in one of two ways:
//
//   - direct (the fast path, used until a tenant's append meets a record
//     the stream already has, e.g. during a first load): the Appender
//     writes the events straight into canonical_streams and each record's
//     latest version into stream_heads, whose primary key rejects a batch
//     holding a record the stream already has; then the transaction is
//     rolled back and the batch retried the staged way, as are the tenant's
//     later batches and every batch holding a delete;
//   - staged: the Appender writes the events into a temporary staging
//     table, one set-based INSERT ... SELECT moves those that change their
//     record's latest version into the stream, and one upsert moves the
//     new latest versions into stream_heads.
//
// Then the resolved quarantine ids, the quarantined records (staged the
// same way) and the checkpoint are written, and the transaction commits. A
// failure or a cancelled context anywhere rolls all of it back. JSON
// encoding of data and extras runs on a goroutine of its own, chunk by
// chunk, overlapping the Appender.

// stagingEventsDDL is the batch's staging table: the stream's columns
// without tenant, offset and appended_at, plus ord, the event's position
// among the batch's kept events (from 1), and first and last, its place
// among its record's events in the batch (see aam.BatchPlace).
const stagingEventsDDL = `
CREATE OR REPLACE TEMP TABLE aam_staging_events (
    ord             BIGINT,
    first           BOOLEAN,
    last            BOOLEAN,
    event_id        UUID,
    entity          VARCHAR,
    op              VARCHAR,
    connection_id   UUID,
    object          VARCHAR,
    record_id       VARCHAR,
    record_hash     VARCHAR,
    system          VARCHAR,
    mapping_version INTEGER,
    schema_version  INTEGER,
    trace_id        VARCHAR,
    emitted_at      TIMESTAMPTZ,
    data            VARCHAR,
    extras          VARCHAR
)`

// newVersionSQL is the condition under which a staged event s is new
// against its record's latest version h (LEFT JOINed, so NULL when the
// stream never had the record): later events of a record in the batch
// always are (repeats were dropped before staging); its first is when it
// changes the version.
const newVersionSQL = `(NOT s.first OR CASE WHEN s.op = 'delete' THEN NOT coalesce(h.deleted, true)
    ELSE h.record_hash IS NULL OR h.deleted OR h.record_hash <> s.record_hash END)`

// stagedHeadsJoin joins the staged events with their records' latest
// versions; the tenant is the first parameter.
const stagedHeadsJoin = `
FROM aam_staging_events s
LEFT JOIN stream_heads h ON h.tenant_id = ?::UUID AND h.connection_id = s.connection_id
    AND h.object = s.object AND h.record_id = s.record_id
WHERE `

// insertStagedSQL moves the new staged events into the stream: offsets
// continue the tenant's stream in batch order (head + ord); an event that
// is not new is skipped, leaving its offset unused. An offset collision
// fails the statement. Parameters: tenant, head, tenant.
const insertStagedSQL = `
INSERT INTO canonical_streams (tenant_id, "offset", event_id, entity, op, connection_id, object,
    record_id, record_hash, system, mapping_version, schema_version, trace_id, emitted_at, data, extras)
SELECT ?::UUID, ?::BIGINT + s.ord, s.event_id, s.entity, s.op, s.connection_id, s.object,
    s.record_id, s.record_hash, s.system, s.mapping_version, s.schema_version, s.trace_id, s.emitted_at, s.data, s.extras` +
	stagedHeadsJoin + newVersionSQL

// upsertHeadsSQL records the latest version of every record with a new
// event in the batch: its last kept event, which is new (a last event that
// is not new is its record's only one, and the version is unchanged). It
// runs after insertStagedSQL and before any change to stream_heads, so it
// sees the same latest versions. Parameters: tenant, head, tenant.
const upsertHeadsSQL = `
INSERT INTO stream_heads (tenant_id, connection_id, object, record_id, record_hash, deleted, "offset")
SELECT ?::UUID, s.connection_id, s.object, s.record_id, s.record_hash, s.op = 'delete', ?::BIGINT + s.ord` +
	stagedHeadsJoin + `s.last AND ` + newVersionSQL + `
ON CONFLICT (tenant_id, connection_id, object, record_id) DO UPDATE
SET record_hash = excluded.record_hash, deleted = excluded.deleted, "offset" = excluded."offset"`

const stagingQuarantineDDL = `
CREATE OR REPLACE TEMP TABLE aam_staging_quarantine (
    ord             BIGINT,
    connection_id   UUID,
    object          VARCHAR,
    record_id       VARCHAR,
    raw             VARCHAR,
    reason          VARCHAR,
    errors          VARCHAR,
    mapping_version INTEGER
)`

// upsertQuarantineSQL stores the staged quarantined records, one entry per
// (connection, object, record id): a new record gets the next id in batch
// order; a record quarantined again keeps its id and gets the new reason,
// errors, raw record and mapping version. Ids are unique across tenants,
// like the PostgreSQL identity column.
const upsertQuarantineSQL = `
INSERT INTO quarantine (tenant_id, id, connection_id, object, record_id, raw, reason, errors, mapping_version)
SELECT ?::UUID, (SELECT coalesce(max(id), 0) FROM quarantine) + ord, connection_id, object, record_id,
    raw, reason, errors, mapping_version
FROM aam_staging_quarantine
ON CONFLICT (tenant_id, connection_id, object, record_id) DO UPDATE
SET raw = excluded.raw, reason = excluded.reason, errors = excluded.errors, mapping_version = excluded.mapping_version`

const resolveSQL = `DELETE FROM quarantine WHERE tenant_id = ? AND id IN (SELECT unnest(?::BIGINT[]))`

const checkpointSQL = `
INSERT INTO checkpoints (tenant_id, connection_id, object, cursor) VALUES (?, ?, ?, ?)
ON CONFLICT (tenant_id, connection_id, object) DO UPDATE SET cursor = excluded.cursor, updated_at = now()`

// fullPassSQL records a checkpoint's full pass (the 4th and 5th argument),
// or the write time for an object without a recorded one (NULL).
const fullPassSQL = `
INSERT INTO full_passes (tenant_id, connection_id, object, completed_at) VALUES (?, ?, ?, coalesce(?::TIMESTAMPTZ, now()))
ON CONFLICT (tenant_id, connection_id, object) DO UPDATE SET completed_at = coalesce(?::TIMESTAMPTZ, full_passes.completed_at)`

const headSQL = `SELECT coalesce(max("offset"), 0) FROM canonical_streams WHERE tenant_id = ?`

// stagedEvent is an event checked and ready to append.
type stagedEvent struct {
	e        *canonical.Event
	id, conn uuid.UUID
	aam.BatchPlace
}

// checkEvents validates the batch's events and drops those repeating their
// record's previous version in the batch (see aam.PlaceEvents); deletes
// reports whether a kept event is a delete.
func checkEvents(op string, tenant uuid.UUID, events []canonical.Event) (staged []stagedEvent, deletes bool, err error) {
	staged = make([]stagedEvent, 0, len(events))
	places := aam.PlaceEvents(events)
	for i := range events {
		e := &events[i]
		id, err := uuid.Parse(e.EventID)
		if err != nil {
			return nil, false, invalid(op, "event %d: event id %q is not a uuid", i, e.EventID)
		}
		tid, err := uuid.Parse(e.Meta.TenantID)
		if err != nil || tid != tenant {
			return nil, false, invalid(op, "event %d: meta.tenant_id %q is not the tenant", i, e.Meta.TenantID)
		}
		conn, err := uuid.Parse(e.Source.ConnectionID)
		if err != nil {
			return nil, false, invalid(op, "event %d: source.connection_id %q is not a uuid", i, e.Source.ConnectionID)
		}
		switch {
		case e.Entity == "":
			return nil, false, invalid(op, "event %d: entity is empty", i)
		case !e.Op.Valid():
			return nil, false, invalid(op, "event %d: op %q is neither upsert nor delete", i, e.Op)
		case e.Source.Object == "":
			return nil, false, invalid(op, "event %d: source.object is empty", i)
		}
		if places[i].Repeat {
			continue
		}
		deletes = deletes || e.Op == canonical.OpDelete
		staged = append(staged, stagedEvent{e: e, id: id, conn: conn, BatchPlace: places[i]})
	}
	return staged, deletes, nil
}

// stagedRecord is a quarantined record checked and encoded.
type stagedRecord struct {
	conn                          uuid.UUID
	object, recordID, raw, reason string
	errs                          any // JSON text or nil
	mappingVersion                int32
}

// checkQuarantine validates and encodes the batch's quarantined records,
// merging repeated records (same connection, object and record id): the
// last one's content at the first one's place.
func checkQuarantine(op string, recs []aam.QuarantinedRecord) ([]stagedRecord, error) {
	type key struct {
		conn           uuid.UUID
		object, record string
	}
	out := make([]stagedRecord, 0, len(recs))
	at := make(map[key]int, len(recs))
	for i, r := range recs {
		switch {
		case r.ConnectionID == uuid.Nil:
			return nil, invalid(op, "quarantined record %d: connection id is the nil uuid", i)
		case r.Object == "":
			return nil, invalid(op, "quarantined record %d: object is empty", i)
		}
		raw, err := json.Marshal(r.Raw)
		if err != nil {
			return nil, invalid(op, "quarantined record %d: raw: %v", i, err)
		}
		var errs any
		if len(r.Errors) > 0 {
			if errs, err = jsonText(r.Errors); err != nil {
				return nil, invalid(op, "quarantined record %d: errors: %v", i, err)
			}
		}
		s := stagedRecord{
			conn: r.ConnectionID, object: r.Object, recordID: r.RecordID, raw: string(raw),
			reason: r.Reason, errs: errs, mappingVersion: int32(r.MappingVersion),
		}
		k := key{r.ConnectionID, r.Object, r.RecordID}
		if j, ok := at[k]; ok {
			out[j] = s
			continue
		}
		at[k] = len(out)
		out = append(out, s)
	}
	return out, nil
}

// Append commits b for tenant in one transaction (see the comment at the
// top of this file): the events through the Appender, skipping events
// already in the stream, then the resolved quarantine ids, the new
// quarantined records and the checkpoint. Appends are serialized, so
// offsets follow commit order; within a batch they follow batch order, and
// a duplicate in a batch staged because of duplicates may leave its offset
// unused.
//
// Nothing is written if any part of the batch is invalid (aam.ErrInvalid):
// an event id, meta.tenant_id (must be tenant) or source.connection_id that
// is not a UUID, an empty entity or source.object, an op other than upsert
// or delete, data or extras that do not encode as JSON, a quarantined
// record or checkpoint without connection id or object, or of a connection
// the tenant does not have. Resolved ids that do not exist (for this tenant)
// are ignored. A failed or cancelled Append leaves nothing behind. Event
// times are kept to the microsecond. Safe for concurrent use.
func (a *AAM) Append(ctx context.Context, tenant uuid.UUID, b aam.Batch) (aam.AppendResult, error) {
	const op = "append"
	if err := checkTenant(op, tenant); err != nil {
		return aam.AppendResult{}, err
	}
	staged, deletes, err := checkEvents(op, tenant, b.Events)
	if err != nil {
		return aam.AppendResult{}, err
	}
	quar, err := checkQuarantine(op, b.Quarantine)
	if err != nil {
		return aam.AppendResult{}, err
	}
	cp := b.Checkpoint
	if cp != nil {
		if err := cp.Validate(); err != nil {
			return aam.AppendResult{}, fmt.Errorf("duckstore: %s: %w", op, err)
		}
	}
	conns := map[uuid.UUID]struct{}{}
	for _, r := range quar {
		conns[r.conn] = struct{}{}
	}
	if cp != nil {
		conns[cp.ConnectionID] = struct{}{}
	}
	if err := checkQuality(op, b.Quality, conns); err != nil {
		return aam.AppendResult{}, err
	}

	var res aam.AppendResult
	retry := func(err error) bool {
		// Another writer on the file may have taken our offsets: read the
		// head again.
		delete(a.heads, tenant)
		if errors.Is(err, errDirectRejected) {
			a.staging[tenant] = true
			return true
		}
		return isDuplicateKey(err)
	}
	committed := func() {
		a.heads[tenant] = res.LastOffset
		// A batch with duplicates suggests the next ones have some too (a
		// source read again): stage from now on.
		if res.Appended < len(staged) {
			a.staging[tenant] = true
		}
	}
	err = a.writeRetry(ctx, retry, committed, func(conn *sql.Conn, tx *sql.Tx) error {
		res = aam.AppendResult{}
		for id := range conns {
			ok, err := connectionExists(ctx, tx, tenant, id)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: connection %q does not exist", aam.ErrInvalid, id.String())
			}
		}
		head, err := a.head(ctx, tx, tenant)
		if err != nil {
			return err
		}
		res.LastOffset = head
		if len(staged) > 0 {
			n := len(staged)
			if a.staging[tenant] || deletes {
				n, err = appendStaged(ctx, conn, tx, tenant, head, staged)
			} else {
				err = appendDirect(ctx, conn, tenant, head, staged)
			}
			if err != nil {
				return err
			}
			res.Appended = n
			switch {
			case n == len(staged):
				res.LastOffset = head + int64(n)
			case n > 0:
				if err := tx.QueryRowContext(ctx,
					`SELECT max("offset") FROM canonical_streams WHERE tenant_id = ? AND "offset" > ?`,
					tenant, head).Scan(&res.LastOffset); err != nil {
					return err
				}
			}
		}
		if len(b.Resolved) > 0 {
			if _, err := tx.ExecContext(ctx, resolveSQL, tenant, b.Resolved); err != nil {
				return fmt.Errorf("resolve quarantined records: %w", err)
			}
		}
		if len(quar) > 0 {
			if err := upsertQuarantine(ctx, conn, tx, tenant, quar); err != nil {
				return err
			}
		}
		if cp != nil {
			if err := checkLease(ctx, tx, tenant, cp); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, checkpointSQL, tenant, cp.ConnectionID, cp.Object, string(cp.Cursor)); err != nil {
				return fmt.Errorf("checkpoint: %w", err)
			}
			var at any
			if !cp.FullPassAt.IsZero() {
				at = cp.FullPassAt.UTC()
			}
			if _, err := tx.ExecContext(ctx, fullPassSQL, tenant, cp.ConnectionID, cp.Object, at, at); err != nil {
				return fmt.Errorf("full pass: %w", err)
			}
		}
		if err := insertQuality(ctx, tx, tenant, b.Quality, time.Now()); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return aam.AppendResult{}, aamError(ctx, op, err)
	}
	res.Duplicates = len(b.Events) - res.Appended
	return res, nil
}

// head returns tenant's highest offset, from the cache when it has it.
// The caller holds the write lock.
func (a *AAM) head(ctx context.Context, tx *sql.Tx, tenant uuid.UUID) (int64, error) {
	if h, ok := a.heads[tenant]; ok {
		return h, nil
	}
	var h int64
	if err := tx.QueryRowContext(ctx, headSQL, tenant).Scan(&h); err != nil {
		return 0, fmt.Errorf("stream head: %w", err)
	}
	return h, nil
}

// withAppender runs fill with an Appender on table of conn's driver
// connection, inside conn's open transaction, and flushes it.
func withAppender(conn *sql.Conn, table string, fill func(app *duckdb.Appender) error) error {
	return conn.Raw(func(dc any) error {
		drv, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("driver connection %T is not a driver.Conn", dc)
		}
		app, err := duckdb.NewAppenderFromConn(drv, "", table)
		if err != nil {
			return err
		}
		if err := fill(app); err != nil {
			return errors.Join(err, app.Close())
		}
		return app.Close()
	})
}

// encodeChunk is how many events the encoder hands over at a time.
const encodeChunk = 1024

// encodedChunk holds the JSON columns of staged events [start, start+len).
type encodedChunk struct {
	start  int
	data   []string
	extras []driver.Value // string, or nil for no extras
	err    error
}

// encodeEvents encodes the data and extras of staged events into JSON text
// on a goroutine of its own, chunk by chunk, so the encoding overlaps the
// Appender. The goroutine stops after an encoding error or when stop is
// closed, and closes the returned channel when it is done; the caller
// drains the channel before returning.
func encodeEvents(staged []stagedEvent, stop <-chan struct{}) <-chan encodedChunk {
	out := make(chan encodedChunk, 2)
	go func() {
		defer close(out)
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		encode := func(v any) (string, error) {
			buf.Reset()
			if err := enc.Encode(v); err != nil {
				return "", err
			}
			return strings.TrimSuffix(buf.String(), "\n"), nil
		}
		for start := 0; start < len(staged); start += encodeChunk {
			end := min(start+encodeChunk, len(staged))
			c := encodedChunk{start: start, data: make([]string, end-start), extras: make([]driver.Value, end-start)}
			for i := start; i < end && c.err == nil; i++ {
				e := staged[i].e
				if c.data[i-start], c.err = encode(e.Data); c.err != nil {
					c.err = fmt.Errorf("%w: event %q: data: %v", aam.ErrInvalid, e.EventID, c.err)
					break
				}
				if len(e.Extras) > 0 {
					x, err := encode(e.Extras)
					if err != nil {
						c.err = fmt.Errorf("%w: event %q: extras: %v", aam.ErrInvalid, e.EventID, err)
						break
					}
					c.extras[i-start] = x
				}
			}
			select {
			case out <- c:
			case <-stop:
				return
			}
			if c.err != nil {
				return
			}
		}
	}()
	return out
}

// errDirectRejected marks a failed direct append (most likely an event
// already in the stream), which Append retries through the staging table.
var errDirectRejected = errors.New("direct append rejected")

// streamColumns is the number of canonical_streams' columns.
const streamColumns = 17

// appendDirect appends events straight into the stream through the
// Appender, at offsets head+1, head+2 ...; it is the fast path for batches
// with no event already in the stream, and fails (errDirectRejected, the
// whole transaction to be rolled back) if there is one.
func appendDirect(ctx context.Context, conn *sql.Conn, tenant uuid.UUID, head int64, staged []stagedEvent) error {
	now := time.Now().UTC()
	row := make([]driver.Value, streamColumns)
	row[0] = duckdb.UUID(tenant)
	err := appendEncoded(ctx, conn, "canonical_streams", staged, func(i int, s *stagedEvent, data string, extras driver.Value) []driver.Value {
		e := s.e
		row[1], row[2], row[3], row[4], row[5] = head+int64(i+1), duckdb.UUID(s.id), e.Entity, string(e.Op), duckdb.UUID(s.conn)
		row[6], row[7], row[8], row[9] = e.Source.Object, e.Source.RecordID, e.Source.RecordHash, e.Source.System
		row[10], row[11], row[12] = int32(e.Meta.MappingVersion), int32(e.Meta.SchemaVersion), e.Meta.TraceID
		row[13], row[14], row[15], row[16] = e.Meta.EmittedAt.UTC(), now, data, extras
		return row
	})
	if err == nil {
		err = withAppender(conn, "stream_heads", func(app *duckdb.Appender) error {
			for i := range staged {
				s := &staged[i]
				if !s.Last {
					continue
				}
				e := s.e
				if err := app.AppendRow(duckdb.UUID(tenant), duckdb.UUID(s.conn), e.Source.Object, e.Source.RecordID,
					e.Source.RecordHash, false, head+int64(i+1)); err != nil {
					return fmt.Errorf("event %q: %w", e.EventID, err)
				}
			}
			return nil
		})
	}
	if err != nil && !errors.Is(err, aam.ErrInvalid) {
		return fmt.Errorf("%w: %w", errDirectRejected, err)
	}
	return err
}

// appendEncoded appends one row per staged event into table through the
// Appender, inside conn's open transaction; row builds the row of event i
// from its encoded JSON columns (it may reuse one slice).
func appendEncoded(ctx context.Context, conn *sql.Conn, table string, staged []stagedEvent,
	row func(i int, s *stagedEvent, data string, extras driver.Value) []driver.Value) error {
	stop := make(chan struct{})
	chunks := encodeEvents(staged, stop)
	defer func() {
		close(stop)
		for range chunks { // wait for the encoder to end
		}
	}()
	return withAppender(conn, table, func(app *duckdb.Appender) error {
		for c := range chunks {
			if c.err != nil {
				return c.err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			for j, d := range c.data {
				i := c.start + j
				if err := app.AppendRow(row(i, &staged[i], d, c.extras[j])...); err != nil {
					return fmt.Errorf("event %q: %w", staged[i].e.EventID, err)
				}
			}
		}
		return nil
	})
}

// appendStaged stages events through the Appender and moves them into the
// stream with one statement that skips events already there; it returns
// how many were new.
func appendStaged(ctx context.Context, conn *sql.Conn, tx *sql.Tx, tenant uuid.UUID, head int64, staged []stagedEvent) (int, error) {
	if _, err := tx.ExecContext(ctx, stagingEventsDDL); err != nil {
		return 0, fmt.Errorf("staging table: %w", err)
	}
	row := make([]driver.Value, 17)
	err := appendEncoded(ctx, conn, "aam_staging_events", staged, func(i int, s *stagedEvent, data string, extras driver.Value) []driver.Value {
		e := s.e
		row[0], row[1], row[2] = int64(i+1), s.First, s.Last
		row[3], row[4], row[5], row[6] = duckdb.UUID(s.id), e.Entity, string(e.Op), duckdb.UUID(s.conn)
		row[7], row[8], row[9], row[10] = e.Source.Object, e.Source.RecordID, e.Source.RecordHash, e.Source.System
		row[11], row[12], row[13] = int32(e.Meta.MappingVersion), int32(e.Meta.SchemaVersion), e.Meta.TraceID
		row[14], row[15], row[16] = e.Meta.EmittedAt.UTC(), data, extras
		return row
	})
	if err != nil {
		return 0, fmt.Errorf("stage events: %w", err)
	}
	r, err := tx.ExecContext(ctx, insertStagedSQL, tenant, head, tenant)
	if err != nil {
		return 0, fmt.Errorf("insert events: %w", err)
	}
	n, err := r.RowsAffected()
	if err != nil {
		return 0, err
	}
	if n > 0 {
		if _, err := tx.ExecContext(ctx, upsertHeadsSQL, tenant, head, tenant); err != nil {
			return 0, fmt.Errorf("latest versions: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, "DROP TABLE aam_staging_events"); err != nil {
		return 0, err
	}
	return int(n), nil
}

// upsertQuarantine stages quarantined records through the Appender and
// upserts them.
func upsertQuarantine(ctx context.Context, conn *sql.Conn, tx *sql.Tx, tenant uuid.UUID, recs []stagedRecord) error {
	if _, err := tx.ExecContext(ctx, stagingQuarantineDDL); err != nil {
		return fmt.Errorf("quarantine staging table: %w", err)
	}
	err := withAppender(conn, "aam_staging_quarantine", func(app *duckdb.Appender) error {
		for i, r := range recs {
			if err := app.AppendRow(int64(i+1), duckdb.UUID(r.conn), r.object, r.recordID, r.raw, r.reason,
				r.errs, r.mappingVersion); err != nil {
				return fmt.Errorf("quarantined record %q: %w", r.recordID, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("stage quarantined records: %w", err)
	}
	if _, err := tx.ExecContext(ctx, upsertQuarantineSQL, tenant); err != nil {
		return fmt.Errorf("quarantine: %w", err)
	}
	_, err = tx.ExecContext(ctx, "DROP TABLE aam_staging_quarantine")
	return err
}

const eventColumns = `"offset", event_id, entity, op, connection_id, object, record_id, record_hash, system,
    mapping_version, schema_version, trace_id, emitted_at, data, extras`

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
	query := "SELECT " + eventColumns + ` FROM canonical_streams WHERE tenant_id = ? AND "offset" > ?`
	args := []any{tenant, after}
	if entity != "" {
		query += " AND entity = ?"
		args = append(args, entity)
	}
	rows, err := a.db.QueryContext(ctx, query+` ORDER BY "offset" LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, aamError(ctx, op, err)
	}
	defer rows.Close()
	var (
		list     []aam.StoredEvent
		tenantID = tenant.String()
	)
	for rows.Next() {
		var (
			e            aam.StoredEvent
			id, conn     uuid.UUID
			eop          string
			data, extras sql.NullString
		)
		m, s := &e.Meta, &e.Source
		if err := rows.Scan(&e.Offset, &id, &e.Entity, &eop, &conn, &s.Object, &s.RecordID, &s.RecordHash,
			&s.System, &m.MappingVersion, &m.SchemaVersion, &m.TraceID, &m.EmittedAt, &data, &extras); err != nil {
			return nil, aamError(ctx, op, err)
		}
		e.EventID, e.Op, s.ConnectionID = id.String(), canonical.Op(eop), conn.String()
		m.TenantID, m.EmittedAt = tenantID, m.EmittedAt.UTC()
		if err := decodeJSON(data, &e.Data); err != nil {
			return nil, aamError(ctx, op, fmt.Errorf("event %q: data: %w", e.EventID, err))
		}
		if err := decodeJSON(extras, &e.Extras); err != nil {
			return nil, aamError(ctx, op, fmt.Errorf("event %q: extras: %w", e.EventID, err))
		}
		list = append(list, e)
	}
	if err := rows.Err(); err != nil {
		return nil, aamError(ctx, op, err)
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
	err := a.db.QueryRowContext(ctx,
		"SELECT cursor FROM checkpoints WHERE tenant_id = ? AND connection_id = ? AND object = ?",
		tenant, connection, object).Scan(&cur)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", aamError(ctx, fmt.Sprintf("%s %q of connection %q", op, object, connection.String()), err)
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
	err := a.db.QueryRowContext(ctx,
		"SELECT completed_at FROM full_passes WHERE tenant_id = ? AND connection_id = ? AND object = ?",
		tenant, connection, object).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, aamError(ctx, fmt.Sprintf("%s %q of connection %q", op, object, connection.String()), err)
	}
	return at.UTC(), nil
}

// LiveRecords returns up to limit ids of the records of one source object
// of tenant that are live in the stream (their latest event is an upsert),
// in byte order, after the id after ("" starts at the first). A limit
// below 1 wraps aam.ErrInvalid. Safe for concurrent use.
func (a *AAM) LiveRecords(ctx context.Context, tenant, connection uuid.UUID, object, after string, limit int) ([]string, error) {
	const op = "live records"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, invalid(op, "limit %d is below 1", limit)
	}
	what := fmt.Sprintf("%s %q of connection %q", op, object, connection.String())
	rows, err := a.db.QueryContext(ctx, `
SELECT record_id FROM stream_heads
WHERE tenant_id = ? AND connection_id = ? AND object = ? AND record_id > ? AND NOT deleted
ORDER BY record_id LIMIT ?`, tenant, connection, object, after, limit)
	if err != nil {
		return nil, aamError(ctx, what, err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, aamError(ctx, what, err)
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, aamError(ctx, what, err)
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
	what := fmt.Sprintf("%s %q of connection %q", op, object, connection.String())
	query := `
SELECT id, connection_id, object, record_id, raw, reason, errors, mapping_version, created_at
FROM quarantine WHERE tenant_id = ? AND connection_id = ? AND id > ?`
	args := []any{tenant, connection, after}
	if object != "" {
		query += " AND object = ?"
		args = append(args, object)
	}
	query += " ORDER BY id"
	if limit > 0 {
		query += " LIMIT ?"
		args = append(args, limit)
	}
	rows, err := a.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, aamError(ctx, what, err)
	}
	defer rows.Close()
	var list []aam.QuarantinedRecord
	for rows.Next() {
		var (
			r         aam.QuarantinedRecord
			raw, errs sql.NullString
			created   time.Time
		)
		if err := rows.Scan(&r.ID, &r.ConnectionID, &r.Object, &r.RecordID, &raw, &r.Reason, &errs,
			&r.MappingVersion, &created); err != nil {
			return nil, aamError(ctx, what, err)
		}
		if err := decodeJSON(raw, &r.Raw); err != nil {
			return nil, aamError(ctx, what, fmt.Errorf("quarantined record %d: raw: %w", r.ID, err))
		}
		if errs.Valid {
			if err := json.Unmarshal([]byte(errs.String), &r.Errors); err != nil {
				return nil, aamError(ctx, what, fmt.Errorf("quarantined record %d: errors: %w", r.ID, err))
			}
		}
		r.CreatedAt = created.UTC()
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, aamError(ctx, what, err)
	}
	return list, nil
}
