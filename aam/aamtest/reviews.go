package aamtest

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

// reviewTests hold ReviewStore to its contract.
var reviewTests = []test{
	{"AddAndRead", testReviewAddAndRead},
	{"ListByStatus", testReviewListByStatus},
	{"DecideOnlyPending", testReviewDecideOnlyPending},
	{"ApprovedThenApplied", testReviewApprovedThenApplied},
	{"Invalid", testReviewInvalid},
	{"TenantIsolation", testReviewTenantIsolation},
}

// proposal returns a pending repair proposal of connection.
func proposal(connection uuid.UUID, target string) aam.Proposal {
	return aam.Proposal{
		ConnectionID:   connection,
		Object:         "contacts.csv",
		DriftEventID:   uuid.New(),
		Kind:           aam.ProposalRepair,
		Change:         "removed",
		SourceField:    "surname",
		PreviousSource: "last_name",
		Target:         target,
		Entity:         "contact",
		Confidence:     0.72,
		Decision:       "review",
		Evidence:       json.RawMessage(`{"record_agreement": 1, "candidates": ["surname", "family_name"]}`),
		Status:         aam.StatusPending,
		BaseVersion:    3,
		Reason:         "two columns hold the old values",
	}
}

func testReviewAddAndRead(t *testing.T, f *fixture) {
	c := f.conn(t, f.a.ID, "crm")
	want := proposal(c.ID, "last_name")
	want.ID = uuid.New()
	want.CreatedAt = now()
	got, err := f.s.AddProposal(f.ctx, f.a.ID, want)
	require.NoError(t, err)
	requireProposal(t, want, got)
	read, err := f.s.Proposal(f.ctx, f.a.ID, want.ID)
	require.NoError(t, err)
	requireProposal(t, want, read)
	require.True(t, read.DecidedAt.IsZero())

	// Defaults: a new id and creation time; no drift event.
	p := proposal(c.ID, "email")
	p.DriftEventID = uuid.Nil
	p.Kind = aam.ProposalBulk
	p.Evidence = nil
	got, err = f.s.AddProposal(f.ctx, f.a.ID, p)
	require.NoError(t, err)
	require.NotEqual(t, uuid.Nil, got.ID)
	require.False(t, got.CreatedAt.IsZero())
	require.Equal(t, uuid.Nil, got.DriftEventID)
	require.Nil(t, got.Evidence)

	_, err = f.s.AddProposal(f.ctx, f.a.ID, want)
	requireIs(t, err, aam.ErrConflict, "same id twice")
	_, err = f.s.Proposal(f.ctx, f.a.ID, uuid.New())
	requireIs(t, err, aam.ErrNotFound, "unknown id")
}

func testReviewListByStatus(t *testing.T, f *fixture) {
	c := f.conn(t, f.a.ID, "crm")
	var ids []uuid.UUID
	for i, target := range []string{"last_name", "email", "phone"} {
		p := proposal(c.ID, target)
		p.CreatedAt = now().Add(time.Duration(i-3) * time.Second)
		got, err := f.s.AddProposal(f.ctx, f.a.ID, p)
		require.NoError(t, err)
		ids = append(ids, got.ID)
	}
	_, err := f.s.DecideProposal(f.ctx, f.a.ID, ids[1], aam.ProposalDecision{Status: aam.StatusRejected, By: "user:1", Reason: "wrong column"})
	require.NoError(t, err)

	all, err := f.s.Proposals(f.ctx, f.a.ID, "")
	require.NoError(t, err)
	require.Equal(t, ids, proposalIDs(all), "oldest first")
	pending, err := f.s.Proposals(f.ctx, f.a.ID, aam.StatusPending)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{ids[0], ids[2]}, proposalIDs(pending))
	rejected, err := f.s.Proposals(f.ctx, f.a.ID, aam.StatusRejected)
	require.NoError(t, err)
	require.Equal(t, []uuid.UUID{ids[1]}, proposalIDs(rejected))
	require.Equal(t, "wrong column", rejected[0].Reason)
	_, err = f.s.Proposals(f.ctx, f.a.ID, "maybe")
	requireIs(t, err, aam.ErrInvalid, "unknown status")
}

