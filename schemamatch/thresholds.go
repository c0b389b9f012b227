package schemamatch

import "fmt"

// Default decision thresholds (the repair policy of the platform).
const (
	DefaultAutoApply = 0.85
	DefaultReview    = 0.60
)

// Thresholds turn a calibrated confidence into a Decision: at or above
// AutoApply a mapping applies automatically, at or above Review it goes to
// a person, below it is rejected. Tenants may set their own.
type Thresholds struct {
	// AutoApply is the lowest confidence applied without review.
	AutoApply float64 `json:"auto_apply"`
	// Review is the lowest confidence proposed for review.
	Review float64 `json:"review"`
}

// DefaultThresholds returns the platform defaults: auto-apply at 0.85,
// review from 0.60.
func DefaultThresholds() Thresholds {
	return Thresholds{AutoApply: DefaultAutoApply, Review: DefaultReview}
}

// Validate checks 0 < Review <= AutoApply <= 1. The error wraps
// ErrInvalid and names the bad field.
func (t Thresholds) Validate() error {
	switch {
	case !(t.Review > 0 && t.Review <= 1):
		return fmt.Errorf("%w: thresholds: Review %v must lie in (0, 1]", ErrInvalid, t.Review)
	case !(t.AutoApply > 0 && t.AutoApply <= 1):
		return fmt.Errorf("%w: thresholds: AutoApply %v must lie in (0, 1]", ErrInvalid, t.AutoApply)
	case t.Review > t.AutoApply:
		return fmt.Errorf("%w: thresholds: Review %v is above AutoApply %v", ErrInvalid, t.Review, t.AutoApply)
	}
	return nil
}

// Decide returns the decision for a confidence.
func (t Thresholds) Decide(confidence float64) Decision {
	switch {
	case confidence >= t.AutoApply:
		return DecisionAuto
	case confidence >= t.Review:
		return DecisionReview
	}
	return DecisionReject
}

// Decision is what happens to a proposed mapping.
type Decision string

// The decisions.
const (
	// DecisionAuto: apply without review.
	DecisionAuto Decision = "auto"
	// DecisionReview: queue for a person.
	DecisionReview Decision = "review"
	// DecisionReject: do not map.
	DecisionReject Decision = "reject"
)

// Mapped reports whether the decision maps the field (auto or review).
func (d Decision) Mapped() bool { return d == DecisionAuto || d == DecisionReview }
