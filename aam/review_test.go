package aam_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/drift"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/duckvec"
	"github.com/autonomos/autonomos/schemamatch"
)

// repairEnv is an env whose mesh repairs drift with an AutoRepairer and
// an offline matcher.
type repairEnv struct {
	*env
	matcher *schemamatch.Matcher
}

func setupRepair(t *testing.T, kind string) *repairEnv {
	t.Helper()
	e := &env{t: t, ctx: testenv.Context(t), store: newStore(t, kind), dir: t.TempDir()}
	var err error
	e.canon, err = canonical.NewRegistry()
	require.NoError(t, err)
	e.conns = connectors.NewRegistry()
	require.NoError(t, filesource.Register(e.conns))
	db, err := sql.Open("duckdb", "")
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	memory, err := duckvec.New(e.ctx, db, rag.LocalDimension, nil)
	require.NoError(t, err)
	matcher, err := schemamatch.NewMatcher(e.canon, &schemamatch.MatcherOptions{Store: memory})
	require.NoError(t, err)
	rep, err := aam.NewRepairer(e.canon, e.store, &aam.RepairerOptions{Matcher: matcher})
	require.NoError(t, err)
	e.bus = aam.NewMemoryBus(&aam.MemoryBusOptions{Buffer: 4096})
	e.mesh, err = aam.New(e.canon, e.conns, e.store, &aam.Options{FlowBus: e.bus, Repairer: rep})
	require.NoError(t, err)
	e.tenant = e.newTenant()
	return &repairEnv{env: e, matcher: matcher}
}

// lastNameRows returns n CSV rows id,first_name,<last>,email where the
// last-name column holds Last<i> (twice when double).
func lastNameRows(from, n int, double bool) []string {
	rows := make([]string, 0, n)
	for i := from; i < from+n; i++ {
		if double {
			rows = append(rows, fmt.Sprintf("%d,First%d,Last%d,Last%d,user%d@example.com", i, i, i, i, i))
		} else {
			rows = append(rows, fmt.Sprintf("%d,First%d,Last%d,user%d@example.com", i, i, i, i))
		}
	}
	return rows
}

// startMapped writes contacts.csv with 20 rows, maps it (version 1),
// syncs it and takes the first snapshot.
func (e *repairEnv) startMapped() aam.Connection {
	e.t.Helper()
	e.write("contacts.csv", append([]string{contactHeader}, lastNameRows(1, 20, false)...)...)
	conn := e.fileConnection(e.tenant)
	e.putMapping(e.tenant, conn.ID, "contacts", 0, contactMapping(true))
	_, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
	require.NoError(e.t, err)
	require.Len(e.t, e.events(e.tenant), 20)
	evs, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
	require.NoError(e.t, err)
	require.Empty(e.t, evs)
	return conn
}

// requireFlowed checks that every record 1..n has an event with its last
// name, and that the quarantine is empty.
func (e *repairEnv) requireFlowed(conn aam.Connection, n int) {
	e.t.Helper()
	q, err := e.mesh.Quarantined(e.ctx, e.tenant, conn.ID, "contacts")
	require.NoError(e.t, err)
	require.Empty(e.t, q, "quarantine empty")
	evs := e.events(e.tenant)
	identities(e.t, evs) // no event twice
	by := byRecord(evs)
	for i := 1; i <= n; i++ {
		ev, ok := by[fmt.Sprint(i)]
		require.True(e.t, ok, "record %d has an event", i)
		require.Equal(e.t, fmt.Sprintf("Last%d", i), ev.Data["last_name"], "record %d", i)
	}
}

func (e *repairEnv) active(conn aam.Connection) aam.MappingVersion {
	e.t.Helper()
	v, err := e.mesh.ActiveMapping(e.ctx, e.tenant, aam.MappingKey{ConnectionID: conn.ID, Object: "contacts"})
	require.NoError(e.t, err)
	return v
}