func testReviewDecideOnlyPending(t *testing.T, f *fixture) {
	c := f.conn(t, f.a.ID, "crm")
	p, err := f.s.AddProposal(f.ctx, f.a.ID, proposal(c.ID, "last_name"))
	require.NoError(t, err)
	got, err := f.s.DecideProposal(f.ctx, f.a.ID, p.ID, aam.ProposalDecision{Status: aam.StatusRejected, By: "user:7", Reason: "not a rename"})
	require.NoError(t, err)
	require.Equal(t, aam.StatusRejected, got.Status)
	require.Equal(t, "user:7", got.DecidedBy)
	require.Equal(t, "not a rename", got.Reason)
	require.False(t, got.DecidedAt.IsZero())

	for _, s := range []aam.ProposalStatus{aam.StatusApproved, aam.StatusApplied, aam.StatusRejected, aam.StatusSuperseded} {
		_, err = f.s.DecideProposal(f.ctx, f.a.ID, p.ID, aam.ProposalDecision{Status: s, By: "user:8"})
		requireIs(t, err, aam.ErrConflict, "rejected proposal decided again as ", s)
	}
	read, err := f.s.Proposal(f.ctx, f.a.ID, p.ID)
	require.NoError(t, err)
	require.Equal(t, aam.StatusRejected, read.Status)
	require.Equal(t, "user:7", read.DecidedBy)

	_, err = f.s.DecideProposal(f.ctx, f.a.ID, uuid.New(), aam.ProposalDecision{Status: aam.StatusRejected, By: "user:7"})
	requireIs(t, err, aam.ErrNotFound, "unknown id")
}

func testReviewApprovedThenApplied(t *testing.T, f *fixture) {
	c := f.conn(t, f.a.ID, "crm")
	p, err := f.s.AddProposal(f.ctx, f.a.ID, proposal(c.ID, "last_name"))
	require.NoError(t, err)
	got, err := f.s.DecideProposal(f.ctx, f.a.ID, p.ID, aam.ProposalDecision{Status: aam.StatusApproved, By: "user:1", Target: "first_name"})
	require.NoError(t, err)
	require.Equal(t, aam.StatusApproved, got.Status)
	require.Equal(t, "first_name", got.Target, "edited target")
	_, err = f.s.DecideProposal(f.ctx, f.a.ID, p.ID, aam.ProposalDecision{Status: aam.StatusRejected, By: "user:2"})
	requireIs(t, err, aam.ErrConflict, "approved cannot be rejected")
	got, err = f.s.DecideProposal(f.ctx, f.a.ID, p.ID, aam.ProposalDecision{Status: aam.StatusApplied, By: "user:1", AppliedVersion: 4})
	require.NoError(t, err)
	require.Equal(t, aam.StatusApplied, got.Status)
	require.Equal(t, 4, got.AppliedVersion)
	require.Equal(t, "first_name", got.Target)
}

