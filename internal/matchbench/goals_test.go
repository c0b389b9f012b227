package matchbench

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

// TestGoals scores every split and holds the matcher to the goals: on the
// held-out split (never tuned on) auto precision >= 0.97, recall at review
// >= 0.85, entity accuracy >= 0.9 and false positives on unmappable fields
// <= 0.05; on the SaaS set no regression (recall >= 0.95, precision >=
// 0.99); on the real exports every entity right.
func TestGoals(t *testing.T) {
	t.Parallel()
	rep, err := ScoreSplits(context.Background(), newMatcher(t), DefaultSplits("../.."))
	require.NoError(t, err)
	held, ok := rep.Split(SplitHeldOut)
	require.True(t, ok)
	require.GreaterOrEqual(t, held.Ours.Files, 20)
	require.GreaterOrEqual(t, held.Ours.AutoPrecision, 0.97, "held-out auto precision")
	require.GreaterOrEqual(t, held.Ours.RecallAtReview, 0.85, "held-out recall at review")
	require.GreaterOrEqual(t, held.Ours.EntityAccuracy, 0.9, "held-out entity accuracy")
	require.LessOrEqual(t, held.Ours.FalsePositiveRate, 0.05, "held-out false-positive rate")
	require.Greater(t, held.Ours.RecallAtReview, held.Baseline.RecallAtReview)

	saas, ok := rep.Split(SplitSaaS)
	require.True(t, ok)
	require.GreaterOrEqual(t, saas.Ours.RecallAtReview, 0.95, "SaaS recall at review")
	require.GreaterOrEqual(t, saas.Ours.AutoPrecision, 0.99, "SaaS auto precision")

	real, ok := rep.Split(SplitReal)
	require.True(t, ok)
	require.Equal(t, 1.0, real.Ours.EntityAccuracy, "real exports: %v", real.Errors)
	require.Equal(t, "match", rep.Result.Name)
	require.Equal(t, held.Ours.Expected, rep.Result.N, "the last line reports the held-out split")
}

func realCase(t *testing.T, name string) Case {
	t.Helper()
	cs, err := LoadCases("../../testdata/matching/real")
	require.NoError(t, err)
	for _, c := range cs {
		if c.Schema.System+"/"+c.Schema.Object == name {
			return c
		}
	}
	t.Fatalf("no real export %s", name)
	return Case{}
}

// TestRealExports checks what the real public exports must give: no
// entity for Northwind orders and order lines or Stripe charges and
// subscriptions; Stripe's invoice customer applied as account_id; the
// Northwind customer region as billing_state.
func TestRealExports(t *testing.T) {
	t.Parallel()
	m := newMatcher(t)
	ctx := context.Background()
	for _, name := range []string{"northwind/orders", "northwind/order_details", "stripe/charge", "stripe/subscription"} {
		res, err := m.Match(ctx, realCase(t, name).Schema, nil)
		require.NoError(t, err)
		require.Empty(t, res.Entity, name)
		require.Empty(t, res.Mappings, name)
		require.Len(t, res.Unmapped, len(realCase(t, name).Schema.Fields), name)
	}
	find := func(res *schemamatch.MatchResult, src string) schemamatch.FieldMatch {
		for _, f := range res.Mappings {
			if f.SourceField == src {
				return f
			}
		}
		t.Fatalf("no mapping of %s", src)
		return schemamatch.FieldMatch{}
	}
	res, err := m.Match(ctx, realCase(t, "stripe/invoice").Schema, nil)
	require.NoError(t, err)
	require.Equal(t, "invoice", res.Entity)
	f := find(res, "customer")
	require.Equal(t, "account_id", f.CanonicalField)
	require.Equal(t, schemamatch.DecisionAuto, f.Decision)

	res, err = m.Match(ctx, realCase(t, "northwind/customers").Schema, nil)
	require.NoError(t, err)
	require.Equal(t, "account", res.Entity)
	f = find(res, "region")
	require.Equal(t, "billing_state", f.CanonicalField)
	require.True(t, f.Decision.Mapped())
}

// TestCalibrationFittedOnDev refits the calibration on the dev and SaaS
// splits and checks the built-in one is that fit: it was not tuned on the
// held-out split.
func TestCalibrationFittedOnDev(t *testing.T) {
	t.Parallel()
	reg, err := canonical.NewRegistry()
	require.NoError(t, err)
	id := schemamatch.Identity()
	raw, err := schemamatch.NewMatcher(reg, &schemamatch.MatcherOptions{Calibration: &id})
	require.NoError(t, err)
	c, err := FitCalibration(context.Background(), raw, DefaultSplits("../.."))
	require.NoError(t, err)
	b := schemamatch.BuiltinCalibration()
	require.InDelta(t, b.Slope, c.Slope, 0.02, "refit with `aos bench match -fit`")
	require.InDelta(t, b.Intercept, c.Intercept, 0.02, "refit with `aos bench match -fit`")
}
