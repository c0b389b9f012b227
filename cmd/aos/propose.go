package main

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
)

// proposeMappings is used by `aos ingest` without --mapping: the matcher
// maps every object that has no mapping yet, applying only what passes
// the policy (every field auto, required fields covered); the rest is
// recorded for review. It returns, per object not mapped, why.
func proposeMappings(ctx context.Context, p *autonomos.Platform, tenant, conn uuid.UUID, _ *connectors.Catalog) (map[string][]string, error) {
	rep, err := p.Mesh().ProposeMappings(ctx, tenant, conn, p.Matcher(), nil)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, o := range rep.Objects {
		switch o.Status {
		case aam.BulkApplied, aam.BulkMapped:
			continue
		case aam.BulkProposed, aam.BulkPending:
			out[o.Object] = []string{fmt.Sprintf("mapping to %s (confidence %.2f) needs review: %d proposals pending", o.Entity, o.EntityConfidence, len(o.Proposals))}
		default:
			reason := o.Reason
			if reason == "" {
				reason = string(o.Status)
			}
			out[o.Object] = []string{"no mapping: " + reason}
		}
	}
	return out, nil
}
