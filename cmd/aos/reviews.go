package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/aam"
)

// reviewLine is one line of `aos reviews list`.
type reviewLine struct {
	ID             uuid.UUID          `json:"id"`
	Connection     uuid.UUID          `json:"connection"`
	Object         string             `json:"object"`
	SourceField    string             `json:"source_field"`
	CanonicalField string             `json:"canonical_field"`
	Confidence     float64            `json:"confidence"`
	Evidence       json.RawMessage    `json:"evidence"`
	State          aam.ProposalStatus `json:"state"`
}

// cliReviewer is who approves and rejects reviews from the CLI.
const cliReviewer = "cli"

// runReviews runs `aos reviews list|approve|reject`.
func runReviews(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return usagef("name a subcommand: list, approve or reject")
	}
	sub, args := args[0], args[1:]
	fs := newFlags("reviews "+sub, stderr)
	var l localFlags
	l.register(fs)
	var state, reason *string
	var all *bool
	switch sub {
	case "list":
		state = fs.String("state", "", "only reviews in this state: pending, approved, rejected, applied or superseded")
	case "approve":
		all = fs.Bool("all", false, "approve every pending review")
	case "reject":
		reason = fs.String("reason", "", "why the proposals are rejected (required)")
	default:
		return usagef("unknown subcommand %q: want list, approve or reject", sub)
	}
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if err := l.validate(); err != nil {
		return err
	}
	ids, err := parseIDs(fs.Args())
	if err != nil {
		return err
	}
	switch {
	case sub == "list" && len(ids) > 0:
		return usagef("reviews list takes no ids")
	case sub == "approve" && *all == (len(ids) > 0):
		return usagef("reviews approve takes --all or review ids, not both or neither")
	case sub == "reject" && (len(ids) == 0 || strings.TrimSpace(*reason) == ""):
		return usagef("reviews reject needs --reason and review ids")
	}
	if state != nil && *state != "" && !aam.ProposalStatus(*state).Valid() {
		return usagef("-state %q: want pending, approved, rejected, applied or superseded", *state)
	}
	p, err := openLocal(ctx, l.dataDir, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	tenant, err := findTenant(ctx, p, l.tenant, false)
	if err != nil {
		return err
	}
	mesh := p.Mesh()
	enc := json.NewEncoder(stdout)
	switch sub {
	case "list":
		ps, err := mesh.Reviews(ctx, tenant.ID, aam.ProposalStatus(*state))
		if err != nil {
			return err
		}
		for _, pr := range ps {
			if err := enc.Encode(toReviewLine(pr)); err != nil {
				return err
			}
		}
		return nil
	case "approve":
		if *all {
			ps, err := mesh.Reviews(ctx, tenant.ID, aam.StatusPending)
			if err != nil {
				return err
			}
			for _, pr := range ps {
				ids = append(ids, pr.ID)
			}
		}
		for _, id := range ids {
			pr, err := mesh.ApproveReview(ctx, tenant.ID, id, cliReviewer, "")
			if err != nil {
				return fmt.Errorf("approve %s: %w", id, err)
			}
			if err := enc.Encode(toReviewLine(pr)); err != nil {
				return err
			}
		}
		return nil
	}
	for _, id := range ids {
		pr, err := mesh.RejectReview(ctx, tenant.ID, id, cliReviewer, *reason)
		if err != nil {
			return fmt.Errorf("reject %s: %w", id, err)
		}
		if err := enc.Encode(toReviewLine(pr)); err != nil {
			return err
		}
	}
	return nil
}

func toReviewLine(p aam.Proposal) reviewLine {
	ev := p.Evidence
	if len(ev) == 0 {
		ev = json.RawMessage("null")
	}
	return reviewLine{ID: p.ID, Connection: p.ConnectionID, Object: p.Object, SourceField: p.SourceField,
		CanonicalField: p.Target, Confidence: p.Confidence, Evidence: ev, State: p.Status}
}

func parseIDs(args []string) ([]uuid.UUID, error) {
	out := make([]uuid.UUID, 0, len(args))
	for _, a := range args {
		id, err := uuid.Parse(a)
		if err != nil {
			return nil, usagef("%q is not a review id", a)
		}
		out = append(out, id)
	}
	return out, nil
}

// openTenantCommand parses the flags of a command that takes only
// --data-dir and --tenant, and opens the local platform and the tenant.
// The caller closes the platform.
func openTenantCommand(ctx context.Context, name string, args []string, stderr io.Writer) (*autonomos.Platform, aam.Tenant, error) {
	fs := newFlags(name, stderr)
	var l localFlags
	l.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return nil, aam.Tenant{}, err
	}
	if err := l.validate(); err != nil {
		return nil, aam.Tenant{}, err
	}
	p, err := openLocal(ctx, l.dataDir, stderr)
	if err != nil {
		return nil, aam.Tenant{}, err
	}
	tenant, err := findTenant(ctx, p, l.tenant, false)
	if err != nil {
		p.Close()
		return nil, aam.Tenant{}, err
	}
	return p, tenant, nil
}

// encodeLines writes each value as one JSON line.
func encodeLines[T any](w io.Writer, xs []T) error {
	enc := json.NewEncoder(w)
	for _, x := range xs {
		if err := enc.Encode(x); err != nil {
			return err
		}
	}
	return nil
}

// runQuarantine prints the tenant's quarantined records as JSON lines.
func runQuarantine(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p, tenant, err := openTenantCommand(ctx, "quarantine", args, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	conns, err := p.Mesh().Connections(ctx, tenant.ID)
	if err != nil {
		return err
	}
	for _, c := range conns {
		qs, err := p.Mesh().Quarantined(ctx, tenant.ID, c.ID, "")
		if err != nil {
			return err
		}
		if err := encodeLines(stdout, qs); err != nil {
			return err
		}
	}
	return nil
}

// runQuality prints the tenant's data-quality issues as JSON lines.
func runQuality(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	p, tenant, err := openTenantCommand(ctx, "quality", args, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	qs, err := p.Mesh().QualityIssues(ctx, tenant.ID, aam.QualityFilter{})
	if err != nil {
		return err
	}
	return encodeLines(stdout, qs)
}
