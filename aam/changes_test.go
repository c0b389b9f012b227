package aam_test

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/testenv"
)

// memSource is an in-memory source of one object, "people", read with a
// given change model:
//   - snapshot: every read returns the current records in id order; the
//     cursor is the index of the last record returned;
//   - incremental: a read returns the records changed after the cursor (a
//     change sequence number), in change order; deletes are not seen, and
//     a cursor from before Rewrite is refused (connectors.ErrInvalidCursor);
//   - cdc: a read returns every change after the cursor in order, deletes
//     as Deleted records.
type memSource struct {
	mu      sync.Mutex
	model   connectors.ChangeModel
	rows    map[string]map[string]any
	changed map[string]int // id -> seq of its last change
	log     []memChange    // every change, for cdc
	seq     int
	epoch   int // bumped by Rewrite
	// extra records emitted after the stored ones by the next reads.
	extra []connectors.Record
}

type memChange struct {
	seq     int
	id      string
	fields  map[string]any
	deleted bool
}

func newMemSource(model connectors.ChangeModel) *memSource {
	return &memSource{model: model, rows: map[string]map[string]any{}, changed: map[string]int{}}
}

func (s *memSource) put(id, first, last string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	f := map[string]any{"id": id, "first_name": first, "last_name": last}
	s.rows[id] = f
	s.changed[id] = s.seq
	s.log = append(s.log, memChange{seq: s.seq, id: id, fields: maps.Clone(f)})
}

func (s *memSource) del(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	delete(s.rows, id)
	delete(s.changed, id)
	s.log = append(s.log, memChange{seq: s.seq, id: id, deleted: true})
}

// rewrite makes saved incremental cursors invalid (like a rewritten file).
func (s *memSource) rewrite() {
	s.mu.Lock()
	s.epoch++
	s.mu.Unlock()
}

// state returns the current records: id -> first_name.
func (s *memSource) state() map[string]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]string{}
	for id, f := range s.rows {
		out[id] = f["first_name"].(string)
	}
	return out
}

func (s *memSource) Spec() connectors.Spec {
	return connectors.Spec{Name: "mem", ChangeModels: []connectors.ChangeModel{s.model}}
}
func (s *memSource) Check(context.Context) error { return nil }
func (s *memSource) Close() error                { return nil }
func (s *memSource) Discover(context.Context) (*connectors.Catalog, error) {
	return &connectors.Catalog{Objects: []connectors.Object{{Schema: canonical.SourceSchema{System: "mem", Object: "people"}, PrimaryKey: []string{"id"}, ChangeModel: s.model}}}, nil
}

func (s *memSource) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	s.mu.Lock()
	var recs []connectors.Record
	switch s.model {
	case connectors.ChangeSnapshot:
		from := 0
		if req.Cursor != "" {
			from, _ = strconv.Atoi(string(req.Cursor))
		}
		ids := slices.Sorted(maps.Keys(s.rows))
		for i := from; i < len(ids); i++ {
			recs = append(recs, connectors.Record{ID: ids[i], Fields: maps.Clone(s.rows[ids[i]]), Cursor: connectors.Cursor(strconv.Itoa(i + 1))})
		}
	case connectors.ChangeIncremental:
		epoch, after := s.epoch, 0
		if req.Cursor != "" {
			if _, err := fmt.Sscanf(string(req.Cursor), "%d/%d", &epoch, &after); err != nil || epoch != s.epoch {
				s.mu.Unlock()
				return fmt.Errorf("%w: cursor %q is from before a rewrite", connectors.ErrInvalidCursor, req.Cursor)
			}
		}
		ids := slices.SortedFunc(maps.Keys(s.changed), func(a, b string) int { return s.changed[a] - s.changed[b] })
		for _, id := range ids {
			if s.changed[id] > after {
				recs = append(recs, connectors.Record{ID: id, Fields: maps.Clone(s.rows[id]), Cursor: connectors.Cursor(fmt.Sprintf("%d/%d", s.epoch, s.changed[id]))})
			}
		}
	case connectors.ChangeCDC:
		after := 0
		if req.Cursor != "" {
			after, _ = strconv.Atoi(string(req.Cursor))
		}
		for _, c := range s.log {
			if c.seq > after {
				recs = append(recs, connectors.Record{ID: c.id, Fields: maps.Clone(c.fields), Deleted: c.deleted, Cursor: connectors.Cursor(strconv.Itoa(c.seq))})
			}
		}
	}
	for _, r := range s.extra {
		r.Cursor = connectors.Cursor(fmt.Sprint(len(recs) + 1))
		if len(recs) > 0 {
			r.Cursor = recs[len(recs)-1].Cursor
		}
		recs = append(recs, r)
	}
	s.mu.Unlock()
	for _, r := range recs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// memEnv is an env with one mem connection.
