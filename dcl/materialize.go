package dcl

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

// BatchResult says what one materialized batch changed.
type BatchResult struct {
	// Events counts the events applied; Skipped those at or below the
	// checkpoint (already materialized).
	Events  int `json:"events"`
	Skipped int `json:"skipped"`
	// Upserts and Deletes count distinct records written and removed.
	Upserts int `json:"upserts"`
	Deletes int `json:"deletes"`
	// Offset is the checkpoint after the batch.
	Offset int64 `json:"offset"`
}

// pending is the last event of one record within a batch.
type pending struct {
	key memberKey
	ev  *aam.StoredEvent
}

// Materialize applies a batch of stored events, in offset order, to the
// views, the unification state and the checkpoint, all in one DuckDB
// transaction: rows are bulk-loaded with the Appender and merged set-wise
// (the last event of each record wins; deletes remove the record), and the
// checkpoint advances to the batch's last offset in the same commit.
// Concurrent readers see the state before or after the batch, never part
// of it. Events at or below the checkpoint are skipped, so replaying a
// batch is harmless.
//
// Errors wrap ErrInvalid (offsets not increasing, an event of another
// tenant or of an entity without a view, an event without a record id) or
// ErrStorage; on error nothing of the batch is visible.
func (e *Engine) Materialize(ctx context.Context, batch []aam.StoredEvent) (BatchResult, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.materializeLocked(ctx, batch)
}

func (e *Engine) materializeLocked(ctx context.Context, batch []aam.StoredEvent) (BatchResult, error) {
	res := BatchResult{Offset: e.offset}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed || e.db == nil {
		return res, ErrClosed
	}
	tenant := e.tenant.String()
	last := e.offset
	perView := map[*View]map[memberKey]int{}
	var order []pending
	for i := range batch {
		ev := &batch[i]
		if ev.Offset <= e.offset {
			res.Skipped++
			continue
		}
		if ev.Offset <= last {
			return res, fmt.Errorf("%w: materialize: offset %d follows %d", ErrInvalid, ev.Offset, last)
		}
		last = ev.Offset
		if ev.Meta.TenantID != "" && !strings.EqualFold(ev.Meta.TenantID, tenant) {
			return res, fmt.Errorf("%w: materialize: event %q at offset %d belongs to tenant %q", ErrInvalid, ev.EventID, ev.Offset, ev.Meta.TenantID)
		}
		v, ok := e.byEnt[ev.Entity]
		if !ok {
			return res, fmt.Errorf("%w: materialize: event %q: entity %q has no view", ErrInvalid, ev.EventID, ev.Entity)
		}
		k, err := recordKey(v, ev)
		if err != nil {
			return res, err
		}
		m := perView[v]
		if m == nil {
			m = map[memberKey]int{}
			perView[v] = m
		}
		if j, ok := m[k]; ok {
			order[j].ev = nil // superseded within the batch
		}
		m[k] = len(order)
		order = append(order, pending{key: k, ev: ev})
		res.Events++
	}
	if res.Events == 0 {
		return res, nil
	}

	// unification, in stream order over every event (not only the last of
	// each record), so results do not depend on batch boundaries
	e.accounts.beginBatch()
	e.contacts.beginBatch()
	for i := range batch {
		ev := &batch[i]
		if ev.Offset <= e.offset {
			continue
		}
		var u *unifier
		switch ev.Entity {
		case "account":
			u = e.accounts
		case "contact":
			u = e.contacts
		default:
			continue
		}
		k, _ := recordKey(e.byEnt[ev.Entity], ev)
		if ev.Op == canonical.OpDelete {
			u.remove(k, ev.Offset)
		} else {
			u.upsert(u.memberFromData(k, ev.Data), ev.Offset)
		}
	}

	err := e.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		if err := execDriver(ctx, conn, "BEGIN TRANSACTION"); err != nil {
			return err
		}
		if err := e.writeBatch(ctx, conn, perView, order, last, &res); err != nil {
			_ = execDriver(context.WithoutCancel(ctx), conn, "ROLLBACK")
			return err
		}
		return execDriver(ctx, conn, "COMMIT")
	})
	if err != nil {
		// a key filter must never miss a committed key: stop trusting
		// them (every later batch takes the delete step)
		e.filters = map[*View]*keyFilter{}
		// the in-memory unification state ran ahead of the database:
		// reload it from what is committed
		if lerr := e.loadUnifiers(context.WithoutCancel(ctx)); lerr != nil {
			err = errors.Join(err, lerr)
		}
		if ctx.Err() != nil {
			return BatchResult{Offset: e.offset}, fmt.Errorf("dcl: materialize: %w", ctx.Err())
		}
		if errors.Is(err, ErrInvalid) {
			return BatchResult{Offset: e.offset}, err
		}
		return BatchResult{Offset: e.offset}, fmt.Errorf("%w: materialize: %v", ErrStorage, err)
	}
	for v, keys := range perView {
		if f := e.filters[v]; f != nil {
			for k := range keys {
				f.add(k)
			}
		}
	}
	e.offset = last
	res.Offset = last
	return res, nil
}

