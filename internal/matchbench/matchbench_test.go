package matchbench

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

func newMatcher(t *testing.T) *schemamatch.Matcher {
	t.Helper()
	reg, err := canonical.NewRegistry()
	require.NoError(t, err)
	m, err := schemamatch.NewMatcher(reg, nil)
	require.NoError(t, err)
	return m
}

func TestDevSet(t *testing.T) {
	t.Parallel()
	rep, err := Score(context.Background(), newMatcher(t), "../../testdata/matching")
	require.NoError(t, err)
	if testing.Verbose() {
		require.NoError(t, rep.Write(os.Stdout))
	}
	require.GreaterOrEqual(t, rep.Ours.AutoPrecision, 0.98, "auto-apply precision")
	require.GreaterOrEqual(t, rep.Ours.RecallAtReview, 0.95, "recall at review")
	require.Equal(t, 1.0, rep.Ours.EntityAccuracy, "entity accuracy")
}