func TestRepairAutoAppliesRenameEndToEnd(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		conn := e.startMapped()

		// last_name is renamed to surname, values unchanged, and rows are
		// added; a sync before the observer sees it quarantines them all.
		e.write("contacts.csv", append([]string{"id,first_name,surname,email"}, lastNameRows(1, 25, false)...)...)
		_, err := e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		q, err := e.mesh.Quarantined(e.ctx, e.tenant, conn.ID, "contacts")
		require.NoError(t, err)
		require.Len(t, q, 25, "records without last_name are quarantined")

		drifts, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, drifts, 1)
		require.True(t, drifts[0].Breaking)

		v := e.active(conn)
		require.Equal(t, 2, v.Version, "auto-applied as a new version")
		require.Equal(t, aam.RepairAuthor, v.Author)
		require.Contains(t, v.Reason, "surname")
		fm, ok := v.Mapping.Field("last_name")
		require.True(t, ok)
		require.Equal(t, "surname", fm.Source)
		require.Equal(t, canonical.OriginAuto, fm.Origin)
		require.GreaterOrEqual(t, fm.Confidence, 0.85)
		var evidence struct {
			DriftEventID uuid.UUID `json:"drift_event_id"`
			Repairs      []struct {
				Target string `json:"target"`
				Source string `json:"source"`
				Diff   struct {
					RecordAgreement float64 `json:"record_agreement"`
				} `json:"diff"`
			} `json:"repairs"`
		}
		require.NoError(t, json.Unmarshal(v.Evidence, &evidence))
		require.Equal(t, drifts[0].ID, evidence.DriftEventID)
		require.Len(t, evidence.Repairs, 1)
		require.Equal(t, "surname", evidence.Repairs[0].Source)
		require.InDelta(t, 1.0, evidence.Repairs[0].Diff.RecordAgreement, 1e-9)

		// The applied repair is on record; nothing waits for review.
		all, err := e.mesh.Reviews(e.ctx, e.tenant, "")
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.Equal(t, aam.StatusApplied, all[0].Status)
		require.Equal(t, 2, all[0].AppliedVersion)
		require.Equal(t, drifts[0].ID, all[0].DriftEventID)
		require.Equal(t, "renamed", all[0].Change)

		_, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		e.requireFlowed(conn, 25)
	})
}

func TestRepairAmbiguousRenameGoesToReviewAndApproval(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		conn := e.startMapped()

		// last_name's values now appear in two columns: no unique successor.
		e.write("contacts.csv", append([]string{"id,first_name,surname,family_name,email"}, lastNameRows(1, 22, true)...)...)
		drifts, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Len(t, drifts, 1)
		require.Equal(t, 1, e.active(conn).Version, "nothing applied")

		pending, err := e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		p := pending[0]
		require.Equal(t, "last_name", p.Target)
		require.Equal(t, "last_name", p.PreviousSource)
		require.Contains(t, []string{"surname", "family_name"}, p.SourceField)
		require.Equal(t, "review", p.Decision)
		require.GreaterOrEqual(t, p.Confidence, 0.60)
		require.Equal(t, 1, p.BaseVersion)
		require.Contains(t, string(p.Evidence), "family_name")

		_, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		q, err := e.mesh.Quarantined(e.ctx, e.tenant, conn.ID, "contacts")
		require.NoError(t, err)
		require.Len(t, q, 22, "records wait in quarantine for the review")

		approved, err := e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:alice", "")
		require.NoError(t, err)
		require.Equal(t, aam.StatusApplied, approved.Status)
		require.Equal(t, "user:alice", approved.DecidedBy)
		require.Equal(t, 2, approved.AppliedVersion)
		v := e.active(conn)
		require.Equal(t, 2, v.Version, "approval makes version + 1")
		require.Equal(t, "user:alice", v.Author)
		fm, _ := v.Mapping.Field("last_name")
		require.Equal(t, p.SourceField, fm.Source)
		require.Equal(t, canonical.OriginReviewed, fm.Origin)

		_, err = e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:bob", "")
		require.ErrorIs(t, err, aam.ErrConflict, "approved twice")

		// The approval is in the tenant's retrieval memory now.
		snap, err := e.store.LatestSnapshot(e.ctx, e.tenant, conn.ID, "contacts")
		require.NoError(t, err)
		res, err := e.matcher.Match(e.ctx, snap.Schema, &schemamatch.MatchOptions{Entity: "contact", Tenant: e.tenant.String()})
		require.NoError(t, err)
		var hit *schemamatch.RetrievalEvidence
		for _, fm := range res.Mappings {
			if fm.SourceField == p.SourceField {
				hit = fm.Evidence.Retrieval
			}
		}
		require.NotNil(t, hit, "retrieval finds the approved mapping")
		require.Equal(t, p.SourceField, hit.SourceField)

		_, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		e.requireFlowed(conn, 22)
	})
}

