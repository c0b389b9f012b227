package matchbench

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestVariations checks that the matcher's quality and calibration hold on
// rewritten versions of the development and synthetic schemas.
func TestVariations(t *testing.T) {
	t.Parallel()
	var base []Case
	for _, dir := range []string{"../../testdata/matching", "../../schemamatch/testdata/schemas"} {
		cs, err := LoadCases(dir)
		require.NoError(t, err)
		base = append(base, cs...)
	}
	m := newMatcher(t)
	var all []Case
	for _, v := range Variations() {
		var cases []Case
		for i, c := range base {
			cases = append(cases, v.Apply(c, uint64(i)))
		}
		rep, err := scoreCases(context.Background(), m, cases, false)
		require.NoError(t, err)
		if testing.Verbose() {
			fmt.Printf("%-14s precision %.3f recall %.3f coverage %.3f entity %.3f fpr %.3f\n", v.Name,
				rep.Ours.AutoPrecision, rep.Ours.RecallAtReview, rep.Ours.AutoCoverage, rep.Ours.EntityAccuracy, rep.Ours.FalsePositiveRate)
			if os.Getenv("MATCH_VERBOSE") != "" {
				for _, e := range rep.Errors {
					fmt.Println("   ", e)
				}
			}
		}
		require.GreaterOrEqual(t, rep.Ours.AutoPrecision, 0.95, v.Name)
		require.GreaterOrEqual(t, rep.Ours.RecallAtReview, 0.85, v.Name)
		all = append(all, cases...)
	}
	// Calibration over every variant: confidence means the probability of
	// being right, within a few points overall and bucket by bucket where
	// the bucket has enough proposals to tell.
	rep, err := scoreCases(context.Background(), m, all, false)
	require.NoError(t, err)
	if testing.Verbose() {
		require.NoError(t, rep.Write(os.Stdout))
	}
	require.LessOrEqual(t, rep.ECE, 0.06, "expected calibration error")
	for _, b := range rep.Reliability {
		if b.N >= 50 {
			require.InDelta(t, b.MeanConfidence, b.Accuracy, 0.2, "bucket [%.1f, %.1f)", b.Low, b.High)
		}
	}
}
