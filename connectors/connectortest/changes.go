package connectortest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
)

// replica holds what a platform following the object's change model knows:
// the latest fields per record ID, and the cursor to go on from.
type replica struct {
	state  map[string]map[string]any
	cursor connectors.Cursor
}

// read reads req with a fresh connector; the error is returned, not
// checked.
func (s *suite) read(t *testing.T, cur connectors.Cursor) ([]connectors.Record, error) {
	t.Helper()
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	return ReadAll(ctx, c, connectors.ReadRequest{Object: s.h.Object, Cursor: cur})
}

// pass reads the object from the empty cursor into a new replica: a full
// snapshot, every record once.
func (s *suite) pass(t *testing.T, what string) *replica {
	t.Helper()
	recs, err := s.read(t, "")
	require.NoError(t, err, "%s: read from the empty cursor", what)
	r := &replica{state: map[string]map[string]any{}}
	for _, rec := range recs {
		require.Nil(t, rec.Err, "%s: record %q could not be read: %v", what, rec.ID, rec.Err)
		require.False(t, rec.Deleted, "%s: a read from the empty cursor reported record %q deleted", what, rec.ID)
		_, dup := r.state[rec.ID]
		require.False(t, dup, "%s: record %q read twice in one pass", what, rec.ID)
		r.state[rec.ID] = rec.Fields
		r.cursor = rec.Cursor
	}
	return r
}

// follow reads on from the replica's cursor as the model says: snapshot
// objects from the empty cursor; others from the cursor, starting over
// with a full pass when the connector refuses the cursor (incremental
// only). It returns the records applied and whether a full pass was made.
func (s *suite) follow(t *testing.T, r *replica, model connectors.ChangeModel, what string) ([]connectors.Record, bool) {
	t.Helper()
	if model == connectors.ChangeSnapshot {
		*r = *s.pass(t, what)
		return nil, true
	}
	recs, err := s.read(t, r.cursor)
	if errors.Is(err, connectors.ErrInvalidCursor) && model == connectors.ChangeIncremental {
		t.Logf("%s: cursor refused (%v); reading the object again from the start", what, err)
		*r = *s.pass(t, what)
		return nil, true
	}
	require.NoError(t, err, "%s: read from the cursor", what)
	for _, rec := range recs {
		require.Nil(t, rec.Err, "%s: record %q could not be read: %v", what, rec.ID, rec.Err)
		if rec.Deleted {
			delete(r.state, rec.ID)
		} else {
			require.NotNil(t, rec.Fields, "%s: record %q has no fields", what, rec.ID)
			r.state[rec.ID] = rec.Fields
		}
		r.cursor = rec.Cursor
	}
	return recs, false
}

