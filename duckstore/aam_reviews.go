package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
)

// proposalColumns are the columns scanProposal reads, in order.
const proposalColumns = `id, connection_id, object, drift_event_id, kind, change, source_field, previous_source,
target, entity, confidence, decision, evidence, status, base_version, applied_version, reason,
created_at, decided_at, decided_by`

type rowScanner interface{ Scan(dest ...any) error }

func scanProposal(row rowScanner) (aam.Proposal, error) {
	var (
		p         aam.Proposal
		driftID   uuid.NullUUID
		evidence  sql.NullString
		decidedAt sql.NullTime
	)
	err := row.Scan(&p.ID, &p.ConnectionID, &p.Object, &driftID, &p.Kind, &p.Change, &p.SourceField, &p.PreviousSource,
		&p.Target, &p.Entity, &p.Confidence, &p.Decision, &evidence, &p.Status, &p.BaseVersion, &p.AppliedVersion, &p.Reason,
		&p.CreatedAt, &decidedAt, &p.DecidedBy)
	if err != nil {
		return aam.Proposal{}, err
	}
	if driftID.Valid {
		p.DriftEventID = driftID.UUID
	}
	p.Evidence = rawJSON(evidence)
	p.CreatedAt = p.CreatedAt.UTC()
	if decidedAt.Valid {
		p.DecidedAt = decidedAt.Time.UTC()
	}
	return p, nil
}

// AddProposal stores a mapping proposal of tenant and returns it as
// stored. A nil ID gets a new random one, a zero CreatedAt the current
// time; times are kept to the microsecond. A nil connection id, an empty
// object, target or entity, an invalid kind, status or confidence, evidence
// that is not JSON, or a connection the tenant does not have wrap
// aam.ErrInvalid; an id the tenant already has wraps aam.ErrConflict. Safe
// for concurrent use.
func (a *AAM) AddProposal(ctx context.Context, tenant uuid.UUID, p aam.Proposal) (aam.Proposal, error) {
	const op = "add proposal"
	if err := checkTenant(op, tenant); err != nil {
		return aam.Proposal{}, err
	}
	if err := p.Validate(); err != nil {
		return aam.Proposal{}, fmt.Errorf("duckstore: %s: %w", op, err)
	}
	evidence, err := jsonText(p.Evidence)
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
		decidedAt = p.DecidedAt.Truncate(time.Microsecond)
	}
	var out aam.Proposal
	err = a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		ok, err := connectionExists(ctx, tx, tenant, p.ConnectionID)
		if err != nil {
			return err
		}
		if !ok {
			return invalid(op, "connection %q does not exist", p.ConnectionID.String())
		}
		out, err = scanProposal(tx.QueryRowContext(ctx, `
INSERT INTO mapping_proposals (tenant_id, id, connection_id, object, drift_event_id, kind, change, source_field,
    previous_source, target, entity, confidence, decision, evidence, status, base_version, applied_version, reason,
    created_at, decided_at, decided_by)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
RETURNING `+proposalColumns,
			tenant, p.ID, p.ConnectionID, p.Object, driftID, string(p.Kind), p.Change, p.SourceField,
			p.PreviousSource, p.Target, p.Entity, p.Confidence, p.Decision, evidence, string(p.Status), p.BaseVersion,
			p.AppliedVersion, p.Reason, p.CreatedAt.Truncate(time.Microsecond), decidedAt, p.DecidedBy))
		return err
	})
	if err != nil {
		return aam.Proposal{}, aamError(ctx, fmt.Sprintf("%s %s", op, p.ID), err)
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
	query := "SELECT " + proposalColumns + " FROM mapping_proposals WHERE tenant_id = ?"
	args := []any{tenant}
	if status != "" {
		if !status.Valid() {
			return nil, invalid(op, "status %q is not valid", status)
		}
		query += " AND status = ?"
		args = append(args, string(status))
	}
	rows, err := a.db.QueryContext(ctx, query+" ORDER BY created_at, seq", args...)
	if err != nil {
		return nil, aamError(ctx, op, err)
	}
	defer rows.Close()
	var list []aam.Proposal
	for rows.Next() {
		p, err := scanProposal(rows)
		if err != nil {
			return nil, aamError(ctx, op, err)
		}
		list = append(list, p)
	}
	if err := rows.Err(); err != nil {
		return nil, aamError(ctx, op, err)
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
	p, err := scanProposal(a.db.QueryRowContext(ctx, "SELECT "+proposalColumns+
		" FROM mapping_proposals WHERE tenant_id = ? AND id = ?", tenant, id))
	if err != nil {
		return aam.Proposal{}, aamError(ctx, fmt.Sprintf("%s %s", op, id), err)
	}
	return p, nil
}

// DecideProposal changes the status of a proposal of tenant, in one
// transaction under the write lock, if its current status may move to
// d.Status (aam.ProposalStatus.CanDecide), recording d.By and the time, and
// the reason, target and applied version when given. A proposal in another
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
	var p aam.Proposal
	err := a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		var status string
		err := tx.QueryRowContext(ctx, "SELECT status FROM mapping_proposals WHERE tenant_id = ? AND id = ?", tenant, id).Scan(&status)
		if err != nil {
			return err
		}
		if !aam.ProposalStatus(status).CanDecide(d.Status) {
			return fmt.Errorf("%w: proposal is %s, cannot become %s", aam.ErrConflict, status, d.Status)
		}
		sets := []string{"status = ?", "decided_by = ?", "decided_at = ?"}
		args := []any{string(d.Status), d.By, time.Now().Truncate(time.Microsecond)}
		if d.Reason != "" {
			sets, args = append(sets, "reason = ?"), append(args, d.Reason)
		}
		if d.Target != "" {
			sets, args = append(sets, "target = ?"), append(args, d.Target)
		}
		if d.AppliedVersion != 0 {
			sets, args = append(sets, "applied_version = ?"), append(args, d.AppliedVersion)
		}
		args = append(args, tenant, id, status)
		p, err = scanProposal(tx.QueryRowContext(ctx, "UPDATE mapping_proposals SET "+strings.Join(sets, ", ")+
			" WHERE tenant_id = ? AND id = ? AND status = ? RETURNING "+proposalColumns, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%w: proposal changed concurrently", aam.ErrConflict)
		}
		return err
	})
	if err != nil {
		return aam.Proposal{}, aamError(ctx, op, err)
	}
	return p, nil
}