// recordKey returns the identity of an event's record within its view.
func recordKey(v *View, ev *aam.StoredEvent) (memberKey, error) {
	rec := ev.Source.RecordID
	if rec == "" {
		if s, ok := ev.Data[v.Columns[0].Name].(string); ok {
			rec = s
		}
	}
	if rec == "" {
		return memberKey{}, fmt.Errorf("%w: materialize: event %q at offset %d has no record id", ErrInvalid, ev.EventID, ev.Offset)
	}
	return memberKey{conn: ev.Source.ConnectionID, rec: rec}, nil
}

// writeBatch runs inside the batch transaction.
func (e *Engine) writeBatch(ctx context.Context, conn driver.Conn, perView map[*View]map[memberKey]int, order []pending, last int64, res *BatchResult) error {
	views := make([]*View, 0, len(perView))
	for v := range perView {
		views = append(views, v)
	}
	sortViews(views)
	for _, v := range views {
		keys := perView[v]
		// only records the view may already hold need the delete step
		var existing []memberKey
		if f := e.filters[v]; f != nil {
			for k := range keys {
				if f.mayContain(k) {
					existing = append(existing, k)
				}
			}
		} else {
			existing = make([]memberKey, 0, len(keys))
			for k := range keys {
				existing = append(existing, k)
			}
		}
		if err := e.deleteKeys(ctx, conn, v, existing); err != nil {
			return err
		}
		u := e.unifierFor(v.Entity)
		row := make([]driver.Value, len(v.Columns))
		if err := appendRows(conn, v.Name, func(add func(...driver.Value) error) error {
			for _, p := range order {
				if p.ev == nil || e.byEnt[p.ev.Entity] != v {
					continue
				}
				if p.ev.Op == canonical.OpDelete {
					res.Deletes++
					continue
				}
				if err := e.fillRow(row, v, u, p); err != nil {
					return err
				}
				if err := add(row...); err != nil {
					return fmt.Errorf("view %q record %q: %w", v.Name, p.key.rec, err)
				}
				res.Upserts++
			}
			return nil
		}); err != nil {
			return err
		}
	}
	for _, u := range []*unifier{e.accounts, e.contacts} {
		if err := e.writeUnification(ctx, conn, u); err != nil {
			return err
		}
	}
	return execDriver(ctx, conn, "UPDATE dcl_state SET stream_offset = ? WHERE id = 1", last)
}

