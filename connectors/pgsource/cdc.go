package pgsource

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/autonomos/autonomos/connectors"
)

// Change data capture (mode=cdc).
//
// Each table has its own publication and logical replication slot (pgoutput
// plugin), named by slotName. A read from the empty cursor (re)creates the
// slot with an exported snapshot, reads the table's rows in that snapshot,
// then streams the changes committed after it: nothing is missed or doubled
// between the snapshot and the stream. Later reads stream from the cursor.
//
// The slot's confirmed position is the durability contract: the cursor of a
// record is durable only once the platform stored it together with the
// records before it, which it proves by calling Read again with that
// cursor. So a read acknowledges to the server only the LSN of the cursor it
// was given (and, while it has emitted nothing yet, the end of transactions
// that held no change of the table), never a position it emitted itself.

// Phases of a CDC cursor.
const (
	phaseSnapshot = "snap" // reading the initial snapshot; Key is the last row
	phaseStream   = "wal"  // streaming changes
)

// cdcPosition is the CDC part of a cursor.
type cdcPosition struct {
	// Slot is the replication slot the cursor belongs to.
	Slot string `json:"s"`
	// Phase is phaseSnapshot or phaseStream.
	Phase string `json:"p"`
	// LSN is where the stream resumes: the slot's consistent point in the
	// snapshot phase, else the end of the last transaction whose changes
	// were all emitted.
	LSN string `json:"l"`
	// Tx and N, mid-transaction: the transaction (its final LSN) whose
	// first N changes of the table were emitted.
	Tx string `json:"x,omitempty"`
	N  int    `json:"i,omitempty"`
}

func (c *cdcPosition) check() error {
	bad := func(what string) error {
		return fmt.Errorf("%w: %s: change-data-capture cursor: %s", connectors.ErrInvalidCursor, Name, what)
	}
	if c.Slot == "" || (c.Phase != phaseSnapshot && c.Phase != phaseStream) {
		return bad("no slot or unknown phase")
	}
	if _, err := pglogrepl.ParseLSN(c.LSN); err != nil {
		return bad("malformed LSN")
	}
	if (c.Tx == "") != (c.N == 0) || c.N < 0 || (c.Tx != "" && c.Phase != phaseStream) {
		return bad("malformed transaction position")
	}
	if c.Tx != "" {
		if _, err := pglogrepl.ParseLSN(c.Tx); err != nil {
			return bad("malformed transaction LSN")
		}
	}
	return nil
}

// standbyInterval is how often a long read tells the server it is alive
// (wal_sender_timeout defaults to 60s).
const standbyInterval = 10 * time.Second

