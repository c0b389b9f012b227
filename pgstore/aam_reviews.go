package pgstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/aam"
)

// proposalColumns are the columns scanProposal reads, in order.
const proposalColumns = `id, connection_id, object, drift_event_id, kind, change, source_field, previous_source,
target, entity, confidence, decision, evidence, status, base_version, applied_version, reason,
created_at, decided_at, decided_by`

func scanProposal(row pgx.Row) (aam.Proposal, error) {
	var (
		p         aam.Proposal
		driftID   *uuid.UUID
		evidence  []byte
		decidedAt *time.Time
	)
	err := row.Scan(&p.ID, &p.ConnectionID, &p.Object, &driftID, &p.Kind, &p.Change, &p.SourceField, &p.PreviousSource,
		&p.Target, &p.Entity, &p.Confidence, &p.Decision, &evidence, &p.Status, &p.BaseVersion, &p.AppliedVersion, &p.Reason,
		&p.CreatedAt, &decidedAt, &p.DecidedBy)
	if err != nil {
		return aam.Proposal{}, err
	}
	if driftID != nil {
		p.DriftEventID = *driftID
	}
	p.Evidence = rawJSON(evidence)
	p.CreatedAt = p.CreatedAt.UTC()
	if decidedAt != nil {
		p.DecidedAt = decidedAt.UTC()
	}
	return p, nil
}

// AddProposal stores a mapping proposal of tenant and returns it as
// stored. A nil ID gets a new random one, a zero CreatedAt the current
// time; times are kept to the microsecond. A nil connection id, an empty
// object, target or entity, an invalid kind, status or confidence, or
// evidence that is not JSON wrap aam.ErrInvalid (a connection the tenant
// does not have too, through the foreign key); an id the tenant already has
// wraps aam.ErrConflict. Safe for concurrent use.
func (a *AAM) AddProposal(ctx context.Context, tenant uuid.UUID, p aam.Proposal) (aam.Proposal, error) {
	const op = "add proposal"
	if err := checkTenant(op, tenant); err != nil {
		return aam.Proposal{}, err
	}
	if err := p.Validate(); err != nil {
		return aam.Proposal{}, fmt.Errorf("pgstore: %s: %w", op, err)
	}
	evidence, err := marshalJSON(p.Evidence)
	if err != nil {
		return aam.Proposal{}, invalid(op, "evidence: %v", err)
	}
	if p.ID == uuid.Nil {
		p.ID = uuid.New()
	}
	if p.CreatedAt.IsZero() {
		p.CreatedAt = time.Now()
	}
	var driftID, decidedAt any
	if p.DriftEventID != uuid.Nil {
		driftID = p.DriftEventID
	}
	if !p.DecidedAt.IsZero() {
		decidedAt = p.DecidedAt
	}
	var out aam.Proposal
	err = a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		out, err = scanProposal(tx.QueryRow(ctx, `
INSERT INTO mapping_proposals (tenant_id, id, connection_id, object, drift_event_id, kind, change, source_field,
    previous_source, target, entity, confidence, decision, evidence, status, base_version, applied_version, reason,
    created_at, decided_at, decided_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
RETURNING `+proposalColumns,
			tenant, p.ID, p.ConnectionID, p.Object, driftID, string(p.Kind), p.Change, p.SourceField,
			p.PreviousSource, p.Target, p.Entity, p.Confidence, p.Decision, evidence, string(p.Status), p.BaseVersion,
			p.AppliedVersion, p.Reason, p.CreatedAt, decidedAt, p.DecidedBy))
		return err
	})
	if err != nil {
		return aam.Proposal{}, aamError(fmt.Sprintf("%s %s", op, p.ID), err)
	}
	return out, nil
}