func TestRepairRequiredFieldRemovedNeverAutoApplies(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		conn := e.startMapped()
		rows := make([]string, 0, 20)
		for i := 1; i <= 20; i++ {
			rows = append(rows, fmt.Sprintf("%d,First%d,user%d@example.com", i, i, i))
		}
		e.write("contacts.csv", append([]string{"id,first_name,email"}, rows...)...)
		_, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 1, e.active(conn).Version, "a required field's source is never dropped automatically")

		pending, err := e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		p := pending[0]
		require.Equal(t, "last_name", p.Target)
		require.Empty(t, p.SourceField, "proposes to stop mapping")
		require.Equal(t, "review", p.Decision)
		require.Contains(t, p.Reason, "required")

		_, err = e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:alice", "")
		require.ErrorIs(t, err, aam.ErrInvalid, "unmapping a required field is refused")
		require.Equal(t, 1, e.active(conn).Version)

		// Reject path.
		_, err = e.mesh.RejectReview(e.ctx, e.tenant, p.ID, "user:alice", "")
		require.ErrorIs(t, err, aam.ErrInvalid, "a rejection needs a reason")
		rejected, err := e.mesh.RejectReview(e.ctx, e.tenant, p.ID, "user:alice", "the export lost the column; fixing upstream")
		require.NoError(t, err)
		require.Equal(t, aam.StatusRejected, rejected.Status)
		require.Equal(t, "the export lost the column; fixing upstream", rejected.Reason)
		_, err = e.mesh.RejectReview(e.ctx, e.tenant, p.ID, "user:bob", "again")
		require.ErrorIs(t, err, aam.ErrConflict)
		_, err = e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:bob", "")
		require.ErrorIs(t, err, aam.ErrConflict)
		pending, err = e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Empty(t, pending)
		require.Equal(t, 1, e.active(conn).Version)
	})
}

func TestReviewsAreIsolatedBetweenTenants(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		conn := e.startMapped()
		e.write("contacts.csv", append([]string{"id,first_name,surname,family_name,email"}, lastNameRows(1, 20, true)...)...)
		_, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		pending, err := e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Len(t, pending, 1)

		other := e.newTenant()
		list, err := e.mesh.Reviews(e.ctx, other, "")
		require.NoError(t, err)
		require.Empty(t, list)
		_, err = e.mesh.Review(e.ctx, other, pending[0].ID)
		require.ErrorIs(t, err, aam.ErrNotFound)
		_, err = e.mesh.ApproveReview(e.ctx, other, pending[0].ID, "user:mallory", "")
		require.ErrorIs(t, err, aam.ErrNotFound)
		_, err = e.mesh.RejectReview(e.ctx, other, pending[0].ID, "user:mallory", "no")
		require.ErrorIs(t, err, aam.ErrNotFound)
		got, err := e.mesh.Review(e.ctx, e.tenant, pending[0].ID)
		require.NoError(t, err)
		require.Equal(t, aam.StatusPending, got.Status)
	})
}

func TestApproveReviewOnNewerVersion(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		conn := e.startMapped()
		e.write("contacts.csv", append([]string{"id,first_name,surname,family_name,email"}, lastNameRows(1, 20, true)...)...)
		_, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		pending, err := e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		p := pending[0]
		other := "surname"
		if p.SourceField == other {
			other = "family_name"
		}

		// Someone maps last_name from the other column meanwhile: the
		// proposal no longer fits.
		m := contactMapping(true)
		m.Fields[2].Source = other
		e.putMapping(e.tenant, conn.ID, "contacts", 1, m)
		_, err = e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:alice", "")
		require.ErrorIs(t, err, aam.ErrConflict)
		require.Contains(t, err.Error(), other)
		got, err := e.mesh.Review(e.ctx, e.tenant, p.ID)
		require.NoError(t, err)
		require.Equal(t, aam.StatusPending, got.Status, "a refused approval changes nothing")

		// A newer version that leaves last_name alone: the approval applies
		// on top of it.
		m = contactMapping(false)
		e.putMapping(e.tenant, conn.ID, "contacts", 2, m)
		applied, err := e.mesh.ApproveReview(e.ctx, e.tenant, p.ID, "user:alice", "")
		require.NoError(t, err)
		require.Equal(t, 4, applied.AppliedVersion)
		v := e.active(conn)
		require.Equal(t, 4, v.Version)
		fm, _ := v.Mapping.Field("last_name")
		require.Equal(t, p.SourceField, fm.Source)
		_, hasEmail := v.Mapping.Field("email")
		require.False(t, hasEmail, "built on the active version, not the proposal's base")
	})
}