// readCDC is Read for mode=cdc.
func (s *Source) readCDC(ctx context.Context, t *table, pos *position, emit func(connectors.Record) error) error {
	slot := s.slotName(t.name)
	plan := newReadPlan(s.schema, t, "")
	var cp *cdcPosition
	if pos != nil {
		cp = pos.CDC
		if pos.Table != t.name {
			return fmt.Errorf("%w: %s: cursor is for table %q, not %q", connectors.ErrInvalidCursor, Name, pos.Table, t.name)
		}
		if cp == nil {
			return fmt.Errorf("%w: %s: cursor was not made by a change-data-capture read (mode changed? start over with an empty cursor)", connectors.ErrInvalidCursor, Name)
		}
		if cp.Slot != slot {
			return fmt.Errorf("%w: %s: cursor is for replication slot %q, table %q uses %q", connectors.ErrInvalidCursor, Name, cp.Slot, t.name, slot)
		}
		if cp.Phase == phaseSnapshot && len(pos.Key) != len(t.pk) {
			return fmt.Errorf("%w: %s: cursor has %d key values, table %q has %d key columns", connectors.ErrInvalidCursor, Name, len(pos.Key), t.name, len(t.pk))
		}
	}
	if err := s.ensurePublication(ctx, t.name); err != nil {
		return err
	}
	conn, err := s.replicationConn(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = conn.Close(context.Background()) }()

	if cp == nil {
		// A new capture: a fresh slot whose exported snapshot the table is
		// read in.
		lsn, err := s.snapshotRead(ctx, conn, plan, slot, emit)
		if err != nil {
			return err
		}
		cp = &cdcPosition{Slot: slot, Phase: phaseStream, LSN: lsn.String()}
		// The replication connection ran CREATE_REPLICATION_SLOT; a stream
		// needs a connection of its own.
		_ = conn.Close(ctx)
		if conn, err = s.replicationConn(ctx); err != nil {
			return err
		}
	} else {
		var exists bool
		if err := s.pool.QueryRow(ctx, sqlSlotExists, slot).Scan(&exists); err != nil {
			return s.interpret(ctx, "look up replication slot", err)
		}
		if !exists {
			return fmt.Errorf("%w: %s: replication slot %q of table %q is gone; start over with an empty cursor", connectors.ErrInvalidCursor, Name, slot, t.name)
		}
		if cp.Phase == phaseSnapshot {
			// The exported snapshot died with its session: read the rest
			// of the table now, then replay every change after the slot's
			// consistent point (so rows read now and changed since are
			// replayed into their latest state).
			if err := s.continueSnapshot(ctx, plan, *pos, emit); err != nil {
				return err
			}
			cp = &cdcPosition{Slot: slot, Phase: phaseStream, LSN: cp.LSN}
		}
	}
	return s.stream(ctx, conn, plan, cp, emit)
}

// replicationConn opens a logical replication connection with fixed text
// forms for the values pgoutput sends.
func (s *Source) replicationConn(ctx context.Context) (*pgconn.PgConn, error) {
	cfg := s.connCfg.Copy()
	if cfg.RuntimeParams == nil {
		cfg.RuntimeParams = map[string]string{}
	}
	cfg.RuntimeParams["replication"] = "database"
	cfg.RuntimeParams["application_name"] = "autonomos-pgsource-cdc"
	cfg.RuntimeParams["DateStyle"] = "ISO, MDY"
	cfg.RuntimeParams["IntervalStyle"] = "postgres"
	cfg.RuntimeParams["extra_float_digits"] = "3"
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, s.interpret(ctx, "open replication connection", err)
	}
	return conn, nil
}

