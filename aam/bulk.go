package aam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
	"github.com/autonomos/autonomos/schemamatch"
)

// BulkAuthor is the author of the mapping versions and proposal decisions
// bulk mapping makes itself.
const BulkAuthor = "system:bulk"

// BulkStatus says what bulk mapping did with one source object.
type BulkStatus string

// The bulk statuses.
const (
	// BulkApplied: every field mapping was sure and the required fields
	// are covered; the mapping was stored as version 1.
	BulkApplied BulkStatus = "applied"
	// BulkProposed: field proposals were recorded for review.
	BulkProposed BulkStatus = "proposed"
	// BulkMapped: the object already has an active mapping; untouched.
	BulkMapped BulkStatus = "mapped"
	// BulkPending: the object already has open bulk proposals; untouched.
	BulkPending BulkStatus = "pending"
	// BulkUnmatched: the matcher found no field mapping.
	BulkUnmatched BulkStatus = "unmatched"
	// BulkFailed: matching or storing failed; Reason says why.
	BulkFailed BulkStatus = "failed"
)

// BulkOptions tunes ProposeMappings. A nil *BulkOptions means the defaults.
type BulkOptions struct {
	// Policy holds the tenant's thresholds. The zero Policy is
	// drift.DefaultPolicy.
	Policy drift.Policy
}

// BulkObject is what bulk mapping did with one source object.
type BulkObject struct {
	Object           string     `json:"object"`
	Status           BulkStatus `json:"status"`
	Entity           string     `json:"entity,omitempty"`
	EntityConfidence float64    `json:"entity_confidence,omitempty"`
	// Version is the mapping version applied (BulkApplied) or the active
	// one (BulkMapped).
	Version int `json:"version,omitempty"`
	// Proposals are the ids of the proposals recorded (BulkProposed).
	Proposals []uuid.UUID `json:"proposals,omitempty"`
	// Unmapped lists the source fields left without a mapping.
	Unmapped []string `json:"unmapped,omitempty"`
	Reason   string   `json:"reason,omitempty"`
}

// BulkReport is the result of ProposeMappings, one entry per discovered
// object in catalog order.
type BulkReport struct {
	ConnectionID uuid.UUID    `json:"connection_id"`
	Objects      []BulkObject `json:"objects"`
}

// ProposeMappings matches every discovered object of a connection that has
// no active mapping and no open bulk proposals, with the tenant's
// retrieval memory. An object whose entity and every field mapping the
// matcher is sure of (decision auto) and whose mapping covers the entity's
// required fields is stored as mapping version 1 (field origin auto, author
// BulkAuthor, the match as evidence). Otherwise its field mappings are
// recorded as bulk proposals: the ones the matcher is sure of as approved
// by BulkAuthor (when the entity is sure too), the others pending review;
// approving the pending ones (ApproveReview) makes the mapping once the
// required fields are covered.
//
// A failing object is reported BulkFailed and does not stop the others.
// The error wraps ErrInvalid for a nil matcher or an invalid policy, and
// otherwise comes from Discover (ErrNotFound, ErrBreakerOpen, ctx) or from
// listing the mappings. Bulk mappings of one connection should not run
// concurrently.
func (m *Mesh) ProposeMappings(ctx context.Context, tenant, connection uuid.UUID, matcher *schemamatch.Matcher, opts *BulkOptions) (BulkReport, error) {
	report := BulkReport{ConnectionID: connection}
	if matcher == nil {
		return report, fmt.Errorf("%w: propose mappings: matcher is nil", ErrInvalid)
	}
	var o BulkOptions
	if opts != nil {
		o = *opts
	}
	if err := o.Policy.Validate(); err != nil {
		return report, fmt.Errorf("%w: propose mappings: policy: %w", ErrInvalid, err)
	}
	if o.Policy == (drift.Policy{}) {
		o.Policy = drift.DefaultPolicy()
	}
	cat, err := m.Discover(ctx, tenant, connection)
	if err != nil {
		return report, fmt.Errorf("aam: propose mappings: %w", err)
	}
	mvs, err := m.Mappings(ctx, tenant, connection)
	if err != nil {
		return report, fmt.Errorf("aam: propose mappings: %w", err)
	}
	active := make(map[string]int, len(mvs))
	for _, mv := range mvs {
		active[mv.Object] = mv.Version
	}
	open := map[string]bool{}
	for _, st := range []ProposalStatus{StatusPending, StatusApproved} {
		ps, err := m.store.Proposals(ctx, tenant, st)
		if err != nil {
			return report, fmt.Errorf("aam: propose mappings: %w", err)
		}
		for _, p := range ps {
			if p.ConnectionID == connection && p.Kind == ProposalBulk {
				open[p.Object] = true
			}
		}
	}
	th := schemamatch.Thresholds{AutoApply: o.Policy.AutoApply, Review: o.Policy.Review}
	for _, obj := range cat.Objects {
		if err := ctx.Err(); err != nil {
			return report, fmt.Errorf("aam: propose mappings: %w", err)
		}
		name := obj.Schema.Object
		switch {
		case active[name] > 0:
			report.Objects = append(report.Objects, BulkObject{Object: name, Status: BulkMapped, Version: active[name]})
			continue
		case open[name]:
			report.Objects = append(report.Objects, BulkObject{Object: name, Status: BulkPending, Reason: "bulk proposals are waiting for review"})
			continue
		}
		bo, err := m.bulkObject(ctx, tenant, connection, obj.Schema, matcher, &th)
		if err != nil {
			if ctx.Err() != nil {
				return report, fmt.Errorf("aam: propose mappings: %w", ctx.Err())
			}
			bo.Status, bo.Reason = BulkFailed, err.Error()
			m.log.WarnContext(ctx, "aam: bulk mapping of an object failed", "tenant", tenant, "connection", connection, "object", name, "error", err)
		}
		report.Objects = append(report.Objects, bo)
	}
	return report, nil
}

