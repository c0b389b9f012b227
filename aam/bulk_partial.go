package aam

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

// applySure lets data flow for an object whose entity the matcher is sure
// of when the field mappings it is sure of cover the required fields:
// those are stored as mapping version 1, and each field mapping that needs
// review is recorded as a pending bulk proposal on top of it (approving
// one makes a new version). The returned BulkObject has an empty Status
// when the sure fields do not cover the required ones (nothing was done).
func (m *Mesh) applySure(ctx context.Context, tenant, connection uuid.UUID, schema canonical.SourceSchema, res *schemamatch.MatchResult, all canonical.Mapping, evidence []byte) (BulkObject, error) {
	bo := BulkObject{Object: schema.Object, Entity: res.Entity, EntityConfidence: res.EntityConfidence, Unmapped: res.Unmapped}
	sure := all
	sure.Fields = nil
	var review []schemamatch.FieldMatch
	for _, fm := range res.Mappings {
		switch {
		case fm.Decision == schemamatch.DecisionAuto:
			sure.Fields = append(sure.Fields, canonical.FieldMapping{Source: fm.SourceField, Target: fm.CanonicalField, Confidence: fm.Confidence, Origin: canonical.OriginAuto})
		case fm.Decision.Mapped():
			review = append(review, fm)
		}
	}
	if len(sure.Fields) == 0 {
		return BulkObject{}, nil
	}
	if missing, err := sure.MissingRequired(m.canon); err != nil || len(missing) > 0 {
		return BulkObject{}, err
	}
	v, err := m.PutMapping(ctx, tenant, PutMapping{
		MappingKey: MappingKey{ConnectionID: connection, Object: schema.Object},
		Mapping:    sure, Author: BulkAuthor,
		Reason: fmt.Sprintf("bulk mapping: %s with confidence %.2f, %d sure fields applied, %d wait for review",
			res.Entity, res.EntityConfidence, len(sure.Fields), len(review)),
		Evidence: evidence,
	})
	if errors.Is(err, ErrInvalid) || errors.Is(err, ErrConflict) {
		return BulkObject{}, nil // fall back to proposals for every field
	}
	if err != nil {
		return bo, err
	}
	now := m.opts.Now().UTC()
	why := "the matcher is not sure of this field; the object's sure fields already flow"
	for _, fm := range review {
		ev, err := json.Marshal(map[string]any{"entity": res.Entity, "entity_confidence": res.EntityConfidence, "field": fm.Evidence})
		if err != nil {
			return bo, fmt.Errorf("encode evidence: %w", err)
		}
		p := Proposal{ID: uuid.New(), ConnectionID: connection, Object: schema.Object, Kind: ProposalBulk,
			SourceField: fm.SourceField, Target: fm.CanonicalField, Entity: res.Entity, Confidence: fm.Confidence,
			Decision: string(fm.Decision), Evidence: ev, Status: StatusPending, BaseVersion: v.Version, Reason: why, CreatedAt: now}
		stored, err := m.store.AddProposal(ctx, tenant, p)
		if err != nil {
			return bo, fmt.Errorf("record proposal for %q: %w", fm.SourceField, err)
		}
		bo.Proposals = append(bo.Proposals, stored.ID)
	}
	bo.Status, bo.Version = BulkApplied, v.Version
	if len(review) > 0 {
		bo.Reason = fmt.Sprintf("%d field mappings wait for review", len(review))
	}
	return bo, nil
}