func TestApproveReviewWithEditedTarget(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setupRepair(t, kind)
		conn := e.startMapped()
		e.write("contacts.csv", append([]string{"id,first_name,surname,family_name,email"}, lastNameRows(1, 20, true)...)...)
		_, err := e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		pending, err := e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		_, err = e.mesh.ApproveReview(e.ctx, e.tenant, pending[0].ID, "user:alice", "no_such_field")
		require.ErrorIs(t, err, aam.ErrInvalid)
		_, err = e.mesh.ApproveReview(e.ctx, e.tenant, pending[0].ID, "user:alice", "first_name")
		require.ErrorIs(t, err, aam.ErrConflict, "first_name is mapped from a field that still exists")
		got, err := e.mesh.ApproveReview(e.ctx, e.tenant, pending[0].ID, "user:alice", "title")
		require.NoError(t, err)
		require.Equal(t, "title", got.Target)
		v := e.active(conn)
		require.Equal(t, 2, v.Version)
		fm, _ := v.Mapping.Field("title")
		require.Equal(t, pending[0].SourceField, fm.Source)
		require.Equal(t, canonical.OriginReviewed, fm.Origin)
	})
}

func TestNewRepairerValidates(t *testing.T) {
	t.Parallel()
	canon, err := canonical.NewRegistry()
	require.NoError(t, err)
	store := newStore(t, "duckdb")
	_, err = aam.NewRepairer(nil, store, nil)
	require.ErrorIs(t, err, aam.ErrInvalid)
	_, err = aam.NewRepairer(canon, nil, nil)
	require.ErrorIs(t, err, aam.ErrInvalid)
	_, err = aam.NewRepairer(canon, store, &aam.RepairerOptions{Policy: drift.Policy{AutoApply: 0.5, Review: 0.7}})
	require.ErrorIs(t, err, aam.ErrInvalid)
	require.Contains(t, err.Error(), "policy")
	r, err := aam.NewRepairer(canon, store, nil)
	require.NoError(t, err)
	require.ErrorIs(t, r.Remember(t.Context(), "t", schemamatch.ApprovedMapping{}), schemamatch.ErrUnavailable, "no matcher, no memory")
}

// racingRepairer changes the mapping just before the repair runs, as a
// person editing it at the same moment would.
type racingRepairer struct {
	inner *aam.AutoRepairer
	race  func()
}

func (r *racingRepairer) Repair(ctx context.Context, req aam.RepairRequest) error {
	r.race()
	return r.inner.Repair(ctx, req)
}

func TestRepairOnStaleVersionGoesToReview(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := &env{t: t, ctx: testenv.Context(t), store: newStore(t, kind), dir: t.TempDir()}
		var err error
		e.canon, err = canonical.NewRegistry()
		require.NoError(t, err)
		e.conns = connectors.NewRegistry()
		require.NoError(t, filesource.Register(e.conns))
		inner, err := aam.NewRepairer(e.canon, e.store, nil)
		require.NoError(t, err)
		var conn aam.Connection
		rep := &racingRepairer{inner: inner, race: func() { e.putMapping(e.tenant, conn.ID, "contacts", 1, contactMapping(true)) }}
		e.mesh, err = aam.New(e.canon, e.conns, e.store, &aam.Options{Repairer: rep})
		require.NoError(t, err)
		e.tenant = e.newTenant()
		re := &repairEnv{env: e}
		conn = re.startMapped()

		e.write("contacts.csv", append([]string{"id,first_name,surname,email"}, lastNameRows(1, 20, false)...)...)
		_, err = e.mesh.Observe(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		require.Equal(t, 2, re.active(conn).Version, "only the racing edit was stored")
		pending, err := e.mesh.Reviews(e.ctx, e.tenant, aam.StatusPending)
		require.NoError(t, err)
		require.Len(t, pending, 1)
		require.Equal(t, "surname", pending[0].SourceField)
		require.Contains(t, pending[0].Reason, "changed since version 1")

		_, err = e.mesh.ApproveReview(e.ctx, e.tenant, pending[0].ID, "user:alice", "")
		require.NoError(t, err)
		require.Equal(t, 3, re.active(conn).Version)
		_, err = e.mesh.Sync(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		re.requireFlowed(conn, 20)
	})
}
