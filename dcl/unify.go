package dcl

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/autonomos/autonomos/dcl/linkage"
)

// unifiedNamespace is the UUIDv5 namespace of unified ids.
var unifiedNamespace = linkage.DefaultNamespace

// memberKey identifies a source record within a view.
type memberKey struct{ conn, rec string }

func (k memberKey) linkKey() linkage.Key { return linkage.Key{Source: k.conn, ID: k.rec} }

func fromLinkKey(k linkage.Key) memberKey { return memberKey{conn: k.Source, rec: k.ID} }

// member is one source record taking part in unification.
type member struct {
	key memberKey
	rec linkage.Record
	// contacts: the record id of the contact's account in its source
	accountRef string
}

// cluster is one unified entity as written to dcl_unified_clusters.
type cluster struct {
	id      string
	created int64
}

// unifyLog is one recorded unification decision.
type unifyLog struct {
	UnifiedID  string
	Action     string
	Member     memberKey
	Matched    memberKey
	AbsorbedID string
	Keys       []string
	Link       *linkage.Link
	Offset     int64
}

// unifier clusters the records of one entity (account or contact) with a
// linkage.Linker, and collects per batch what changed for
// writeUnification. It is deterministic: the same events in the same
// order give the same clusters and ids, whatever the batch boundaries.
// Not safe for concurrent use; the engine serializes writers.
//
// The record hooks are upsert (a record was added or changed) and remove
// (a record was deleted): both re-cluster what the record touched, so a
// cluster splits when a link it relied on no longer holds.
type unifier struct {
	entity   string
	l        *linkage.Linker
	accounts *unifier // contacts only: resolves account refs

	// per-batch outputs
	dirty          map[memberKey]bool
	newClusters    map[string]*cluster
	removeClusters map[string]bool
	logs           []unifyLog
	modelChanged   bool

	// pending are decisions replayed by a Rebuild, applied when the
	// stream passes the offset they were made at, so the rebuilt state
	// and ids are those of the original run
	pending []timedConstraint
}

// timedConstraint is a review decision and the stream offset (the
// checkpoint) at which it was made.
type timedConstraint struct {
	c      linkage.Constraint
	offset int64
}

// applyPending applies the replayed decisions made before offset.
func (u *unifier) applyPending(offset int64) {
	for len(u.pending) > 0 && u.pending[0].offset < offset {
		p := u.pending[0]
		u.pending = u.pending[1:]
		_ = u.l.Constrain(p.c, p.offset) // validated when stored
		u.collect()
	}
}

func newUnifier(entity string, accounts *unifier, model *linkage.Model) (*unifier, error) {
	l, err := linkage.New(linkage.Kind(entity), &linkage.Options{Namespace: unifiedNamespace, Model: model})
	if err != nil {
		return nil, fmt.Errorf("%w: unifier: %v", ErrInvalid, err)
	}
	u := &unifier{entity: entity, l: l, accounts: accounts}
	u.beginBatch()
	return u, nil
}

// beginBatch clears the per-batch outputs.
func (u *unifier) beginBatch() {
	u.l.Drain()
	u.dirty = map[memberKey]bool{}
	u.newClusters = map[string]*cluster{}
	u.removeClusters = map[string]bool{}
	u.logs = nil
	u.modelChanged = false
}

// unifiedID returns the cluster id of a record, or "" if unknown.
func (u *unifier) unifiedID(k memberKey) string { return u.l.ClusterOf(k.linkKey()) }

// upsert adds or updates a record at the given stream offset.
func (u *unifier) upsert(m *member, offset int64) {
	if u.accounts != nil && m.accountRef != "" {
		m.rec.Account = u.accounts.unifiedID(memberKey{conn: m.key.conn, rec: m.accountRef})
	}
	u.applyPending(offset)
	before := u.l.Model()
	u.l.Upsert(m.rec, offset)
	if u.l.Model() != before {
		u.modelChanged = true
	}
	u.collect()
}

// remove deletes a record: it leaves its cluster, which splits where the
// record was the only link between its parts. Unknown records are
// ignored.
func (u *unifier) remove(k memberKey, offset int64) {
	u.applyPending(offset)
	u.l.Remove(k.linkKey(), offset)
	u.collect()
}