func memEnv(t *testing.T, kind string, model connectors.ChangeModel, opts *aam.Options) (*env, *memSource, aam.Connection) {
	src := newMemSource(model)
	e := setup(t, kind, opts, func(reg *connectors.Registry) {
		require.NoError(t, reg.Register(connectors.Spec{Name: "mem"}, func(connectors.Config) (connectors.Connector, error) { return src, nil }))
	})
	c, err := e.mesh.CreateConnection(e.ctx, e.tenant, testenv.Name("mem"), "mem", connectors.Config{})
	require.NoError(t, err)
	e.putMapping(e.tenant, c.ID, "people", 0, contactMapping(false))
	return e, src, c
}

// streamState folds the tenant's stream of one connection: record id ->
// first_name of its latest upsert, deleted records removed.
func (e *env) streamState(conn uuid.UUID) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	for _, ev := range e.events(e.tenant) {
		if ev.Source.ConnectionID != conn.String() {
			continue
		}
		if ev.Op == "delete" {
			_, live := out[ev.Source.RecordID]
			require.True(e.t, live, "a delete of record %q, which is not live", ev.Source.RecordID)
			delete(out, ev.Source.RecordID)
			continue
		}
		out[ev.Source.RecordID] = ev.Data["first_name"].(string)
	}
	return out
}

func (e *env) sync(conn uuid.UUID, opts ...aam.SyncOption) aam.ObjectReport {
	e.t.Helper()
	rep, err := e.mesh.Sync(e.ctx, e.tenant, conn, opts...)
	require.NoError(e.t, err)
	require.Len(e.t, rep.Objects, 1)
	return rep.Objects[0]
}

// TestStreamFollowsTheSourceUnderEveryChangeModel inserts, updates
// (including A -> B -> A) and deletes records between syncs and checks
// that the stream's state ends equal to the source's, each change once.
func TestStreamFollowsTheSourceUnderEveryChangeModel(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		for _, model := range []connectors.ChangeModel{connectors.ChangeSnapshot, connectors.ChangeIncremental, connectors.ChangeCDC} {
			t.Run(string(model), func(t *testing.T) {
				e, src, c := memEnv(t, kind, model, &aam.Options{BatchSize: 3})
				for i := range 10 {
					src.put(fmt.Sprintf("p%02d", i), "Name", "Last")
				}
				r := e.sync(c.ID)
				require.Equal(t, 10, r.Events)
				require.True(t, r.FullPass, "the first sync is a full pass")
				require.Equal(t, src.state(), e.streamState(c.ID))

				src.put("p01", "Renamed", "Last") // A -> B
				src.put("p10", "New", "Last")
				r = e.sync(c.ID)
				require.Equal(t, 2, r.Events, "%+v", r)
				require.Equal(t, src.state(), e.streamState(c.ID))

				src.put("p01", "Name", "Last") // B -> A
				src.del("p03")
				r = e.sync(c.ID)
				switch model {
				case connectors.ChangeIncremental:
					// An incremental read does not see the delete.
					require.Equal(t, 1, r.Events, "%+v", r)
					require.Zero(t, r.Deleted)
					want := src.state()
					want["p03"] = "Name"
					require.Equal(t, want, e.streamState(c.ID))
					// A rewrite restarts from the start: a full pass, which
					// finds the vanished record.
					src.rewrite()
					r = e.sync(c.ID)
					require.True(t, r.Restarted)
					require.True(t, r.FullPass)
					require.Equal(t, 1, r.Deleted, "%+v", r)
				default:
					require.Equal(t, 2, r.Events, "%+v", r)
					require.Equal(t, 1, r.Deleted, "%+v", r)
				}
				require.Equal(t, src.state(), e.streamState(c.ID), "the B -> A change and the delete reached the stream")

				// Nothing changed: nothing new.
				r = e.sync(c.ID)
				require.Zero(t, r.Events, "%+v", r)
				require.Equal(t, src.state(), e.streamState(c.ID))
				if model == connectors.ChangeSnapshot {
					require.True(t, r.FullPass, "every snapshot sync is a new full pass")
				}
			})
		}
	})
}

