package aam

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

// Reviews lists the tenant's mapping proposals with the given status
// (StatusPending for the review queue; all when status is empty), oldest
// first. An invalid status wraps ErrInvalid.
func (m *Mesh) Reviews(ctx context.Context, tenant uuid.UUID, status ProposalStatus) ([]Proposal, error) {
	if status != "" && !status.Valid() {
		return nil, fmt.Errorf("%w: reviews: status %q is not valid", ErrInvalid, status)
	}
	ps, err := m.store.Proposals(ctx, tenant, status)
	if err != nil {
		return nil, fmt.Errorf("aam: reviews: %w", err)
	}
	return ps, nil
}

// Review returns one proposal of the tenant; ErrNotFound if there is none.
func (m *Mesh) Review(ctx context.Context, tenant, id uuid.UUID) (Proposal, error) {
	p, err := m.store.Proposal(ctx, tenant, id)
	if err != nil {
		return Proposal{}, fmt.Errorf("aam: review %s: %w", id, err)
	}
	return p, nil
}

// ApproveReview approves a pending proposal as by, mapping editedTarget
// instead of the proposed target when it is not empty, and returns the
// proposal as stored after the decision.
//
// When the object has an active mapping, the approval applies at once: a
// new mapping version on top of the active one (which may be newer than the
// proposal's base version) with the target read from the proposal's source
// field (origin reviewed, confidence 1; an empty source field stops mapping
// the target), author by; the proposal becomes applied with that version.
// It fails with ErrConflict, changing nothing, when the proposal is no
// longer valid on the active version: its source field is gone from the
// object's latest schema, the mapping now holds another entity, or the
// target is now mapped from another field that still exists.
//
// When the object has no mapping yet (bulk proposals), the approval
// accumulates: the proposal becomes approved, and once the approved
// proposals of the object map every required field of the entity they
// become the object's first mapping version and all of them applied.
//
// A field approval feeds the tenant's retrieval memory when
// Options.Repairer implements ReviewMemory; a memory failure is logged and
// does not fail the approval. A proposal that is not pending wraps
// ErrConflict; an unknown one ErrNotFound; an empty by, or a mapping the
// approval would make invalid (such as unmapping a required field), wraps
// ErrInvalid. Approvals of one object should not race: of two, one fails
// with ErrConflict.
func (m *Mesh) ApproveReview(ctx context.Context, tenant, id uuid.UUID, by, editedTarget string) (Proposal, error) {
	if strings.TrimSpace(by) == "" {
		return Proposal{}, fmt.Errorf("%w: approve review %s: approver is empty", ErrInvalid, id)
	}
	p, err := m.store.Proposal(ctx, tenant, id)
	if err != nil {
		return Proposal{}, fmt.Errorf("aam: approve review %s: %w", id, err)
	}
	if p.Status != StatusPending {
		return Proposal{}, fmt.Errorf("aam: approve review %s: %w: the proposal is %s, not pending", id, ErrConflict, p.Status)
	}
	target := p.Target
	if editedTarget != "" {
		target = editedTarget
	}
	if ent, ok := m.canon.Entity(p.Entity); !ok || !hasField(ent, target) {
		return Proposal{}, fmt.Errorf("%w: approve review %s: %q is not a field of entity %q", ErrInvalid, id, target, p.Entity)
	}
	key := MappingKey{ConnectionID: p.ConnectionID, Object: p.Object}
	snap, snapErr := m.store.LatestSnapshot(ctx, tenant, p.ConnectionID, p.Object)
	if snapErr != nil && !errors.Is(snapErr, ErrNotFound) {
		return Proposal{}, fmt.Errorf("aam: approve review %s: %w", id, snapErr)
	}
	haveSnapshot := snapErr == nil
	present := func(source string) bool {
		if !haveSnapshot { // nothing to check against
			return true
		}
		return schemaHas(snap.Schema, source)
	}
	if p.SourceField != "" && !present(p.SourceField) {
		return Proposal{}, fmt.Errorf("aam: approve review %s: %w: source field %q is no longer in object %q", id, ErrConflict, p.SourceField, p.Object)
	}
	active, aerr := m.store.ActiveMapping(ctx, tenant, key)
	var out Proposal
	switch {
	case errors.Is(aerr, ErrNotFound):
		out, err = m.approveFirst(ctx, tenant, p, target, by)
	case aerr != nil:
		return Proposal{}, fmt.Errorf("aam: approve review %s: %w", id, aerr)
	default:
		out, err = m.approveOnto(ctx, tenant, p, target, by, active, present)
	}
	if err != nil {
		return Proposal{}, fmt.Errorf("aam: approve review %s: %w", id, err)
	}
	m.remember(ctx, tenant, p, target, snap)
	return out, nil
}