func testReviewInvalid(t *testing.T, f *fixture) {
	c := f.conn(t, f.a.ID, "crm")
	for name, mod := range map[string]func(p *aam.Proposal){
		"nil connection": func(p *aam.Proposal) { p.ConnectionID = uuid.Nil },
		"empty object":   func(p *aam.Proposal) { p.Object = "" },
		"empty target":   func(p *aam.Proposal) { p.Target = "" },
		"bad kind":       func(p *aam.Proposal) { p.Kind = "guess" },
		"bad status":     func(p *aam.Proposal) { p.Status = "maybe" },
		"confidence":     func(p *aam.Proposal) { p.Confidence = 1.5 },
		"evidence":       func(p *aam.Proposal) { p.Evidence = json.RawMessage(`{`) },
		"base version":   func(p *aam.Proposal) { p.BaseVersion = -1 },
	} {
		p := proposal(c.ID, "last_name")
		mod(&p)
		_, err := f.s.AddProposal(f.ctx, f.a.ID, p)
		requireIs(t, err, aam.ErrInvalid, name)
	}
	_, err := f.s.AddProposal(f.ctx, uuid.Nil, proposal(c.ID, "last_name"))
	requireIs(t, err, aam.ErrInvalid, "nil tenant")
	_, err = f.s.AddProposal(f.ctx, f.a.ID, proposal(uuid.New(), "last_name"))
	require.Error(t, err, "unknown connection")
	p, err := f.s.AddProposal(f.ctx, f.a.ID, proposal(c.ID, "last_name"))
	require.NoError(t, err)
	_, err = f.s.DecideProposal(f.ctx, f.a.ID, p.ID, aam.ProposalDecision{Status: aam.StatusPending, By: "u"})
	requireIs(t, err, aam.ErrInvalid, "pending is no decision")
	_, err = f.s.DecideProposal(f.ctx, f.a.ID, p.ID, aam.ProposalDecision{Status: aam.StatusRejected})
	requireIs(t, err, aam.ErrInvalid, "empty by")
	all, err := f.s.Proposals(f.ctx, f.a.ID, "")
	require.NoError(t, err)
	require.Len(t, all, 1, "nothing invalid was stored")
}

func testReviewTenantIsolation(t *testing.T, f *fixture) {
	ca := f.conn(t, f.a.ID, "crm")
	cb := f.conn(t, f.b.ID, "crm")
	pa, err := f.s.AddProposal(f.ctx, f.a.ID, proposal(ca.ID, "last_name"))
	require.NoError(t, err)
	_, err = f.s.AddProposal(f.ctx, f.b.ID, proposal(cb.ID, "email"))
	require.NoError(t, err)
	_, err = f.s.AddProposal(f.ctx, f.b.ID, proposal(ca.ID, "email"))
	require.Error(t, err, "tenant B cannot file a proposal on A's connection")

	_, err = f.s.Proposal(f.ctx, f.b.ID, pa.ID)
	requireIs(t, err, aam.ErrNotFound, "B reads A's proposal")
	_, err = f.s.DecideProposal(f.ctx, f.b.ID, pa.ID, aam.ProposalDecision{Status: aam.StatusRejected, By: "user:b"})
	requireIs(t, err, aam.ErrNotFound, "B decides A's proposal")
	listB, err := f.s.Proposals(f.ctx, f.b.ID, "")
	require.NoError(t, err)
	require.Len(t, listB, 1)
	require.Equal(t, "email", listB[0].Target)
	read, err := f.s.Proposal(f.ctx, f.a.ID, pa.ID)
	require.NoError(t, err)
	require.Equal(t, aam.StatusPending, read.Status, "A's proposal unchanged")
}

func proposalIDs(ps []aam.Proposal) []uuid.UUID {
	ids := make([]uuid.UUID, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func requireProposal(t *testing.T, want, got aam.Proposal) {
	t.Helper()
	require.Equal(t, want.ID, got.ID)
	require.Equal(t, want.ConnectionID, got.ConnectionID)
	require.Equal(t, want.Object, got.Object)
	require.Equal(t, want.DriftEventID, got.DriftEventID)
	require.Equal(t, want.Kind, got.Kind)
	require.Equal(t, want.Change, got.Change)
	require.Equal(t, want.SourceField, got.SourceField)
	require.Equal(t, want.PreviousSource, got.PreviousSource)
	require.Equal(t, want.Target, got.Target)
	require.Equal(t, want.Entity, got.Entity)
	require.InDelta(t, want.Confidence, got.Confidence, 1e-9)
	require.Equal(t, want.Decision, got.Decision)
	require.JSONEq(t, string(want.Evidence), string(got.Evidence))
	require.Equal(t, want.Status, got.Status)
	require.Equal(t, want.BaseVersion, got.BaseVersion)
	require.Equal(t, want.Reason, got.Reason)
	require.True(t, want.CreatedAt.Equal(got.CreatedAt), "created_at %v, got %v", want.CreatedAt, got.CreatedAt)
}
