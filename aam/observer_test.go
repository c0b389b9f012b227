package aam_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/drift"
)

// recordingRepairer keeps what it is handed.
type recordingRepairer struct {
	mu   sync.Mutex
	reqs []aam.RepairRequest
}

func (r *recordingRepairer) Repair(_ context.Context, req aam.RepairRequest) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, req)
	return nil
}

func (r *recordingRepairer) requests() []aam.RepairRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]aam.RepairRequest(nil), r.reqs...)
}

func changesOf(t *testing.T, d aam.DriftEvent) []drift.Change {
	t.Helper()
	var cs []drift.Change
	require.NoError(t, json.Unmarshal(d.Changes, &cs))
	return cs
}

func TestObserveDetectsRenameAndBreakingRemoval(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		rep := &recordingRepairer{}
		e := setup(t, kind, &aam.Options{Repairer: rep})
		rows := contactRows(1, 20)
		e.write("contacts.csv", append([]string{contactHeader}, rows...)...)
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		flow, stop, err := e.mesh.Subscribe(e.ctx, e.tenant)
		require.NoError(t, err)
		defer stop()

		// First observation: a snapshot, no drift; unchanged: still none.
		evs, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Empty(t, evs)
		snap, err := e.store.LatestSnapshot(e.ctx, e.tenant, conn.ID, "contacts")
		require.NoError(t, err)
		require.Equal(t, drift.Fingerprint(snap.Schema), snap.Fingerprint)
		require.Len(t, snap.Records, 20, "sample records kept for rename matching")
		evs, err = e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Empty(t, evs)

		// The email header is renamed, values unchanged: a rename.
		e.write("contacts.csv", append([]string{"id,first_name,last_name,email_address"}, rows...)...)
		evs, err = e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		d := evs[0]
		require.Equal(t, "contacts", d.Object)
		require.Equal(t, snap.Fingerprint, d.FromFingerprint)
		require.NotEqual(t, d.FromFingerprint, d.ToFingerprint)
		cs := changesOf(t, d)
		require.Len(t, cs, 1, "%s", d.Changes)
		require.Equal(t, drift.KindRenamed, cs[0].Kind)
		require.Equal(t, "email", cs[0].Field)
		require.Equal(t, "email_address", cs[0].NewField)
		require.NotEmpty(t, cs[0].Candidates)
		require.Equal(t, "email_address", cs[0].Candidates[0].Field)
		require.True(t, d.Breaking, "the mapping still reads email")
		stored, err := e.mesh.DriftEvents(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, stored, 1)
		require.Equal(t, d.ID, stored[0].ID)
		require.Len(t, rep.requests(), 1)
		require.Equal(t, d.ID, rep.requests()[0].Event.ID)
		require.Equal(t, 1, rep.requests()[0].Mapping.Version)

		// A mapped, required column is removed: breaking.
		var noLast []string
		for i := 1; i <= 20; i++ {
			noLast = append(noLast, fmt.Sprintf("%d,First%d,USER%d@Example.com", i, i, i))
		}
		e.write("contacts.csv", append([]string{"id,first_name,email_address"}, noLast...)...)
		evs, err = e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.True(t, evs[0].Breaking)
		cs = changesOf(t, evs[0])
		require.Len(t, cs, 1, "%s", evs[0].Changes)
		require.Equal(t, drift.KindRemoved, cs[0].Kind)
		require.Equal(t, "last_name", cs[0].Field)
		require.True(t, cs[0].Breaking)
		require.True(t, cs[0].Required)
		require.Equal(t, []string{"last_name"}, cs[0].Targets)

		// An unmapped column added: drift, not breaking, not for repair.
		var extra []string
		for i := 1; i <= 20; i++ {
			extra = append(extra, fmt.Sprintf("%d,First%d,USER%d@Example.com,note%d", i, i, i, i))
		}
		e.write("contacts.csv", append([]string{"id,first_name,email_address,notes"}, extra...)...)
		evs, err = e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.False(t, evs[0].Breaking)
		require.Len(t, rep.requests(), 2)

		var drifts []aam.FlowEvent
		for _, f := range drain(flow) {
			if f.Stage == aam.StageDrift {
				drifts = append(drifts, f)
			}
		}
		require.Len(t, drifts, 3)
		require.Contains(t, drifts[0].Message, "renamed email -> email_address")
		require.Equal(t, 1, drifts[1].Errors, "breaking drift counts as an error")
		require.Equal(t, 0, drifts[2].Errors)
	})
}

func TestObserveMappedObjectGoneIsBreaking(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, nil)
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, 5)...)...)
		e.write("other.csv", "id,name", "1,a")
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		_, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.NoError(t, os.Remove(filepath.Join(e.dir, "contacts.csv")))
		evs, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, evs, 1)
		require.Equal(t, "contacts", evs[0].Object)
		require.True(t, evs[0].Breaking)
	})
}

func TestRunObserverObservesEveryRound(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, &aam.Options{ObserveInterval: 20 * time.Millisecond})
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, 5)...)...)
		conn := e.fileConnection(e.tenant)
		e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
		flow, stop, err := e.mesh.Subscribe(e.ctx, e.tenant)
		require.NoError(t, err)
		defer stop()

		require.ErrorIs(t, e.mesh.RunObserver(e.ctx, nil), aam.ErrInvalid)
		ctx, cancel := context.WithCancel(e.ctx)
		done := make(chan error, 1)
		go func() {
			done <- e.mesh.RunObserver(ctx, func(context.Context) ([]uuid.UUID, error) { return []uuid.UUID{e.tenant}, nil })
		}()
		// Two rounds, then a rename picked up by a later round.
		waitStage(t, flow, aam.StageObserve)
		waitStage(t, flow, aam.StageObserve)
		e.write("contacts.csv", append([]string{"id,first_name,last_name,mail"}, contactRows(1, 5)...)...)
		d := waitStage(t, flow, aam.StageDrift)
		require.Equal(t, conn.ID, d.ConnectionID)
		require.Contains(t, d.Message, "email")
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(10 * time.Second):
			t.Fatal("RunObserver did not return after cancel")
		}
	})
}

func waitStage(t *testing.T, ch <-chan aam.FlowEvent, s aam.Stage) aam.FlowEvent {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-ch:
			if e.Stage == s {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s flow event", s)
		}
	}
}
