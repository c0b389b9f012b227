package drift_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/drift"
)

func TestPolicyDecide(t *testing.T) {
	t.Parallel()
	custom, err := drift.NewPolicy(0.9, 0.5)
	require.NoError(t, err)
	tests := []struct {
		policy     drift.Policy
		confidence float64
		want       drift.Decision
	}{
		{drift.DefaultPolicy(), 1, drift.DecisionAuto},
		{drift.DefaultPolicy(), 0.85, drift.DecisionAuto},
		{drift.DefaultPolicy(), 0.8499, drift.DecisionReview},
		{drift.DefaultPolicy(), 0.60, drift.DecisionReview},
		{drift.DefaultPolicy(), 0.5999, drift.DecisionReject},
		{drift.DefaultPolicy(), 0, drift.DecisionReject},
		{drift.DefaultPolicy(), math.NaN(), drift.DecisionReject},
		{drift.Policy{}, 0.85, drift.DecisionAuto},
		{drift.Policy{}, 0.7, drift.DecisionReview},
		{drift.Policy{}, 0.1, drift.DecisionReject},
		{custom, 0.89, drift.DecisionReview},
		{custom, 0.9, drift.DecisionAuto},
		{custom, 0.5, drift.DecisionReview},
		{custom, 0.49, drift.DecisionReject},
		{drift.Policy{AutoApply: 1, Review: 1}, 0.99, drift.DecisionReject},
		{drift.Policy{AutoApply: 1, Review: 0}, 0, drift.DecisionReview},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%v/%v", tt.policy, tt.confidence), func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.want, tt.policy.Decide(tt.confidence))
			require.True(t, tt.want.Valid())
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		policy drift.Policy
		bad    string
	}{
		{"default", drift.DefaultPolicy(), ""},
		{"zero means default", drift.Policy{}, ""},
		{"equal thresholds", drift.Policy{AutoApply: 0.7, Review: 0.7}, ""},
		{"bounds", drift.Policy{AutoApply: 1, Review: 0}, ""},
		{"review above auto", drift.Policy{AutoApply: 0.6, Review: 0.85}, "Review"},
		{"auto above one", drift.Policy{AutoApply: 1.2, Review: 0.6}, "AutoApply"},
		{"negative review", drift.Policy{AutoApply: 0.8, Review: -0.1}, "Review"},
		{"NaN auto", drift.Policy{AutoApply: math.NaN(), Review: 0.6}, "AutoApply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.policy.Validate()
			_, nerr := drift.NewPolicy(tt.policy.AutoApply, tt.policy.Review)
			if tt.bad == "" {
				require.NoError(t, err)
				require.NoError(t, nerr)
				return
			}
			require.ErrorIs(t, err, drift.ErrInvalid)
			require.ErrorContains(t, err, "drift: ")
			require.ErrorContains(t, err, tt.bad)
			require.ErrorIs(t, nerr, drift.ErrInvalid)
		})
	}
}

func TestDecisionValid(t *testing.T) {
	t.Parallel()
	require.False(t, drift.Decision("maybe").Valid())
	require.False(t, drift.Decision("").Valid())
}