// snapshotRead re-creates the slot with an exported snapshot and emits the
// table's rows in it. It returns the slot's consistent point.
func (s *Source) snapshotRead(ctx context.Context, conn *pgconn.PgConn, plan *readPlan, slot string, emit func(connectors.Record) error) (pglogrepl.LSN, error) {
	var exists bool
	if err := s.pool.QueryRow(ctx, sqlSlotExists, slot).Scan(&exists); err != nil {
		return 0, s.interpret(ctx, "look up replication slot", err)
	}
	if exists {
		if err := s.dropSlot(ctx, slot); err != nil {
			return 0, err
		}
	}
	res, err := pglogrepl.CreateReplicationSlot(ctx, conn, slot, "pgoutput", pglogrepl.CreateReplicationSlotOptions{
		Mode: pglogrepl.LogicalReplication, SnapshotAction: "EXPORT_SNAPSHOT",
	})
	if err != nil {
		return 0, s.interpret(ctx, fmt.Sprintf("create replication slot %q", slot), err)
	}
	lsn, err := pglogrepl.ParseLSN(res.ConsistentPoint)
	if err != nil {
		return 0, fmt.Errorf("%s: create replication slot %q: consistent point %q: %w", Name, slot, res.ConsistentPoint, err)
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if _, err := tx.Exec(ctx, "SET TRANSACTION SNAPSHOT '"+strings.ReplaceAll(res.SnapshotName, "'", "''")+"'"); err != nil {
		return 0, s.interpret(ctx, "use the slot's snapshot", err)
	}
	if err := setTextForms(ctx, tx); err != nil {
		return 0, s.interpret(ctx, "begin read", err)
	}
	cur := &cdcPosition{Slot: slot, Phase: phaseSnapshot, LSN: lsn.String()}
	return lsn, s.pages(ctx, tx, plan, nil, cur, emit)
}

// continueSnapshot reads the rows after pos in a new snapshot.
func (s *Source) continueSnapshot(ctx context.Context, plan *readPlan, pos position, emit func(connectors.Record) error) error {
	tx, err := s.beginRead(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := setTextForms(ctx, tx); err != nil {
		return s.interpret(ctx, "begin read", err)
	}
	if err := plan.validate(ctx, tx, position{Key: pos.Key}); err != nil {
		return s.cursorError(ctx, err)
	}
	return s.pages(ctx, tx, plan, &position{Table: pos.Table, Key: pos.Key}, pos.CDC, emit)
}

// beginRead starts a READ ONLY, REPEATABLE READ transaction.
func (s *Source) beginRead(ctx context.Context) (pgx.Tx, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, s.interpret(ctx, "begin read", err)
	}
	return tx, nil
}

// setTextForms fixes the text forms of values, so cursor values parse back
// the same way.
func setTextForms(ctx context.Context, tx pgx.Tx) error {
	_, err := tx.Exec(ctx, `SELECT set_config('DateStyle', 'ISO, MDY', true), set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '3', true)`)
	return err
}

// pages emits the rows after pos (all when nil) in key order, each with a
// snapshot-phase cursor, except the last row: its cursor is the stream's
// start, since after it every change is in the stream.
func (s *Source) pages(ctx context.Context, tx pgx.Tx, plan *readPlan, pos *position, cur *cdcPosition, emit func(connectors.Record) error) error {
	where, args := plan.where(pos)
	var held *connectors.Record
	for {
		page, last, err := plan.page(ctx, tx, where, args, s.pageSize)
		if err != nil {
			return s.interpret(ctx, fmt.Sprintf("read table %q", plan.t.name), err)
		}
		for _, rec := range page {
			if err := ctx.Err(); err != nil {
				return err
			}
			if held != nil {
				if err := emit(*held); err != nil {
					return err
				}
			}
			p, _ := decodeCursor(rec.Cursor) // made by page: cannot fail
			p.CDC = cur
			rec.Cursor = p.encode()
			held = &rec
		}
		if len(page) < s.pageSize {
			break
		}
		where, args = plan.where(&last)
	}
	if held == nil {
		return nil
	}
	held.Cursor = position{Table: plan.t.name, CDC: &cdcPosition{Slot: cur.Slot, Phase: phaseStream, LSN: cur.LSN}}.encode()
	return emit(*held)
}

// streamState follows one replication stream.
type streamState struct {
	s      *Source
	plan   *readPlan
	conn   *pgconn.PgConn
	emit   func(connectors.Record) error
	types  *pgtype.Map
	rels   map[uint32]*pglogrepl.RelationMessage
	target pglogrepl.LSN // the server's WAL end when the read began
	from   pglogrepl.LSN // the cursor's LSN

	done    pglogrepl.LSN // end of the last transaction fully emitted
	ack     pglogrepl.LSN // what the server is told is durable
	emitted bool          // a record was emitted by this read
	skipTx  string        // resuming mid-transaction: this transaction...
	skipN   int           // ...has its first skipN changes emitted already

	inTx    bool
	tx      pglogrepl.LSN // final LSN of the open transaction
	txN     int           // changes of the table seen in it
	pending *connectors.Record
	lastMsg time.Time
	lastAck time.Time
}

// stream reads the slot's changes of the table from cp until it has caught
// up with the server's WAL end as of the read's start, or the server has
// been silent for cdc_wait.
func (s *Source) stream(ctx context.Context, conn *pgconn.PgConn, plan *readPlan, cp *cdcPosition, emit func(connectors.Record) error) error {
	from, _ := pglogrepl.ParseLSN(cp.LSN) // checked by decodeCursor
	sys, err := pglogrepl.IdentifySystem(ctx, conn)
	if err != nil {
		return s.interpret(ctx, "identify system", err)
	}
	st := &streamState{
		s: s, plan: plan, conn: conn, emit: emit, types: pgtype.NewMap(),
		rels: map[uint32]*pglogrepl.RelationMessage{}, target: sys.XLogPos,
		from: from, done: from, ack: from, skipTx: cp.Tx, skipN: cp.N, lastMsg: time.Now(),
	}
	slot := s.slotName(plan.t.name)
	args := []string{"proto_version '1'", "publication_names '" + slot + "'"}
	for attempt := 0; ; attempt++ {
		err = pglogrepl.StartReplication(ctx, conn, slot, from, pglogrepl.StartReplicationOptions{PluginArgs: args})
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == "55006" && attempt < 50 {
			// The slot is still held by the session of the previous read,
			// which is ending.
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			continue
		}
		break
	}
	if err != nil {
		return s.interpret(ctx, fmt.Sprintf("start replication from slot %q", slot), err)
	}
	// The cursor we were given is durable: the server may free what is
	// before it.
	if err := st.sendAck(ctx); err != nil {
		return err
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if time.Since(st.lastAck) > standbyInterval {
			if err := st.sendAck(ctx); err != nil {
				return err
			}
		}
		rctx, cancel := context.WithTimeout(ctx, min(s.cdcWait, standbyInterval))
		raw, err := conn.ReceiveMessage(rctx)
		cancel()
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return ctxErr
			}
			if pgconn.Timeout(err) {
				if time.Since(st.lastMsg) >= s.cdcWait {
					return st.finish()
				}
				continue
			}
			return s.interpret(ctx, "receive changes", err)
		}
		st.lastMsg = time.Now()
		switch m := raw.(type) {
		case *pgproto3.ErrorResponse:
			return s.interpret(ctx, "receive changes", pgconn.ErrorResponseToPgError(m))
		case *pgproto3.CopyData:
			stop, err := st.handle(ctx, m.Data)
			if err != nil {
				return err
			}
			if stop {
				return st.finish()
			}
		}
	}
}