// deleteKeys removes the rows of the given records from a view, through
// a staged key set and one set-based delete.
func (e *Engine) deleteKeys(ctx context.Context, conn driver.Conn, v *View, keys []memberKey) error {
	if len(keys) == 0 {
		return nil
	}
	if err := execDriver(ctx, conn, "DELETE FROM dcl_stage_keys"); err != nil {
		return err
	}
	if err := appendRows(conn, "dcl_stage_keys", func(add func(...driver.Value) error) error {
		for _, k := range keys {
			if err := add(k.conn, k.rec); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	q := fmt.Sprintf(`DELETE FROM %[1]s USING dcl_stage_keys k WHERE %[1]s.%[2]s = k.connection_id AND %[1]s.%[3]s = k.record_id`,
		quoteIdent(v.Name), quoteIdent(ColConnectionID), quoteIdent(ColRecordID))
	return execDriver(ctx, conn, q)
}

func (e *Engine) unifierFor(entity string) *unifier {
	switch entity {
	case "account":
		return e.accounts
	case "contact":
		return e.contacts
	}
	return nil
}

// writeUnification persists a batch's unification outputs: new and
// removed clusters, the decision log, and the unified id of every record
// whose cluster changed.
func (e *Engine) writeUnification(ctx context.Context, conn driver.Conn, u *unifier) error {
	v := e.byEnt[u.entity]
	if len(u.dirty) > 0 {
		if err := execDriver(ctx, conn, "DELETE FROM dcl_stage_unified"); err != nil {
			return err
		}
		if err := appendRows(conn, "dcl_stage_unified", func(add func(...driver.Value) error) error {
			for k := range u.dirty {
				if err := add(k.conn, k.rec, u.unifiedID(k)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		q := fmt.Sprintf(`UPDATE %[1]s SET %[2]s = s.unified_id FROM dcl_stage_unified s WHERE %[1]s.%[3]s = s.connection_id AND %[1]s.%[4]s = s.record_id AND %[1]s.%[2]s IS DISTINCT FROM s.unified_id`,
			quoteIdent(v.Name), quoteIdent(ColUnifiedID), quoteIdent(ColConnectionID), quoteIdent(ColRecordID))
		if err := execDriver(ctx, conn, q); err != nil {
			return err
		}
	}
	removed := make([]string, 0, len(u.removeClusters))
	for id := range u.removeClusters {
		removed = append(removed, id)
	}
	sort.Strings(removed)
	for _, id := range removed {
		if err := execDriver(ctx, conn, "DELETE FROM dcl_unified_clusters WHERE entity = ? AND unified_id = ?", u.entity, id); err != nil {
			return err
		}
	}
	if len(u.newClusters) > 0 {
		if err := appendRows(conn, "dcl_unified_clusters", func(add func(...driver.Value) error) error {
			for _, c := range u.newClusters {
				if err := add(u.entity, c.id, c.created); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	seq0 := e.logSeq
	if len(u.logs) > 0 {
		if err := appendRows(conn, "dcl_unify_log", func(add func(...driver.Value) error) error {
			for _, l := range u.logs {
				e.logSeq++
				var keys, mc, mr, abs driver.Value
				if len(l.Keys) > 0 {
					keys = strings.Join(l.Keys, ",")
				}
				if l.Matched != (memberKey{}) {
					mc, mr = l.Matched.conn, l.Matched.rec
				}
				if l.AbsorbedID != "" {
					abs = l.AbsorbedID
				}
				if err := add(u.entity, l.UnifiedID, l.Action, l.Member.conn, l.Member.rec, mc, mr, abs, keys, l.Offset, e.logSeq); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	return e.writeUnifyDetails(ctx, conn, u, seq0)
}

// fillRow converts one event into the view's row.
func (e *Engine) fillRow(row []driver.Value, v *View, u *unifier, p pending) error {
	ev := p.ev
	n := len(v.Columns) - 8
	for i := 0; i < n; i++ {
		c := &v.Columns[i]
		val, err := toDriver(c, ev.Data[c.Name])
		if err != nil {
			return fmt.Errorf("%w: materialize: event %q field %q: %v", ErrInvalid, ev.EventID, c.Name, err)
		}
		row[i] = val
	}
	var unified string
	if u != nil {
		unified = u.unifiedID(p.key)
	} else {
		unified = uuid.NewSHA1(unifiedNamespace, []byte(v.Entity+"\x00"+p.key.conn+"\x00"+p.key.rec)).String()
	}
	row[n] = ev.Source.System
	row[n+1] = p.key.conn
	row[n+2] = ev.Source.Object
	row[n+3] = p.key.rec
	row[n+4] = unified
	row[n+5] = int64(ev.Meta.MappingVersion)
	row[n+6] = ev.Offset
	if ev.Meta.EmittedAt.IsZero() {
		row[n+7] = nil
	} else {
		row[n+7] = ev.Meta.EmittedAt.UTC()
	}
	return nil
}

var pow10 = [...]int64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18}

// toDriver converts a normalized canonical value to the Appender's value
// for the column's DuckDB type. Values of an unexpected Go type are
// coerced first.
func toDriver(c *Column, val any) (driver.Value, error) {
	if val == nil {
		return nil, nil
	}
	switch c.kind {
	case kindVarchar:
		if s, ok := val.(string); ok {
			return s, nil
		}
	case kindBigint:
		switch x := val.(type) {
		case int64:
			return x, nil
		case int:
			return int64(x), nil
		}
	case kindDecimal:
		if d, ok := val.(decimal.Decimal); ok {
			return unscaled(d)
		}
	case kindBoolean:
		if b, ok := val.(bool); ok {
			return b, nil
		}
	case kindDate:
		switch x := val.(type) {
		case canonical.CivilDate:
			return x.Time(), nil
		case time.Time:
			return canonical.CivilDateOf(x).Time(), nil
		}
	case kindTimestamp:
		if t, ok := val.(time.Time); ok {
			return t.UTC(), nil
		}
	}
	coerced, err := canonical.Coerce(c.Type, val, &canonical.CoerceOptions{Stored: true})
	if err != nil {
		return nil, err
	}
	if coerced == nil {
		return nil, nil
	}
	if _, same := coerced.(string); same && c.kind != kindVarchar {
		return nil, fmt.Errorf("cannot store %T in %s", val, c.SQLType)
	}
	return toDriver(c, coerced)
}

// unscaled returns a decimal's DECIMAL(38,18) storage value: the number
// times 10^18, as int64 when it fits, else *big.Int. A value with more than
// 18 places after the point, or more than 20 before it, does not fit the
// column and is an error: views never round silently.
func unscaled(d decimal.Decimal) (driver.Value, error) {
	// fast path without big.Int arithmetic: a coefficient that fits int64
	// and at most 18 decimals, scaled without overflow
	if exp := d.Exponent(); exp <= 0 && exp >= -decimalScale && d.NumDigits() <= 18 {
		c := d.CoefficientInt64()
		mul := pow10[decimalScale+exp]
		if c == 0 || (c > 0 && c <= (1<<63-1)/mul) || (c < 0 && c >= -(1<<63-1)/mul) {
			return c * mul, nil
		}
	}
	if d.Exponent() < -decimalScale && !d.Round(decimalScale).Equal(d) {
		return nil, fmt.Errorf("%s has more than %d decimal places, beyond the view's %s", d, decimalScale, decimalSQL)
	}
	if d.Abs().Cmp(decimalLimit) >= 0 {
		return nil, fmt.Errorf("%s has more than %d digits before the point, beyond the view's %s", d, 38-decimalScale, decimalSQL)
	}
	bi := d.Shift(decimalScale).BigInt()
	if bi.IsInt64() {
		return bi.Int64(), nil
	}
	return bi, nil
}

// decimalLimit is the first magnitude a decimal column cannot hold.
var decimalLimit = decimal.New(1, 38-decimalScale)

// execDriver runs one statement on a raw driver connection.
func execDriver(ctx context.Context, conn driver.Conn, q string, args ...any) error {
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		return fmt.Errorf("driver connection cannot exec")
	}
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	_, err := ex.ExecContext(ctx, q, named)
	return err
}

// appendRows bulk-loads rows into table through the DuckDB Appender on
// conn (inside conn's open transaction, if any).
func appendRows(conn driver.Conn, table string, fill func(add func(...driver.Value) error) error) error {
	a, err := duckdb.NewAppenderFromConn(conn, "", table)
	if err != nil {
		return fmt.Errorf("appender %q: %w", table, err)
	}
	if err := fill(a.AppendRow); err != nil {
		_ = a.Close()
		return err
	}
	if err := a.Close(); err != nil {
		return fmt.Errorf("appender %q: %w", table, err)
	}
	return nil
}

func sortViews(vs []*View) {
	sort.Slice(vs, func(i, j int) bool { return vs[i].Name < vs[j].Name })
}