// constrain applies a review decision.
func (u *unifier) constrain(c linkage.Constraint, offset int64) error {
	if err := u.l.Constrain(c, offset); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	u.collect()
	return nil
}

// collect moves the linker's changes into the batch outputs.
func (u *unifier) collect() {
	ch := u.l.Drain()
	for _, k := range ch.Records {
		u.dirty[fromLinkKey(k)] = true
	}
	for _, c := range ch.Created {
		u.newClusters[c.ID] = &cluster{id: c.ID, created: c.Created}
		delete(u.removeClusters, c.ID)
	}
	for _, id := range ch.Removed {
		if u.newClusters[id] != nil {
			delete(u.newClusters, id)
		} else {
			u.removeClusters[id] = true
		}
	}
	for _, d := range ch.Decisions {
		lg := unifyLog{UnifiedID: d.ClusterID, Action: d.Action, Member: fromLinkKey(d.Record), Matched: fromLinkKey(d.Matched),
			AbsorbedID: d.Absorbed, Link: d.Link, Offset: d.Offset}
		if d.Link != nil {
			lg.Keys = d.Link.Agreeing(u.l.Model())
			if d.Link.Constraint != "" {
				lg.Keys = append(lg.Keys, d.Link.Constraint)
			}
		}
		u.logs = append(u.logs, lg)
	}
}

// accountFields and contactFields are the view columns unification reads.
var (
	accountFields = []string{"account_name", "website", "phone", "billing_country", "billing_street", "billing_city"}
	contactFields = []string{"first_name", "last_name", "email", "account_id", "phone"}
)

// memberFromData builds the comparison attributes of a record from its
// event data.
func (u *unifier) memberFromData(k memberKey, data map[string]any) *member {
	str := func(f string) string {
		switch v := data[f].(type) {
		case string:
			return v
		case nil:
			return ""
		default:
			return fmt.Sprint(v)
		}
	}
	m := &member{key: k, rec: linkage.Record{Key: k.linkKey(), Phone: str("phone")}}
	if u.entity == "account" {
		m.rec.Name = str("account_name")
		m.rec.Website = str("website")
		m.rec.Country = str("billing_country")
		m.rec.Street = str("billing_street")
		m.rec.City = str("billing_city")
	} else {
		m.rec.Email = str("email")
		m.rec.FirstName = str("first_name")
		m.rec.LastName = str("last_name")
		m.accountRef = str("account_id")
	}
	return m
}

// unifyDDL holds the unification tables kept besides the clusters and the
// decision log: the model in use per entity, the explanation (weight and
// comparison levels) of logged links, and the review decisions.
var unifyDDL = []string{
	`CREATE TABLE IF NOT EXISTS dcl_unify_model (entity VARCHAR PRIMARY KEY, model VARCHAR)`,
	`CREATE TABLE IF NOT EXISTS dcl_unify_links (seq BIGINT, weight DOUBLE, probability DOUBLE, comparisons VARCHAR)`,
	`CREATE TABLE IF NOT EXISTS dcl_unify_constraints (entity VARCHAR, a_connection_id VARCHAR, a_record_id VARCHAR, b_connection_id VARCHAR, b_record_id VARCHAR, kind VARCHAR, stream_offset BIGINT, PRIMARY KEY (entity, a_connection_id, a_record_id, b_connection_id, b_record_id))`,
}