func (st *streamState) sendAck(ctx context.Context) error {
	st.lastAck = time.Now()
	err := pglogrepl.SendStandbyStatusUpdate(ctx, st.conn, pglogrepl.StandbyStatusUpdate{WALWritePosition: st.ack})
	if err != nil {
		return st.s.interpret(ctx, "acknowledge changes", err)
	}
	return nil
}

// finish ends the read: a change held back for its cursor is emitted with a
// mid-transaction cursor.
func (st *streamState) finish() error {
	if st.pending != nil {
		rec := *st.pending
		st.pending = nil
		return st.emit(rec)
	}
	return nil
}

// handle processes one CopyData message; stop is true once the stream has
// caught up with the target.
func (st *streamState) handle(ctx context.Context, data []byte) (stop bool, err error) {
	if len(data) == 0 {
		return false, nil
	}
	switch data[0] {
	case pglogrepl.PrimaryKeepaliveMessageByteID:
		k, err := pglogrepl.ParsePrimaryKeepaliveMessage(data[1:])
		if err != nil {
			return false, fmt.Errorf("%s: parse keepalive: %w", Name, err)
		}
		if !st.inTx && !st.emitted && k.ServerWALEnd > st.ack {
			// Nothing of the table between the cursor and here.
			st.ack = k.ServerWALEnd
		}
		if k.ReplyRequested {
			if err := st.sendAck(ctx); err != nil {
				return false, err
			}
		}
		return !st.inTx && k.ServerWALEnd >= st.target, nil
	case pglogrepl.XLogDataByteID:
		x, err := pglogrepl.ParseXLogData(data[1:])
		if err != nil {
			return false, fmt.Errorf("%s: parse WAL data: %w", Name, err)
		}
		msg, err := pglogrepl.Parse(x.WALData)
		if err != nil {
			return false, fmt.Errorf("%s: parse pgoutput message: %w", Name, err)
		}
		return st.message(ctx, msg)
	}
	return false, nil
}