// approveOnto applies an approval on top of the active mapping.
func (m *Mesh) approveOnto(ctx context.Context, tenant uuid.UUID, p Proposal, target, by string, active MappingVersion, present func(string) bool) (Proposal, error) {
	if active.Mapping.Entity != p.Entity {
		return Proposal{}, fmt.Errorf("%w: the mapping now holds entity %q, not %q", ErrConflict, active.Mapping.Entity, p.Entity)
	}
	mp := active.Mapping.Clone()
	cur, mapped := mp.Field(target)
	if mapped && cur.Source != p.SourceField && cur.Source != p.PreviousSource && present(cur.Source) {
		return Proposal{}, fmt.Errorf("%w: %q is mapped from %q in the active version %d", ErrConflict, target, cur.Source, active.Version)
	}
	fields := mp.Fields[:0:0]
	for _, f := range mp.Fields {
		if f.Target != target {
			fields = append(fields, f)
		}
	}
	if p.SourceField != "" {
		fm := canonical.FieldMapping{Source: p.SourceField, Target: target, Confidence: 1, Origin: canonical.OriginReviewed}
		if mapped {
			fm.Transform = cur.Transform
		}
		fields = append(fields, fm)
	}
	mp.Fields = fields
	v, err := m.PutMapping(ctx, tenant, PutMapping{
		MappingKey: MappingKey{ConnectionID: p.ConnectionID, Object: p.Object}, ExpectedVersion: active.Version,
		Mapping: mp, Author: by, Reason: approvalReason(p, target), Evidence: p.Evidence,
	})
	if err != nil {
		return Proposal{}, err
	}
	return m.store.DecideProposal(ctx, tenant, p.ID, ProposalDecision{Status: StatusApplied, By: by, Target: target, AppliedVersion: v.Version})
}