// writeUnifyDetails persists, inside the batch transaction, the
// explanations of the logs written from sequence number seq0+1 on and
// the model when it changed.
func (e *Engine) writeUnifyDetails(ctx context.Context, conn driver.Conn, u *unifier, seq0 int64) error {
	if len(u.logs) > 0 {
		if err := appendRows(conn, "dcl_unify_links", func(add func(...driver.Value) error) error {
			for i, lg := range u.logs {
				if lg.Link == nil {
					continue
				}
				b, err := json.Marshal(lg.Link.Comparisons)
				if err != nil {
					return err
				}
				if err := add(seq0+int64(i)+1, lg.Link.Weight, lg.Link.Probability, string(b)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
	if u.modelChanged {
		b, err := json.Marshal(u.l.Model())
		if err != nil {
			return err
		}
		if err := execDriver(ctx, conn, `INSERT OR REPLACE INTO dcl_unify_model VALUES (?, ?)`, u.entity, string(b)); err != nil {
			return err
		}
	}
	return nil
}

// loadUnifiers rebuilds the in-memory unification state from the
// committed views, clusters, model and decisions.
func (e *Engine) loadUnifiers(ctx context.Context) error {
	db := e.db
	for _, q := range unifyDDL {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w: create unification tables: %v", ErrStorage, err)
		}
	}
	models := map[string]*linkage.Model{}
	rows, err := db.QueryContext(ctx, `SELECT entity, model FROM dcl_unify_model`)
	if err != nil {
		return fmt.Errorf("%w: load models: %v", ErrStorage, err)
	}
	for rows.Next() {
		var ent, js string
		if err := rows.Scan(&ent, &js); err != nil {
			rows.Close()
			return fmt.Errorf("%w: load models: %v", ErrStorage, err)
		}
		m, err := linkage.UnmarshalModel([]byte(js))
		if err != nil {
			rows.Close()
			return fmt.Errorf("%w: load model of %s: %v", ErrStorage, ent, err)
		}
		models[ent] = m
	}
	rows.Close()
	if e.accounts, err = newUnifier("account", nil, models["account"]); err != nil {
		return err
	}
	if e.contacts, err = newUnifier("contact", e.accounts, models["contact"]); err != nil {
		return err
	}
	cons, err := e.loadConstraints(ctx)
	if err != nil {
		return err
	}
	for _, u := range []*unifier{e.accounts, e.contacts} {
		cs := make([]linkage.Constraint, 0, len(cons[u.entity]))
		for _, tc := range cons[u.entity] {
			cs = append(cs, tc.c)
		}
		if err := u.l.SetConstraints(cs); err != nil {
			return fmt.Errorf("%w: load decisions: %v", ErrStorage, err)
		}
	}
	created := map[string]int64{}
	rows, err = db.QueryContext(ctx, `SELECT unified_id, created_offset FROM dcl_unified_clusters`)
	if err != nil {
		return fmt.Errorf("%w: load clusters: %v", ErrStorage, err)
	}
	for rows.Next() {
		var id string
		var off int64
		if err := rows.Scan(&id, &off); err != nil {
			rows.Close()
			return fmt.Errorf("%w: load clusters: %v", ErrStorage, err)
		}
		created[id] = off
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
		var recs []linkage.Record
		clusterOf := map[linkage.Key]string{}
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
			m := u.memberFromData(memberKey{conn: vals[0].String, rec: vals[1].String}, data)
			if u.accounts != nil && m.accountRef != "" {
				m.rec.Account = u.accounts.unifiedID(memberKey{conn: m.key.conn, rec: m.accountRef})
			}
			recs = append(recs, m.rec)
			clusterOf[m.rec.Key] = vals[2].String
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("%w: load %s: %v", ErrStorage, v.Name, err)
		}
		if err := u.l.Restore(recs, clusterOf, created); err != nil {
			return fmt.Errorf("%w: load %s: %v", ErrStorage, v.Name, err)
		}
		return nil
	}
	if err := load(e.accounts, accountFields); err != nil {
		return err
	}
	if err := load(e.contacts, contactFields); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, `SELECT coalesce(max(seq), 0) FROM dcl_unify_log`).Scan(&e.logSeq); err != nil {
		return fmt.Errorf("%w: load log: %v", ErrStorage, err)
	}
	return nil
}

func (e *Engine) loadConstraints(ctx context.Context) (map[string][]timedConstraint, error) {
	rows, err := e.db.QueryContext(ctx, `SELECT entity, a_connection_id, a_record_id, b_connection_id, b_record_id, kind, stream_offset FROM dcl_unify_constraints ORDER BY stream_offset, entity, a_connection_id, a_record_id, b_connection_id, b_record_id`)
	if err != nil {
		return nil, fmt.Errorf("%w: load decisions: %v", ErrStorage, err)
	}
	defer rows.Close()
	out := map[string][]timedConstraint{}
	for rows.Next() {
		var ent, ac, ar, bc, br, kind string
		var off int64
		if err := rows.Scan(&ent, &ac, &ar, &bc, &br, &kind, &off); err != nil {
			return nil, fmt.Errorf("%w: load decisions: %v", ErrStorage, err)
		}
		out[ent] = append(out[ent], timedConstraint{c: linkage.Constraint{A: linkage.Key{Source: ac, ID: ar}, B: linkage.Key{Source: bc, ID: br}, Kind: linkage.ConstraintKind(kind)}, offset: off})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%w: load decisions: %v", ErrStorage, err)
	}
	return out, nil
}

// keepConstraints reads the stored decisions before a Rebuild drops the
// file.
func (e *Engine) keepConstraints(ctx context.Context) (map[string][]timedConstraint, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed || e.db == nil {
		return nil, ErrClosed
	}
	return e.loadConstraints(ctx)
}

// restoreConstraints writes decisions kept across a Rebuild into the new,
// empty file and queues them in the unifiers: each is applied when the
// replayed stream passes the offset it was made at.
func (e *Engine) restoreConstraints(ctx context.Context, cons map[string][]timedConstraint) error {
	for ent, cs := range cons {
		u := e.unifierFor(ent)
		for _, tc := range cs {
			if err := e.storeConstraint(ctx, e.db.ExecContext, ent, tc); err != nil {
				return fmt.Errorf("%w: rebuild: keep decisions: %v", ErrStorage, err)
			}
		}
		u.pending = append([]timedConstraint(nil), cs...)
	}
	return nil
}

// finishPending applies the replayed decisions made after the last event
// (at the end of a Rebuild) and commits what they changed.
func (e *Engine) finishPending(ctx context.Context) error {
	for _, u := range []*unifier{e.accounts, e.contacts} {
		if len(u.pending) == 0 {
			continue
		}
		if err := e.commitUnify(ctx, u, func(conn driver.Conn) error {
			u.applyPending(e.offset + 1)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) storeConstraint(ctx context.Context, exec func(context.Context, string, ...any) (sql.Result, error), entity string, tc timedConstraint) error {
	_, err := exec(ctx, `INSERT OR REPLACE INTO dcl_unify_constraints VALUES (?, ?, ?, ?, ?, ?, ?)`,
		entity, tc.c.A.Source, tc.c.A.ID, tc.c.B.Source, tc.c.B.ID, string(tc.c.Kind), tc.offset)
	return err
}

// commitUnify runs change (which applies unification changes to u) and
// writes what it changed, in one transaction on the writer connection;
// on failure the in-memory state is reloaded from the file. Callers hold
// writeMu.
func (e *Engine) commitUnify(ctx context.Context, u *unifier, change func(conn driver.Conn) error) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed || e.db == nil {
		return ErrClosed
	}
	e.accounts.beginBatch()
	e.contacts.beginBatch()
	err := e.conn.Raw(func(dc any) error {
		conn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		if err := execDriver(ctx, conn, "BEGIN TRANSACTION"); err != nil {
			return err
		}
		err := change(conn)
		if err == nil {
			err = e.writeUnification(ctx, conn, u)
		}
		if err != nil {
			_ = execDriver(context.WithoutCancel(ctx), conn, "ROLLBACK")
			return err
		}
		return execDriver(ctx, conn, "COMMIT")
	})
	if err != nil {
		if lerr := e.loadUnifiers(context.WithoutCancel(ctx)); lerr != nil {
			return fmt.Errorf("%w: unify: %v; reload: %v", ErrStorage, err, lerr)
		}
		if errors.Is(err, ErrInvalid) {
			return err
		}
		return fmt.Errorf("%w: unify: %v", ErrStorage, err)
	}
	return nil
}

// RecordRef names a source record: its connection and record id.
type RecordRef struct {
	ConnectionID string `json:"connection_id"`
	RecordID     string `json:"record_id"`
}

// ParseRecordRef reads "connection_id/record_id".
func ParseRecordRef(s string) (RecordRef, error) {
	i := strings.IndexByte(s, '/')
	if i <= 0 || i == len(s)-1 {
		return RecordRef{}, fmt.Errorf("%w: record %q is not connection_id/record_id", ErrInvalid, s)
	}
	return RecordRef{ConnectionID: s[:i], RecordID: s[i+1:]}, nil
}

func (r RecordRef) key() linkage.Key { return linkage.Key{Source: r.ConnectionID, ID: r.RecordID} }

// UnifiedEntity is one cluster of records believed to be the same
// account or contact, with the accepted links among them.
type UnifiedEntity struct {
	Entity    string          `json:"entity"`
	UnifiedID string          `json:"unified_id"`
	Members   []RecordRef     `json:"members"`
	Links     []*linkage.Link `json:"links,omitempty"`
}

func (e *Engine) unifierOf(entity string) (*unifier, error) {
	if entity != "account" && entity != "contact" {
		return nil, fmt.Errorf("dcl: unify: %w: entity %q is not unified", ErrInvalid, entity)
	}
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.closed || e.db == nil {
		return nil, ErrClosed
	}
	return e.unifierFor(entity), nil
}

// UnifiedEntities returns the unified entities of "account" or "contact"
// with at least minSize records, ordered by id, with their links.
func (e *Engine) UnifiedEntities(entity string, minSize int) ([]UnifiedEntity, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	u, err := e.unifierOf(entity)
	if err != nil {
		return nil, err
	}
	var out []UnifiedEntity
	for _, c := range u.l.Clusters() {
		if c.Size() < minSize {
			continue
		}
		ue := UnifiedEntity{Entity: entity, UnifiedID: c.ID, Links: u.l.Links(c.ID)}
		for _, k := range c.Members() {
			ue.Members = append(ue.Members, RecordRef{ConnectionID: k.Source, RecordID: k.ID})
		}
		out = append(out, ue)
	}
	return out, nil
}

// UnifyReview returns the candidate pairs of "account" or "contact" in
// the review band, strongest first: pairs near the threshold, and pairs
// above it that lack a second agreeing comparison or whose names differ.
// Pairs with a decision are left out.
func (e *Engine) UnifyReview(entity string) ([]*linkage.Link, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	u, err := e.unifierOf(entity)
	if err != nil {
		return nil, err
	}
	return u.l.Review(), nil
}

// UnifyConstraints returns the review decisions of an entity.
func (e *Engine) UnifyConstraints(entity string) ([]linkage.Constraint, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	u, err := e.unifierOf(entity)
	if err != nil {
		return nil, err
	}
	return u.l.Constraints(), nil
}

// UnifyDecide records a review decision about two records of "account"
// or "contact": linkage.MustLink ("these are the same") or
// linkage.CannotLink ("these are different"). The decision is stored in
// the tenant's file, survives Rebuild, holds for records that arrive
// later, and re-clusters the records it touches at once, in one
// transaction with the views' unified ids and the decision log.
func (e *Engine) UnifyDecide(ctx context.Context, entity string, a, b RecordRef, kind linkage.ConstraintKind) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	u, err := e.unifierOf(entity)
	if err != nil {
		return err
	}
	if a.ConnectionID == "" || a.RecordID == "" || b.ConnectionID == "" || b.RecordID == "" {
		return fmt.Errorf("dcl: unify: %w: a decision needs two records", ErrInvalid)
	}
	tc := timedConstraint{c: linkage.Constraint{A: a.key(), B: b.key(), Kind: kind}, offset: e.offset}
	return e.commitUnify(ctx, u, func(conn driver.Conn) error {
		if err := u.constrain(tc.c, tc.offset); err != nil {
			return fmt.Errorf("dcl: unify: %w", err)
		}
		return execDriver(ctx, conn, `INSERT OR REPLACE INTO dcl_unify_constraints VALUES (?, ?, ?, ?, ?, ?, ?)`,
			entity, a.ConnectionID, a.RecordID, b.ConnectionID, b.RecordID, string(kind), tc.offset)
	})
}