func (st *streamState) message(ctx context.Context, msg pglogrepl.Message) (bool, error) {
	switch m := msg.(type) {
	case *pglogrepl.RelationMessage:
		st.rels[m.RelationID] = m
	case *pglogrepl.BeginMessage:
		st.inTx, st.tx, st.txN = true, m.FinalLSN, 0
	case *pglogrepl.CommitMessage:
		st.inTx = false
		end := m.TransactionEndLSN
		if st.pending != nil {
			rec := *st.pending
			st.pending = nil
			if end > st.done {
				st.done = end
			}
			rec.Cursor = st.cursor(0)
			if err := st.emit(rec); err != nil {
				return false, err
			}
		} else if end > st.done {
			st.done = end
		}
		if !st.emitted && end > st.ack {
			st.ack = end
		}
		return end >= st.target, nil
	case *pglogrepl.InsertMessage:
		return false, st.change(ctx, m.RelationID, m.Tuple, nil, false)
	case *pglogrepl.UpdateMessage:
		return false, st.change(ctx, m.RelationID, m.NewTuple, m.OldTuple, false)
	case *pglogrepl.DeleteMessage:
		return false, st.change(ctx, m.RelationID, m.OldTuple, nil, true)
	case *pglogrepl.TruncateMessage:
		for _, id := range m.RelationIDs {
			if st.ours(id) {
				return false, fmt.Errorf("%w: %s: table %q was truncated; start over with an empty cursor to read it again", connectors.ErrInvalidCursor, Name, st.plan.t.name)
			}
		}
	}
	return false, nil
}

func (st *streamState) ours(rel uint32) bool {
	r := st.rels[rel]
	return r != nil && r.Namespace == st.s.schema && r.RelationName == st.plan.t.name
}

// cursor is the cursor after the n-th change of the open transaction; n 0
// means after the whole transaction.
func (st *streamState) cursor(n int) connectors.Cursor {
	c := &cdcPosition{Slot: st.s.slotName(st.plan.t.name), Phase: phaseStream, LSN: st.done.String()}
	if n > 0 {
		c.Tx, c.N = st.tx.String(), n
	}
	return position{Table: st.plan.t.name, CDC: c}.encode()
}

// change turns one row change into records. An update that changed the
// key first deletes the old key.
func (st *streamState) change(ctx context.Context, relID uint32, tuple, old *pglogrepl.TupleData, deleted bool) error {
	if !st.ours(relID) {
		return nil
	}
	if st.tx < st.from {
		return nil // committed before the cursor: emitted before
	}
	rel := st.rels[relID]
	var recs []connectors.Record
	if old != nil && !deleted {
		oldID, err := st.id(rel, old)
		if err != nil {
			return err
		}
		newID, err := st.id(rel, tuple)
		if err != nil {
			return err
		}
		if oldID != newID {
			recs = append(recs, connectors.Record{ID: oldID, Deleted: true})
		}
	}
	rec, err := st.record(ctx, rel, tuple, deleted)
	if err != nil {
		return err
	}
	recs = append(recs, rec)
	for _, r := range recs {
		st.txN++
		if st.skipTx != "" && st.skipTx == st.tx.String() && st.txN <= st.skipN {
			continue // emitted before the restart
		}
		if st.pending != nil {
			p := *st.pending
			if err := st.emit(p); err != nil {
				return err
			}
		}
		r.Cursor = st.cursor(st.txN)
		st.pending = &r
		st.emitted = true
	}
	return nil
}

// id is the record ID of a tuple: the key columns' text forms.
func (st *streamState) id(rel *pglogrepl.RelationMessage, tuple *pglogrepl.TupleData) (string, error) {
	key, err := st.keyTexts(rel, tuple)
	if err != nil {
		return "", err
	}
	return recordID(key), nil
}