// approveFirst approves a proposal of an object without a mapping: it
// becomes approved, and the first version is made once the approved
// proposals map every required field.
func (m *Mesh) approveFirst(ctx context.Context, tenant uuid.UUID, p Proposal, target, by string) (Proposal, error) {
	approved, err := m.store.Proposals(ctx, tenant, StatusApproved)
	if err != nil {
		return Proposal{}, err
	}
	mp := canonical.Mapping{Entity: p.Entity, Object: p.Object}
	var with []Proposal
	seenTarget := map[string]bool{target: true}
	seenSource := map[string]bool{p.SourceField: true}
	if p.SourceField != "" {
		mp.Fields = append(mp.Fields, canonical.FieldMapping{Source: p.SourceField, Target: target, Confidence: 1, Origin: canonical.OriginReviewed})
	}
	for _, o := range approved {
		if o.ConnectionID != p.ConnectionID || o.Object != p.Object || o.Entity != p.Entity || o.SourceField == "" ||
			seenTarget[o.Target] || seenSource[o.SourceField] {
			continue
		}
		seenTarget[o.Target], seenSource[o.SourceField] = true, true
		origin := canonical.OriginReviewed
		if strings.HasPrefix(o.DecidedBy, "system:") {
			origin = canonical.OriginAuto
		}
		mp.Fields = append(mp.Fields, canonical.FieldMapping{Source: o.SourceField, Target: o.Target, Confidence: o.Confidence, Origin: origin})
		with = append(with, o)
	}
	missing, err := mp.MissingRequired(m.canon)
	if err != nil {
		return Proposal{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if len(missing) > 0 {
		return m.store.DecideProposal(ctx, tenant, p.ID, ProposalDecision{Status: StatusApproved, By: by, Target: target,
			Reason: fmt.Sprintf("approved; the mapping waits for required %s fields: %s", p.Entity, strings.Join(missing, ", "))})
	}
	v, err := m.PutMapping(ctx, tenant, PutMapping{
		MappingKey: MappingKey{ConnectionID: p.ConnectionID, Object: p.Object},
		Mapping:    mp, Author: by, Reason: approvalReason(p, target), Evidence: p.Evidence,
	})
	if err != nil {
		return Proposal{}, err
	}
	for _, o := range with {
		if _, err := m.store.DecideProposal(ctx, tenant, o.ID, ProposalDecision{Status: StatusApplied, By: by, AppliedVersion: v.Version}); err != nil && !errors.Is(err, ErrConflict) {
			return Proposal{}, err
		}
	}
	return m.store.DecideProposal(ctx, tenant, p.ID, ProposalDecision{Status: StatusApplied, By: by, Target: target, AppliedVersion: v.Version})
}

// remember feeds an approved field mapping to the retrieval memory, if
// there is one; failures are logged.
func (m *Mesh) remember(ctx context.Context, tenant uuid.UUID, p Proposal, target string, snap SchemaSnapshot) {
	mem, ok := m.opts.Repairer.(ReviewMemory)
	if !ok || p.SourceField == "" {
		return
	}
	field := canonical.SourceField{Name: p.SourceField, Type: canonical.TypeString}
	for _, f := range snap.Schema.Fields {
		if f.Name == p.SourceField {
			field = f
		}
	}
	system := snap.Schema.System
	if system == "" {
		if c, err := m.store.Connection(ctx, tenant, p.ConnectionID); err == nil {
			system = c.Type
		}
	}
	err := mem.Remember(ctx, tenant.String(), schemamatch.ApprovedMapping{System: system, Object: p.Object, Field: field, Entity: p.Entity, CanonicalField: target})
	if err != nil && !errors.Is(err, schemamatch.ErrUnavailable) {
		m.log.WarnContext(ctx, "aam: remembering an approved mapping failed", "tenant", tenant, "proposal", p.ID, "error", err)
	}
}

// RejectReview rejects a pending proposal as by, with the reason, and
// returns it as stored. An empty by or reason wraps ErrInvalid; a proposal
// that is not pending ErrConflict; an unknown one ErrNotFound.
func (m *Mesh) RejectReview(ctx context.Context, tenant, id uuid.UUID, by, reason string) (Proposal, error) {
	switch {
	case strings.TrimSpace(by) == "":
		return Proposal{}, fmt.Errorf("%w: reject review %s: rejecter is empty", ErrInvalid, id)
	case strings.TrimSpace(reason) == "":
		return Proposal{}, fmt.Errorf("%w: reject review %s: reason is empty", ErrInvalid, id)
	}
	p, err := m.store.DecideProposal(ctx, tenant, id, ProposalDecision{Status: StatusRejected, By: by, Reason: reason})
	if err != nil {
		return Proposal{}, fmt.Errorf("aam: reject review %s: %w", id, err)
	}
	m.log.InfoContext(ctx, "aam: review rejected", "tenant", tenant, "proposal", id, "by", by)
	return p, nil
}

func approvalReason(p Proposal, target string) string {
	what := fmt.Sprintf("map %s from %s", target, p.SourceField)
	if p.SourceField == "" {
		what = "stop mapping " + target
	}
	return fmt.Sprintf("review %s approved: %s", p.ID, what)
}

func hasField(e canonical.Entity, name string) bool {
	for _, f := range e.Fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// schemaHas reports whether a mapping source names a field of the schema:
// the whole name, or the head of a dotted path.
func schemaHas(s canonical.SourceSchema, source string) bool {
	head := sourceHead(source)
	for _, f := range s.Fields {
		if n := strings.TrimSpace(f.Name); n == source || n == head {
			return true
		}
	}
	return false
}