// TestDeleteSafetyLimit: a full pass that lost most records deletes none
// unless confirmed, and says why.
func TestDeleteSafetyLimit(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e, src, c := memEnv(t, kind, connectors.ChangeSnapshot, nil)
		for i := range 10 {
			src.put(fmt.Sprintf("p%02d", i), "Name", "Last")
		}
		e.sync(c.ID)
		for i := range 6 {
			src.del(fmt.Sprintf("p%02d", i))
		}
		r := e.sync(c.ID)
		require.Zero(t, r.Deleted)
		require.Contains(t, r.DeletesWithheld, "refused to delete 6 of 10 live records")
		require.Len(t, e.streamState(c.ID), 10, "nothing deleted")

		r = e.sync(c.ID, aam.ConfirmDeletes())
		require.Equal(t, 6, r.Deleted)
		require.Empty(t, r.DeletesWithheld)
		require.Equal(t, src.state(), e.streamState(c.ID))
	})
}

// TestRecordIdentityIsNeverReKeyed: records without an id, or with an id
// already read in the pass, are quarantined with a reason; the rest flows
// under their own ids, and no deletes are computed from a pass with
// records that have no id.
func TestRecordIdentityIsNeverReKeyed(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e, src, c := memEnv(t, kind, connectors.ChangeSnapshot, nil)
		for i := range 4 {
			src.put(fmt.Sprintf("p%02d", i), "Name", "Last")
		}
		src.extra = []connectors.Record{
			{ID: "", Fields: map[string]any{"id": "", "first_name": "Blank", "last_name": "Id"}},
			{ID: "p01", Fields: map[string]any{"id": "p01", "first_name": "Twin", "last_name": "Last"}},
		}
		r := e.sync(c.ID)
		require.Equal(t, 4, r.Events)
		require.Equal(t, 2, r.Quarantined)
		require.Equal(t, src.state(), e.streamState(c.ID), "the first p01 was taken, the rest under their own ids")
		q, err := e.mesh.Quarantined(e.ctx, e.tenant, c.ID, "people")
		require.NoError(t, err)
		require.Len(t, q, 2)
		reasons := []string{q[0].Reason, q[1].Reason}
		slices.Sort(reasons)
		require.Contains(t, reasons[0], "record has no id")
		require.Contains(t, reasons[1], `record id "p01" is repeated`)

		src.del("p02")
		r = e.sync(c.ID)
		require.Zero(t, r.Deleted)
		require.Contains(t, r.DeletesWithheld, "1 records without an id")
	})
}

// TestFileRewriteDeletesRemovedRows: a CSV rewritten with rows removed,
// one edited and one inserted at the top is read again from its start, and
// the stream ends equal to the file.
func TestFileRewriteDeletesRemovedRows(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, &aam.Options{BatchSize: 4})
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, 10)...)...)
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		r := e.sync(conn.ID)
		require.Equal(t, 10, r.Events)

		rows := contactRows(4, 7) // rows 1..3 removed
		rows[1] = "5,Changed5,Last5,USER5@Example.com"
		rows = append([]string{"11,First11,Last11,USER11@Example.com"}, rows...)
		e.write("contacts.csv", append([]string{contactHeader}, rows...)...)
		r = e.sync(conn.ID)
		require.True(t, r.Restarted, "%+v", r)
		require.True(t, r.FullPass)
		require.Equal(t, 3, r.Deleted, "%+v", r)
		require.Equal(t, 5, r.Events, "one insert, one update, three deletes: %+v", r)

		got := e.streamState(conn.ID)
		want := map[string]string{}
		for i := 4; i <= 11; i++ {
			want[strconv.Itoa(i)] = fmt.Sprintf("First%d", i)
		}
		want["5"] = "Changed5"
		require.Equal(t, want, got)
		_, err := os.Stat(filepath.Join(e.dir, "contacts.csv"))
		require.NoError(t, err)
	})
}
