package pgsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/autonomos/autonomos/connectors"
)

// Read emits the rows of table req.Object after req.Cursor, in key order
// (cursor column first when the table has the configured cursor column),
// all from one READ ONLY, REPEATABLE READ snapshot. An unknown table wraps
// connectors.ErrNotFound, a table without a primary key wraps
// connectors.ErrInvalidConfig, a foreign cursor wraps
// connectors.ErrInvalidCursor. A row whose values cannot be decoded is
// emitted with Err set. Read returns ctx.Err() when ctx is cancelled and the
// error of emit when emit fails.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.wanted(req.Object) {
		return fmt.Errorf("%w: %s: table %q is not among the configured tables", connectors.ErrNotFound, Name, req.Object)
	}
	var pos *position
	if req.Cursor != "" {
		p, err := decodeCursor(req.Cursor)
		if err != nil {
			return err
		}
		pos = &p
	}

	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return s.interpret(ctx, "begin read", err)
	}
	defer func() { _ = tx.Rollback(ctx) }() // read only: nothing to keep

	// Fixed text forms, so cursor values parse back the same way.
	if _, err := tx.Exec(ctx, `SELECT set_config('DateStyle', 'ISO, MDY', true), set_config('IntervalStyle', 'postgres', true), set_config('extra_float_digits', '3', true)`); err != nil {
		return s.interpret(ctx, "begin read", err)
	}

	tables, err := s.loadTables(ctx, tx, []string{req.Object})
	if err != nil {
		return err
	}
	if len(tables) == 0 {
		return fmt.Errorf("%w: %s: schema %q has no table %q", connectors.ErrNotFound, Name, s.schema, req.Object)
	}
	t := tables[0]
	if len(t.pk) == 0 {
		return fmt.Errorf("%w: %s: table %q has no primary key; reads resume by primary key, so add one or leave the table out of \"tables\"", connectors.ErrInvalidConfig, Name, t.name)
	}
	if s.mode == modeCDC {
		_ = tx.Rollback(ctx)
		return s.readCDC(ctx, t, pos, emit)
	}
	plan := newReadPlan(s.schema, t, s.cursorColumn)
	if pos != nil {
		if err := pos.check(t, plan.cursorCol.name); err != nil {
			return err
		}
		if pos.CDC != nil {
			return fmt.Errorf("%w: %s: cursor was made by a change-data-capture read; this connection reads table %q with mode %q", connectors.ErrInvalidCursor, Name, t.name, s.mode)
		}
		if err := plan.validate(ctx, tx, *pos); err != nil {
			return s.cursorError(ctx, err)
		}
	}

	var where string
	var args []any
	if plan.cursorCol.name != "" {
		if err := tx.QueryRow(ctx, sqlSnapshotBounds).Scan(&plan.xmin, &plan.xmax); err != nil {
			return s.interpret(ctx, "read snapshot", err)
		}
		rw := resumeFrom(pos)
		plan.marks = rw.marks
		where, args = plan.rewindWhere(rw, s.lookback)
	} else {
		where, args = plan.where(pos)
	}
	for {
		page, last, err := plan.page(ctx, tx, where, args, s.pageSize)
		if err != nil {
			if pos != nil {
				return s.cursorError(ctx, err)
			}
			return s.interpret(ctx, fmt.Sprintf("read table %q", t.name), err)
		}
		for _, rec := range page {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := emit(rec); err != nil {
				return err
			}
		}
		if len(page) < s.pageSize {
			return nil
		}
		where, args = plan.where(&last)
	}
}

func (s *Source) cursorError(ctx context.Context, err error) error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || pgErr.Code == "42804") {
		return fmt.Errorf("%w: %s: cursor values do not fit the table's columns: %s", connectors.ErrInvalidCursor, Name, s.scrub(pgErr.Message))
	}
	return s.interpret(ctx, "check cursor", err)
}