// bulkObject matches one object and applies or records the result.
func (m *Mesh) bulkObject(ctx context.Context, tenant, connection uuid.UUID, schema canonical.SourceSchema, matcher *schemamatch.Matcher, th *schemamatch.Thresholds) (BulkObject, error) {
	bo := BulkObject{Object: schema.Object}
	res, err := matcher.Match(ctx, schema, &schemamatch.MatchOptions{Tenant: tenant.String(), Thresholds: th})
	if err != nil {
		return bo, fmt.Errorf("match: %w", err)
	}
	bo.Entity, bo.EntityConfidence, bo.Unmapped = res.Entity, res.EntityConfidence, res.Unmapped
	var mapped []schemamatch.FieldMatch
	allAuto := th.Decide(res.EntityConfidence) == schemamatch.DecisionAuto
	for _, fm := range res.Mappings {
		if fm.Decision.Mapped() {
			mapped = append(mapped, fm)
			allAuto = allAuto && fm.Decision == schemamatch.DecisionAuto
		}
	}
	if res.Entity == "" || len(mapped) == 0 {
		bo.Status, bo.Reason = BulkUnmatched, "the matcher found no field mapping"
		return bo, nil
	}
	mp := canonical.Mapping{Entity: res.Entity, System: schema.System, Object: schema.Object}
	for _, fm := range mapped {
		mp.Fields = append(mp.Fields, canonical.FieldMapping{Source: fm.SourceField, Target: fm.CanonicalField, Confidence: fm.Confidence, Origin: canonical.OriginAuto})
	}
	missing, err := mp.MissingRequired(m.canon)
	if err != nil {
		return bo, err
	}
	evidence, err := json.Marshal(res)
	if err != nil {
		return bo, fmt.Errorf("encode evidence: %w", err)
	}
	if allAuto && len(missing) == 0 {
		v, err := m.PutMapping(ctx, tenant, PutMapping{
			MappingKey: MappingKey{ConnectionID: connection, Object: schema.Object},
			Mapping:    mp, Author: BulkAuthor,
			Reason:   fmt.Sprintf("bulk mapping: %s with confidence %.2f, %d fields all sure", res.Entity, res.EntityConfidence, len(mapped)),
			Evidence: evidence,
		})
		if err == nil {
			bo.Status, bo.Version = BulkApplied, v.Version
			return bo, nil
		}
		if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrConflict) {
			return bo, err
		}
		bo.Reason = fmt.Sprintf("could not apply: %v; ", err)
		allAuto = false
	}
	entitySure := th.Decide(res.EntityConfidence) == schemamatch.DecisionAuto
	if entitySure && !allAuto {
		applied, err := m.applySure(ctx, tenant, connection, schema, res, mp, evidence)
		if err != nil || applied.Status != "" {
			return applied, err
		}
	}
	why := ""
	switch {
	case !entitySure:
		why = fmt.Sprintf("entity %s has confidence %.2f", res.Entity, res.EntityConfidence)
	case len(missing) > 0:
		why = "required fields not matched: " + strings.Join(missing, ", ")
	default:
		why = "some field mappings need review"
	}
	bo.Reason += why
	now := m.opts.Now().UTC()
	for _, fm := range mapped {
		ev, err := json.Marshal(map[string]any{"entity": res.Entity, "entity_confidence": res.EntityConfidence, "field": fm.Evidence})
		if err != nil {
			return bo, fmt.Errorf("encode evidence: %w", err)
		}
		p := Proposal{ID: uuid.New(), ConnectionID: connection, Object: schema.Object, Kind: ProposalBulk,
			SourceField: fm.SourceField, Target: fm.CanonicalField, Entity: res.Entity, Confidence: fm.Confidence,
			Decision: string(fm.Decision), Evidence: ev, Status: StatusPending, Reason: why, CreatedAt: now}
		if entitySure && fm.Decision == schemamatch.DecisionAuto {
			p.Status, p.DecidedBy, p.DecidedAt = StatusApproved, BulkAuthor, now
			p.Reason = fmt.Sprintf("sure (confidence %.2f); waits for the object's other fields", fm.Confidence)
		}
		stored, err := m.store.AddProposal(ctx, tenant, p)
		if err != nil {
			return bo, fmt.Errorf("record proposal for %q: %w", fm.SourceField, err)
		}
		bo.Proposals = append(bo.Proposals, stored.ID)
	}
	bo.Status = BulkProposed
	return bo, nil
}
