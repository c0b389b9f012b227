package drift

import (
	"fmt"
	"math"

	"github.com/autonomos/autonomos/canonical"
)

// Decision is what happens to a repair proposal.
type Decision string

// The decisions.
const (
	// DecisionAuto: the proposal is applied as a new mapping version.
	DecisionAuto Decision = "auto"
	// DecisionReview: the proposal waits in the review queue for a person.
	DecisionReview Decision = "review"
	// DecisionReject: the proposal is recorded and dropped.
	DecisionReject Decision = "reject"
)

// Valid reports whether d is one of the decisions.
func (d Decision) Valid() bool {
	return d == DecisionAuto || d == DecisionReview || d == DecisionReject
}

// Default thresholds of a Policy.
const (
	// DefaultAutoApply is the default least confidence applied
	// automatically.
	DefaultAutoApply = 0.85
	// DefaultReview is the default least confidence queued for review.
	DefaultReview = 0.60
)

// Policy holds a tenant's repair thresholds: a proposal whose confidence is
// at least AutoApply is applied automatically, at least Review is queued for
// review, and anything lower is rejected. A valid policy has
// 0 <= Review <= AutoApply <= 1. The zero Policy stands for DefaultPolicy,
// so a tenant without a setting gets the defaults. Policy is a plain value,
// safe for concurrent use.
type Policy struct {
	// AutoApply is the least confidence applied automatically (default
	// 0.85).
	AutoApply float64 `json:"auto_apply"`
	// Review is the least confidence queued for review (default 0.60).
	Review float64 `json:"review"`
}

// DefaultPolicy returns the default thresholds: auto-apply at 0.85 or
// more, review from 0.60, reject below.
func DefaultPolicy() Policy {
	return Policy{AutoApply: DefaultAutoApply, Review: DefaultReview}
}

// NewPolicy returns the policy with the given thresholds, or an error
// wrapping ErrInvalid that names the bad threshold (see Policy.Validate).
func NewPolicy(autoApply, review float64) (Policy, error) {
	p := Policy{AutoApply: autoApply, Review: review}
	if err := p.Validate(); err != nil {
		return Policy{}, err
	}
	return p, nil
}

// Validate checks 0 <= Review <= AutoApply <= 1 (no NaN). The error wraps
// ErrInvalid and names the field at fault. The zero Policy is valid (it
// stands for DefaultPolicy).
func (p Policy) Validate() error {
	switch {
	case math.IsNaN(p.AutoApply) || p.AutoApply < 0 || p.AutoApply > 1:
		return fmt.Errorf("%w: policy: AutoApply %v is not in 0..1", ErrInvalid, p.AutoApply)
	case math.IsNaN(p.Review) || p.Review < 0 || p.Review > 1:
		return fmt.Errorf("%w: policy: Review %v is not in 0..1", ErrInvalid, p.Review)
	case p.Review > p.AutoApply:
		return fmt.Errorf("%w: policy: Review %v is above AutoApply %v", ErrInvalid, p.Review, p.AutoApply)
	}
	return nil
}

// withDefaults resolves the zero Policy to DefaultPolicy.
func (p Policy) withDefaults() Policy {
	if p == (Policy{}) {
		return DefaultPolicy()
	}
	return p
}

// Decide maps a confidence to a decision: DecisionAuto at or above
// AutoApply, DecisionReview at or above Review, else DecisionReject. A
// confidence that is NaN is rejected. Decide does not validate p: an
// invalid policy gives the decision its comparisons give (call Validate
// when the policy is configured).
func (p Policy) Decide(confidence float64) Decision {
	p = p.withDefaults()
	switch {
	case math.IsNaN(confidence):
		return DecisionReject
	case confidence >= p.AutoApply:
		return DecisionAuto
	case confidence >= p.Review:
		return DecisionReview
	}
	return DecisionReject
}

// DecideProposal decides a proposal for drift d: Decide of its confidence,
// except that a proposal AutoApplyBlocked forbids is queued for review
// instead of applied. It returns the decision and why.
func (p Policy) DecideProposal(d Drift, pr Proposal, reg *canonical.Registry) (Decision, string) {
	p = p.withDefaults()
	dec := p.Decide(pr.Confidence)
	switch dec {
	case DecisionAuto:
		if why, blocked := AutoApplyBlocked(d, pr, reg); blocked {
			return DecisionReview, fmt.Sprintf("confidence %.2f reaches auto-apply (%.2f) but %s, so it never auto-applies", pr.Confidence, p.AutoApply, why)
		}
		return dec, fmt.Sprintf("confidence %.2f is at least the auto-apply threshold %.2f", pr.Confidence, p.AutoApply)
	case DecisionReview:
		return dec, fmt.Sprintf("confidence %.2f is in the review band [%.2f, %.2f)", pr.Confidence, p.Review, p.AutoApply)
	}
	return dec, fmt.Sprintf("confidence %.2f is below the review threshold %.2f", pr.Confidence, p.Review)
}