func (st *streamState) keyTexts(rel *pglogrepl.RelationMessage, tuple *pglogrepl.TupleData) ([]string, error) {
	if tuple == nil {
		return nil, fmt.Errorf("%s: table %q: a change came without its key (is REPLICA IDENTITY NOTHING set?)", Name, st.plan.t.name)
	}
	key := make([]string, len(st.plan.t.pk))
	for i, k := range st.plan.t.pk {
		found := false
		for j, c := range rel.Columns {
			if c.Name == k && j < len(tuple.Columns) && tuple.Columns[j].DataType == pglogrepl.TupleDataTypeText {
				key[i], found = string(tuple.Columns[j].Data), true
			}
		}
		if !found {
			return nil, fmt.Errorf("%s: table %q: a change came without key column %q (the replica identity must include the primary key)", Name, st.plan.t.name, k)
		}
	}
	return key, nil
}

// record decodes a tuple into a record like a snapshot read makes. A
// column whose TOASTed value did not change is not sent; the row is read
// again then (a later change of the row follows in the stream if it
// changed again since).
func (st *streamState) record(ctx context.Context, rel *pglogrepl.RelationMessage, tuple *pglogrepl.TupleData, deleted bool) (connectors.Record, error) {
	key, err := st.keyTexts(rel, tuple)
	if err != nil {
		return connectors.Record{}, err
	}
	rec := connectors.Record{ID: recordID(key)}
	if deleted {
		rec.Deleted = true
		return rec, nil
	}
	fields := make(map[string]any, len(rel.Columns))
	for j, c := range rel.Columns {
		if j >= len(tuple.Columns) {
			break
		}
		col := tuple.Columns[j]
		switch col.DataType {
		case pglogrepl.TupleDataTypeNull:
			fields[c.Name] = nil
		case pglogrepl.TupleDataTypeToast:
			return st.reread(ctx, key)
		case pglogrepl.TupleDataTypeText:
			v, err := st.decode(c.Name, c.DataType, col.Data)
			if err != nil {
				rec.Err = &connectors.RecordError{Location: fmt.Sprintf("%s:%s", st.plan.t.name, rec.ID), Reason: err.Error(), Raw: truncate(string(col.Data))}
				return rec, nil
			}
			fields[c.Name] = v
		default:
			return connectors.Record{}, fmt.Errorf("%s: table %q column %q: unexpected tuple data type %q", Name, st.plan.t.name, c.Name, col.DataType)
		}
	}
	rec.Fields = fields
	return rec, nil
}

// decode decodes a text value the way a snapshot read decodes the column:
// by the column's base type.
func (st *streamState) decode(name string, oid uint32, data []byte) (any, error) {
	if c, ok := st.plan.t.column(name); ok && c.baseOID != 0 {
		oid = c.baseOID
	}
	dt, ok := st.types.TypeForOID(oid)
	if !ok {
		return string(data), nil
	}
	v, err := dt.Codec.DecodeValue(st.types, oid, pgtype.TextFormatCode, data)
	if err != nil {
		return nil, fmt.Errorf("column %q: %w", name, err)
	}
	return recordValue(v), nil
}

// reread reads the current row of key; a row deleted since is a delete
// (its delete follows in the stream too).
func (st *streamState) reread(ctx context.Context, key []string) (connectors.Record, error) {
	args := make([]any, len(key))
	for i, k := range key {
		args[i] = k
	}
	tx, err := st.s.beginRead(ctx)
	if err != nil {
		return connectors.Record{}, err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	where := " WHERE " + idents(st.plan.pkCols) + " = " + params(st.plan.pkCols, 1)
	page, _, err := st.plan.page(ctx, tx, where, args, 1)
	if err != nil {
		return connectors.Record{}, st.s.interpret(ctx, fmt.Sprintf("read row of table %q", st.plan.t.name), err)
	}
	if len(page) == 0 {
		return connectors.Record{ID: recordID(key), Deleted: true}, nil
	}
	rec := page[0]
	rec.Cursor = ""
	return rec, nil
}

// truncate bounds raw text kept in a RecordError.
func truncate(s string) string {
	const max = 64 << 10
	if len(s) > max {
		return s[:max]
	}
	return s
}