// Proposals lists the tenant's proposals with the given status (all when
// status is empty), oldest first (by creation time, then insertion). An
// invalid status wraps aam.ErrInvalid. Safe for concurrent use.
func (a *AAM) Proposals(ctx context.Context, tenant uuid.UUID, status aam.ProposalStatus) ([]aam.Proposal, error) {
	const op = "proposals"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	var filter any
	if status != "" {
		if !status.Valid() {
			return nil, invalid(op, "status %q is not valid", status)
		}
		filter = string(status)
	}
	var list []aam.Proposal
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT `+proposalColumns+`
FROM mapping_proposals WHERE tenant_id = $1 AND ($2::text IS NULL OR status = $2)
ORDER BY created_at, seq`, tenant, filter)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (aam.Proposal, error) { return scanProposal(row) })
		return err
	})
	if err != nil {
		return nil, aamError(op, err)
	}
	return list, nil
}

// Proposal returns one proposal of tenant; aam.ErrNotFound if there is
// none with that id. Safe for concurrent use.
func (a *AAM) Proposal(ctx context.Context, tenant, id uuid.UUID) (aam.Proposal, error) {
	const op = "proposal"
	if err := checkTenant(op, tenant); err != nil {
		return aam.Proposal{}, err
	}
	var p aam.Proposal
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		p, err = scanProposal(tx.QueryRow(ctx, `SELECT `+proposalColumns+`
FROM mapping_proposals WHERE tenant_id = $1 AND id = $2`, tenant, id))
		return err
	})
	if err != nil {
		return aam.Proposal{}, aamError(fmt.Sprintf("%s %s", op, id), err)
	}
	return p, nil
}

// DecideProposal changes the status of a proposal of tenant in one
// statement guarded by the statuses it may move from
// (aam.ProposalStatus.CanDecide), recording d.By and the time, and the
// reason, target and applied version when given. A proposal in another
// status wraps aam.ErrConflict and is left unchanged; a missing one wraps
// aam.ErrNotFound; an invalid status or an empty By wraps aam.ErrInvalid.
// Safe for concurrent use: of two racing decisions one wins.
func (a *AAM) DecideProposal(ctx context.Context, tenant, id uuid.UUID, d aam.ProposalDecision) (aam.Proposal, error) {
	op := fmt.Sprintf("decide proposal %s", id)
	if err := checkTenant(op, tenant); err != nil {
		return aam.Proposal{}, err
	}
	switch {
	case !d.Status.Valid() || d.Status == aam.StatusPending:
		return aam.Proposal{}, invalid(op, "status %q is not a decision", d.Status)
	case d.By == "":
		return aam.Proposal{}, invalid(op, "decided by is empty")
	case d.AppliedVersion < 0:
		return aam.Proposal{}, invalid(op, "applied version %d is negative", d.AppliedVersion)
	}
	var from []string
	for _, s := range []aam.ProposalStatus{aam.StatusPending, aam.StatusApproved} {
		if s.CanDecide(d.Status) {
			from = append(from, string(s))
		}
	}
	var p aam.Proposal
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		var err error
		p, err = scanProposal(tx.QueryRow(ctx, `
UPDATE mapping_proposals SET status = $3, decided_by = $4, decided_at = now(),
    reason = CASE WHEN $5 = '' THEN reason ELSE $5 END,
    target = CASE WHEN $6 = '' THEN target ELSE $6 END,
    applied_version = CASE WHEN $7 = 0 THEN applied_version ELSE $7 END
WHERE tenant_id = $1 AND id = $2 AND status = ANY($8)
RETURNING `+proposalColumns, tenant, id, string(d.Status), d.By, d.Reason, d.Target, d.AppliedVersion, from))
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM mapping_proposals WHERE tenant_id = $1 AND id = $2`, tenant, id).Scan(&status); err != nil {
			return err
		}
		return fmt.Errorf("%w: proposal is %s, cannot become %s", ErrConflict, status, d.Status)
	})
	if err != nil {
		return aam.Proposal{}, aamError(op, err)
	}
	return p, nil
}