// readPlan holds the SQL of one table's read.
type readPlan struct {
	t         *table
	pkCols    []column
	cursorCol column // zero when the table is read by primary key only
	selectSQL string // the columns, then key texts, then cursor text
	orderSQL  string
	fromSQL   string
	// Incremental reads: the snapshot bounds and the earlier marks every
	// record's cursor carries (see marks.go).
	xmin, xmax uint64
	marks      []mark
}

// timeTypes are the cursor-column base types the look-back window applies
// to.
var timeTypes = map[string]bool{"timestamptz": true, "timestamp": true, "date": true}

// rewindWhere returns the condition an incremental read starts with.
func (p *readPlan) rewindWhere(rw rewind, lookback time.Duration) (string, []any) {
	if rw.full {
		return "", nil
	}
	args := make([]any, 0, len(rw.values)+1)
	vals := make([]string, len(rw.values))
	for i, v := range rw.values {
		args = append(args, v)
		vals[i] = "$" + strconv.Itoa(i+1) + "::text::" + p.cursorCol.sqlType
	}
	from := "LEAST(" + strings.Join(vals, ", ") + ")"
	if lookback > 0 && timeTypes[p.cursorCol.typeName] {
		args = append(args, lookback.String())
		from += " - $" + strconv.Itoa(len(args)) + "::interval"
	}
	return " WHERE src." + pgx.Identifier{p.cursorCol.name}.Sanitize() + " >= " + from, args
}

func newReadPlan(schema string, t *table, cursorColumn string) *readPlan {
	p := &readPlan{t: t, fromSQL: pgx.Identifier{schema, t.name}.Sanitize() + " AS src"}
	if c, ok := t.column(cursorColumn); ok && cursorColumn != "" {
		p.cursorCol = c
	}
	var sel, order []string
	for _, c := range t.columns {
		sel = append(sel, "src."+pgx.Identifier{c.name}.Sanitize())
	}
	if p.cursorCol.name != "" {
		order = append(order, "src."+pgx.Identifier{p.cursorCol.name}.Sanitize()+" ASC NULLS FIRST")
	}
	for _, k := range t.pk {
		c, _ := t.column(k)
		p.pkCols = append(p.pkCols, c)
		id := pgx.Identifier{k}.Sanitize()
		sel = append(sel, "src."+id+"::text")
		order = append(order, "src."+id)
	}
	if p.cursorCol.name != "" {
		sel = append(sel, "src."+pgx.Identifier{p.cursorCol.name}.Sanitize()+"::text")
	}
	p.selectSQL = strings.Join(sel, ", ")
	p.orderSQL = strings.Join(order, ", ")
	return p
}

// params renders placeholders $first.. for cols, cast from text to the
// column types.
func params(cols []column, first int) string {
	var b strings.Builder
	b.WriteString("(")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i) + "::text::" + c.sqlType)
	}
	b.WriteString(")")
	return b.String()
}

func idents(cols []column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = "src." + pgx.Identifier{c.name}.Sanitize()
	}
	return "(" + strings.Join(names, ", ") + ")"
}

// where returns the keyset condition after pos and its arguments.
func (p *readPlan) where(pos *position) (string, []any) {
	if pos == nil {
		return "", nil
	}
	args := make([]any, 0, len(pos.Key)+1)
	if p.cursorCol.name == "" {
		for _, k := range pos.Key {
			args = append(args, k)
		}
		return " WHERE " + idents(p.pkCols) + " > " + params(p.pkCols, 1), args
	}
	cur := "src." + pgx.Identifier{p.cursorCol.name}.Sanitize()
	if pos.Value == nil {
		// NULLs sort first: the rest of the NULL rows by key, then every
		// non-NULL row.
		for _, k := range pos.Key {
			args = append(args, k)
		}
		return " WHERE (" + cur + " IS NULL AND " + idents(p.pkCols) + " > " + params(p.pkCols, 1) + ") OR " + cur + " IS NOT NULL", args
	}
	args = append(args, *pos.Value)
	for _, k := range pos.Key {
		args = append(args, k)
	}
	all := append([]column{p.cursorCol}, p.pkCols...)
	return " WHERE " + idents(all) + " > " + params(all, 1), args
}

