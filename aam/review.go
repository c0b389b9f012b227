package aam

import (
	"context"
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// ProposalKind says where a mapping proposal comes from.
type ProposalKind string

// The proposal kinds.
const (
	// ProposalRepair: a repair of an active mapping after schema drift.
	ProposalRepair ProposalKind = "repair"
	// ProposalBulk: a field mapping of an object that had no mapping,
	// proposed by bulk mapping.
	ProposalBulk ProposalKind = "bulk"
)

// Valid reports whether k is one of the proposal kinds.
func (k ProposalKind) Valid() bool { return k == ProposalRepair || k == ProposalBulk }

// ProposalStatus is where a proposal stands in the review queue.
type ProposalStatus string

// The proposal statuses. A proposal starts pending (or is recorded
// directly as applied or rejected when the policy decided it); a person
// approves or rejects a pending one; an approved one becomes applied once
// it is part of a mapping version; superseded means a later mapping change
// made it moot.
const (
	StatusPending    ProposalStatus = "pending"
	StatusApproved   ProposalStatus = "approved"
	StatusRejected   ProposalStatus = "rejected"
	StatusApplied    ProposalStatus = "applied"
	StatusSuperseded ProposalStatus = "superseded"
)

// Valid reports whether s is one of the statuses.
func (s ProposalStatus) Valid() bool {
	switch s {
	case StatusPending, StatusApproved, StatusRejected, StatusApplied, StatusSuperseded:
		return true
	}
	return false
}

// CanDecide reports whether a proposal may move from status s to next:
// pending to any other status, and approved to applied or superseded.
// Everything else (deciding twice, reopening) is a conflict.
func (s ProposalStatus) CanDecide(next ProposalStatus) bool {
	switch s {
	case StatusPending:
		return next.Valid() && next != StatusPending
	case StatusApproved:
		return next == StatusApplied || next == StatusSuperseded
	}
	return false
}

// Proposal is one stored mapping proposal of the review queue: map Target
// of the object's entity from SourceField (an empty SourceField proposes
// to stop mapping Target).
type Proposal struct {
	// ID is set by the caller of AddProposal (a new random one when nil).
	ID           uuid.UUID `json:"id"`
	ConnectionID uuid.UUID `json:"connection_id"`
	Object       string    `json:"object"`
	// DriftEventID is the drift event a repair answers; uuid.Nil when none.
	DriftEventID uuid.UUID    `json:"drift_event_id,omitempty"`
	Kind         ProposalKind `json:"kind"`
	// Change is the kind of schema change answered (a drift.Kind:
	// "renamed", "removed", "added", "retyped"); empty for bulk proposals.
	Change string `json:"change,omitempty"`
	// SourceField is the proposed source field; empty to unmap Target.
	SourceField string `json:"source_field"`
	// PreviousSource is the source Target read in the base version; empty
	// when Target was not mapped.
	PreviousSource string `json:"previous_source,omitempty"`
	// Target is the canonical field of Entity.
	Target string `json:"target"`
	Entity string `json:"entity"`
	// Confidence is the proposer's calibrated confidence, 0..1.
	Confidence float64 `json:"confidence"`
	// Decision is the policy's decision: "auto", "review" or "reject".
	Decision string `json:"decision"`
	// Evidence is what the confidence rests on, as JSON.
	Evidence json.RawMessage `json:"evidence,omitempty"`
	Status   ProposalStatus  `json:"status"`
	// BaseVersion is the mapping version the proposal was computed
	// against; 0 when the object had no mapping.
	BaseVersion int `json:"base_version"`
	// AppliedVersion is the mapping version that applied the proposal; 0
	// until applied.
	AppliedVersion int `json:"applied_version,omitempty"`
	// Reason says why the proposal has its decision and status.
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
	// DecidedAt and DecidedBy say when and by whom the status last changed
	// from pending; zero and empty while pending.
	DecidedAt time.Time `json:"decided_at,omitzero"`
	DecidedBy string    `json:"decided_by,omitempty"`
}

// ProposalDecision is a status change of a stored proposal.
type ProposalDecision struct {
	// Status is the new status; see ProposalStatus.CanDecide.
	Status ProposalStatus
	// By is who decides: a user id or "system:<component>". Required.
	By string
	// Reason replaces the proposal's reason when not empty.
	Reason string
	// Target replaces the proposal's target when not empty (an approval
	// with an edited target).
	Target string
	// AppliedVersion is stored when not zero.
	AppliedVersion int
}

// ReviewStore keeps the mapping proposals of the review queue per tenant.
// Implementations must be safe for concurrent use.
type ReviewStore interface {
	// AddProposal stores p for tenant. A nil ID gets a new random one, a
	// zero CreatedAt the current time (times are kept to the microsecond);
	// a nil connection id, an empty object or target, an invalid kind or
	// status wrap ErrInvalid; a connection the tenant does not have wraps
	// ErrNotFound or ErrInvalid; an id the tenant already has wraps
	// ErrConflict. It returns the proposal as stored.
	AddProposal(ctx context.Context, tenant uuid.UUID, p Proposal) (Proposal, error)
	// Proposals lists the tenant's proposals with the given status (all
	// when status is empty), oldest first.
	Proposals(ctx context.Context, tenant uuid.UUID, status ProposalStatus) ([]Proposal, error)
	// Proposal returns one proposal; ErrNotFound if the tenant has none
	// with that id.
	Proposal(ctx context.Context, tenant, id uuid.UUID) (Proposal, error)
	// DecideProposal changes a proposal's status atomically, if its
	// current status may move to d.Status (ProposalStatus.CanDecide), and
	// records d.By and the time; otherwise it wraps ErrConflict and
	// changes nothing. ErrNotFound if there is no such proposal; an
	// invalid status or an empty By wraps ErrInvalid. It returns the
	// proposal as stored after the change.
	DecideProposal(ctx context.Context, tenant, id uuid.UUID, d ProposalDecision) (Proposal, error)
}
