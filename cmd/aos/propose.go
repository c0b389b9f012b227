package main

import (
	"context"
	"fmt"
	"sort"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
)

// objectPlan is what mapping without a file did with one object.
type objectPlan struct {
	status  string // statusFlowing, statusWaiting or statusUnmapped
	reason  string
	pending int // reviews waiting
}

// The object statuses of the ingest summary.
const (
	statusFlowing  = "flowing"
	statusWaiting  = "waiting_review"
	statusUnmapped = "unmapped"
)

// proposeMappings is used by `aos ingest` without --mapping: the matcher
// maps every object that has no mapping yet. An object whose entity is sure
// and whose sure fields cover the required ones flows with those fields;
// the rest waits in the review queue. It returns what happened per object.
func proposeMappings(ctx context.Context, p *autonomos.Platform, tenant, conn uuid.UUID, _ *connectors.Catalog) (map[string]objectPlan, error) {
	rep, err := p.Mesh().ProposeMappings(ctx, tenant, conn, p.Matcher(), nil)
	if err != nil {
		return nil, err
	}
	pending, err := pendingReviews(ctx, p, tenant, conn)
	if err != nil {
		return nil, err
	}
	out := map[string]objectPlan{}
	for _, o := range rep.Objects {
		plan := objectPlan{pending: pending[o.Object], reason: o.Reason}
		switch o.Status {
		case aam.BulkApplied, aam.BulkMapped:
			plan.status = statusFlowing
		case aam.BulkProposed, aam.BulkPending:
			plan.status = statusWaiting
			if plan.reason == "" {
				plan.reason = "field mappings wait for review"
			}
		default:
			plan.status = statusUnmapped
			if plan.reason == "" {
				plan.reason = string(o.Status)
			}
		}
		out[o.Object] = plan
	}
	return out, nil
}

// pendingReviews counts the pending reviews of each object of conn.
func pendingReviews(ctx context.Context, p *autonomos.Platform, tenant, conn uuid.UUID) (map[string]int, error) {
	ps, err := p.Mesh().Reviews(ctx, tenant, aam.StatusPending)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, pr := range ps {
		if pr.ConnectionID == conn {
			out[pr.Object]++
		}
	}
	return out, nil
}

// topReasons returns the most frequent quarantine reasons of an object,
// with counts, at most n.
func topReasons(ctx context.Context, p *autonomos.Platform, tenant, conn uuid.UUID, object string, n int) ([]string, error) {
	qs, err := p.Mesh().Quarantined(ctx, tenant, conn, object)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, q := range qs {
		counts[q.Reason]++
	}
	reasons := make([]string, 0, len(counts))
	for r := range counts {
		reasons = append(reasons, r)
	}
	sort.Slice(reasons, func(i, j int) bool {
		if counts[reasons[i]] != counts[reasons[j]] {
			return counts[reasons[i]] > counts[reasons[j]]
		}
		return reasons[i] < reasons[j]
	})
	out := []string{}
	for _, r := range reasons[:min(n, len(reasons))] {
		out = append(out, fmt.Sprintf("%d quarantined: %s", counts[r], r))
	}
	return out, nil
}