// validate casts the cursor's values to the column types, so a cursor that
// does not fit fails before any row is read.
func (p *readPlan) validate(ctx context.Context, tx pgx.Tx, pos position) error {
	cols := p.pkCols
	args := make([]any, 0, len(pos.Key)+1)
	for _, k := range pos.Key {
		args = append(args, k)
	}
	if pos.Value != nil {
		cols = append(append([]column{}, cols...), p.cursorCol)
		args = append(args, *pos.Value)
	}
	for _, m := range pos.Marks {
		if m.Start {
			continue
		}
		for _, k := range m.Key {
			args = append(args, k)
		}
		cols = append(append([]column{}, cols...), p.pkCols...)
		if m.Value != nil {
			cols = append(cols, p.cursorCol)
			args = append(args, *m.Value)
		}
	}
	_, err := tx.Exec(ctx, "SELECT "+strings.TrimSuffix(strings.TrimPrefix(params(cols, 1), "("), ")"), args...)
	return err
}

// page reads up to limit rows after pos and returns them as records, with
// the position of the last one.
func (p *readPlan) page(ctx context.Context, tx pgx.Tx, where string, args []any, limit int) ([]connectors.Record, position, error) {
	sql := "SELECT " + p.selectSQL + " FROM " + p.fromSQL + where + " ORDER BY " + p.orderSQL + " LIMIT " + strconv.Itoa(limit)
	rows, err := tx.Query(ctx, sql, args...)
	if err != nil {
		return nil, position{}, err
	}
	defer rows.Close()

	var out []connectors.Record
	var last position
	ncol := len(p.t.columns)
	for rows.Next() {
		raw := rows.RawValues()
		last = position{Table: p.t.name, Key: make([]string, len(p.pkCols)), Column: p.cursorCol.name, Xmin: p.xmin, Xmax: p.xmax, Marks: p.marks}
		for i := range p.pkCols {
			last.Key[i] = string(raw[ncol+i]) // text: binary form is the UTF-8 text
		}
		if p.cursorCol.name != "" {
			if v := raw[ncol+len(p.pkCols)]; v != nil {
				s := string(v)
				last.Value = &s
			}
		}
		rec := connectors.Record{ID: recordID(last.Key), Cursor: last.encode()}
		vals, err := decodeRow(rows, tx.Conn().TypeMap(), ncol)
		if err != nil {
			rec.Err = &connectors.RecordError{
				Location: fmt.Sprintf("%s:%s", p.t.name, rec.ID),
				Reason:   err.Error(),
			}
		} else {
			rec.Fields = make(map[string]any, ncol)
			for i, c := range p.t.columns {
				rec.Fields[c.name] = recordValue(vals[i])
			}
		}
		out = append(out, rec)
	}
	if err := rows.Err(); err != nil {
		return nil, position{}, err
	}
	return out, last, nil
}

// recordID is the key value for one-column keys and the JSON array of the
// key values otherwise.
func recordID(key []string) string {
	if len(key) == 1 {
		return key[0]
	}
	b, _ := json.Marshal(key) // strings only: cannot fail
	return string(b)
}

// decodeRow decodes the first n values of the current row one by one, so a
// value that cannot be decoded fails this row only (rows.Values would end
// the whole query).
func decodeRow(rows pgx.Rows, m *pgtype.Map, n int) ([]any, error) {
	fds := rows.FieldDescriptions()
	raw := rows.RawValues()
	out := make([]any, n)
	for i := 0; i < n; i++ {
		if raw[i] == nil {
			continue
		}
		fd := fds[i]
		dt, ok := m.TypeForOID(fd.DataTypeOID)
		if !ok {
			if fd.Format == pgx.TextFormatCode {
				out[i] = string(raw[i])
			} else {
				out[i] = append([]byte(nil), raw[i]...)
			}
			continue
		}
		v, err := dt.Codec.DecodeValue(m, fd.DataTypeOID, fd.Format, raw[i])
		if err != nil {
			return nil, fmt.Errorf("column %q: %w", fd.Name, err)
		}
		out[i] = v
	}
	return out, nil
}