// testChanges proves the object's change model with Harness.Mutator: an
// insert with a random key, an update in the middle that keeps every
// length, and a delete reach a replica following the model, which then
// equals a fresh full read; a half-written record is not taken before it is
// finished; a read that crashed resumes without a gap.
func (s *suite) testChanges(t *testing.T) {
	if s.h.Mutator == nil {
		t.Log("no Harness.Mutator: the change model is not exercised by this run")
		return
	}
	model := s.changeModel(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()

	r := s.pass(t, "before the changes")
	all := s.full(t) // read before any change: the object's records in order
	mid, gone := all[len(all)/2].ID, all[len(all)/3].ID
	before := r.state[mid]

	ins, err := s.h.Mutator.Insert(ctx)
	require.NoError(t, err, "Mutator.Insert")
	require.NoError(t, s.h.Mutator.Update(ctx, mid), "Mutator.Update")
	require.NoError(t, s.h.Mutator.Delete(ctx, gone), "Mutator.Delete")

	recs, full := s.follow(t, r, model, "after an insert, an update and a delete")
	seen := map[string]int{}
	for _, rec := range recs {
		seen[rec.ID]++
	}
	switch model {
	case connectors.ChangeCDC:
		require.Len(t, recs, 3, "change data capture gives each change once: %v", ids(recs))
		require.Equal(t, map[string]int{ins: 1, mid: 1, gone: 1}, seen)
	case connectors.ChangeIncremental:
		if !full {
			require.Contains(t, seen, ins, "an incremental read missed the inserted record")
			require.Contains(t, seen, mid, "an incremental read missed the updated record")
		}
	}
	require.Contains(t, r.state, ins, "the inserted record is missing")
	require.False(t, reflect.DeepEqual(before, r.state[mid]), "the update of record %q was not seen", mid)

	truth := s.pass(t, "fresh full read")
	require.Contains(t, truth.state, ins, "a fresh full read misses the inserted record")
	require.NotContains(t, truth.state, gone, "a fresh full read still holds the deleted record")
	require.False(t, reflect.DeepEqual(before, truth.state[mid]), "a fresh full read does not show the update of record %q", mid)
	if _, still := r.state[gone]; still {
		require.Equal(t, connectors.ChangeIncremental, model,
			"the deleted record %q is still there, though the %s model reports deletes", gone, model)
		// Incremental reads see deletes by full passes only.
		delete(r.state, gone)
	}
	requireSameState(t, truth.state, r.state, "the records followed by the change model differ from a fresh full read")

	if pw, ok := s.h.Mutator.(PartialWriter); ok {
		s.partial(t, pw, r, model)
	}
	s.crashResume(t, model)
}

// partial writes half a record: it must not be read (nor reported broken)
// before it is finished, and must be read whole after.
func (s *suite) partial(t *testing.T, pw PartialWriter, r *replica, model connectors.ChangeModel) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	id, finish, err := pw.WritePartial(ctx)
	require.NoError(t, err, "WritePartial")
	at := *r
	recs, _ := s.follow(t, r, model, "after a partial write")
	for _, rec := range recs {
		require.Nil(t, rec.Err, "a half-written record was reported broken: %v", rec.Err)
	}
	require.NotContains(t, r.state, id, "a half-written record was read")
	require.NoError(t, finish(ctx), "finishing the partial write")
	if model != connectors.ChangeSnapshot {
		require.Equal(t, at.cursor, r.cursor, "the cursor moved past a half-written record")
	}
	s.follow(t, r, model, "after the partial write was finished")
	require.Contains(t, r.state, id, "the finished record was not read")
}

// crashResume stops a read from the start half way, as a crash does, and
// resumes from the last record delivered: together the two reads hold
// every record (an incremental read may repeat some).
func (s *suite) crashResume(t *testing.T, model connectors.ChangeModel) {
	t.Helper()
	truth := s.pass(t, "before the crash")
	c := s.open(t)
	ctx, cancel := context.WithTimeout(context.Background(), s.h.ReadTimeout)
	defer cancel()
	var got []connectors.Record
	half := len(truth.state) / 2
	err := c.Read(ctx, connectors.ReadRequest{Object: s.h.Object}, func(rec connectors.Record) error {
		if len(got) == half {
			return errStop
		}
		got = append(got, rec)
		return nil
	})
	require.ErrorIs(t, err, errStop)
	rest, err := s.read(t, got[len(got)-1].Cursor)
	require.NoError(t, err, "resume after the crash")
	state := map[string]map[string]any{}
	for _, rec := range append(got, rest...) {
		_, dup := state[rec.ID]
		require.False(t, dup && model != connectors.ChangeIncremental, "record %q read twice across the crash", rec.ID)
		if rec.Deleted {
			delete(state, rec.ID)
			continue
		}
		state[rec.ID] = rec.Fields
	}
	requireSameState(t, truth.state, state, "a read resumed after a crash")
}

func requireSameState(t *testing.T, want, got map[string]map[string]any, what string) {
	t.Helper()
	for id := range want {
		if _, ok := got[id]; !ok {
			require.Failf(t, what, "record %q is missing", id)
		}
	}
	for id, f := range got {
		w, ok := want[id]
		if !ok {
			require.Failf(t, what, "record %q should not be there", id)
		}
		if !reflect.DeepEqual(w, f) {
			require.Equal(t, w, f, fmt.Sprintf("%s: record %q", what, id))
		}
	}
}
