package dcl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
)

// EventSource is where the engine reads the canonical stream from: the
// read side of aam.EventLog, which every aam store implements.
type EventSource interface {
	// ReadEvents returns up to limit events of tenant with offset > after,
	// in offset order; entity filters when non-empty.
	ReadEvents(ctx context.Context, tenant uuid.UUID, after int64, limit int, entity string) ([]aam.StoredEvent, error)
}

// SyncResult says what a Sync or Rebuild did.
type SyncResult struct {
	// Batches and Events count the transactions committed and the events
	// applied; Upserts and Deletes count records written and removed.
	Batches int `json:"batches"`
	Events  int `json:"events"`
	Upserts int `json:"upserts"`
	Deletes int `json:"deletes"`
	// Offset is the checkpoint afterwards.
	Offset int64 `json:"offset"`
}

// Sync brings the views up to date with the stream: it reads from the
// stored checkpoint in batches of Options.BatchSize and materializes each
// batch atomically (see Materialize) until the stream has no more events.
// If it fails, the batches committed before stay committed and the next
// Sync resumes after them. Errors wrap those of the source, or those of
// Materialize.
func (e *Engine) Sync(ctx context.Context, src EventSource) (SyncResult, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.syncLocked(ctx, src)
}

func (e *Engine) syncLocked(ctx context.Context, src EventSource) (SyncResult, error) {
	var out SyncResult
	if src == nil {
		return out, fmt.Errorf("%w: sync: nil event source", ErrInvalid)
	}
	for {
		out.Offset = e.offset
		evs, err := src.ReadEvents(ctx, e.tenant, e.offset, e.opts.BatchSize, "")
		if err != nil {
			return out, fmt.Errorf("dcl: sync: read events after %d: %w", e.offset, err)
		}
		if len(evs) == 0 {
			return out, nil
		}
		res, err := e.materializeLocked(ctx, evs)
		if err != nil {
			return out, err
		}
		if res.Events == 0 {
			// a source that returns only old events would loop forever
			return out, fmt.Errorf("%w: sync: source returned no event after offset %d", ErrInvalid, e.offset)
		}
		out.Batches++
		out.Events += res.Events
		out.Upserts += res.Upserts
		out.Deletes += res.Deletes
		out.Offset = res.Offset
	}
}

// Rebuild drops the tenant's DuckDB file and rebuilds it from the stream:
// the views, unified ids and decision log come back identical, because
// materialization is deterministic in stream order. The DuckGraph of the
// file is emptied too (a borrowed Options.Graph is left alone); call
// SyncGraph again. Queries wait while the file is swapped, not while it is
// refilled.
func (e *Engine) Rebuild(ctx context.Context, src EventSource) (SyncResult, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	if src == nil {
		return SyncResult{}, fmt.Errorf("%w: rebuild: nil event source", ErrInvalid)
	}
	if err := e.reopenEmpty(ctx); err != nil {
		return SyncResult{}, err
	}
	return e.syncLocked(ctx, src)
}

func (e *Engine) reopenEmpty(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if err := e.closeDB(); err != nil {
		return err
	}
	for _, p := range []string{e.path, e.path + ".wal"} {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			e.closed = true
			return fmt.Errorf("%w: rebuild: remove %s: %v", ErrStorage, p, err)
		}
	}
	e.offset, e.logSeq = 0, 0
	if err := e.openDB(ctx); err != nil {
		e.closed = true
		return err
	}
	return nil
}

// loadUnifiers rebuilds the in-memory unification state from the
// committed views and cluster table.
func (e *Engine) loadUnifiers(ctx context.Context) error {
	e.accounts = newUnifier("account", nil)
	e.contacts = newUnifier("contact", e.accounts)
	db := e.db
	rows, err := db.QueryContext(ctx, `SELECT entity, unified_id, created_offset FROM dcl_unified_clusters`)
	if err != nil {
		return fmt.Errorf("%w: load clusters: %v", ErrStorage, err)
	}
	for rows.Next() {
		var ent, id string
		var created int64
		if err := rows.Scan(&ent, &id, &created); err != nil {
			rows.Close()
			return fmt.Errorf("%w: load clusters: %v", ErrStorage, err)
		}
		if u := e.unifierFor(ent); u != nil {
			u.clusters[id] = &cluster{id: id, created: created, members: map[memberKey]*member{}}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: load clusters: %v", ErrStorage, err)
	}
	load := func(u *unifier, cols []string) error {
		v := e.byEnt[u.entity]
		q := fmt.Sprintf(`SELECT %s, %s, %s`, quoteIdent(ColConnectionID), quoteIdent(ColRecordID), quoteIdent(ColUnifiedID))
		for _, c := range cols {
			q += ", CAST(" + quoteIdent(c) + " AS VARCHAR)"
		}
		q += " FROM " + quoteIdent(v.Name) + " ORDER BY _offset"
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			return fmt.Errorf("%w: load %s: %v", ErrStorage, v.Name, err)
		}
		defer rows.Close()
		vals := make([]sql.NullString, len(cols)+3)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				return fmt.Errorf("%w: load %s: %v", ErrStorage, v.Name, err)
			}
			data := map[string]any{}
			for i, c := range cols {
				if vals[i+3].Valid {
					data[c] = vals[i+3].String
				}
			}
			k := memberKey{conn: vals[0].String, rec: vals[1].String}
			m := u.memberFromData(k, data)
			c := u.clusters[vals[2].String]
			if c == nil {
				c = &cluster{id: vals[2].String, members: map[memberKey]*member{}}
				u.clusters[c.id] = c
			}
			m.cluster = c
			c.members[k] = m
			u.members[k] = m
			u.addIndex(m)
		}
		return rows.Err()
	}
	if err := load(e.accounts, []string{"account_name", "website", "phone", "billing_country"}); err != nil {
		return err
	}
	if err := load(e.contacts, []string{"first_name", "last_name", "email", "account_id"}); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM dcl_unify_log`).Scan(&e.logSeq); err != nil {
		return fmt.Errorf("%w: load log: %v", ErrStorage, err)
	}
	return nil
}
