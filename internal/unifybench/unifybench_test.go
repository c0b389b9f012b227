package unifybench

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestEvaluation: on both splits the unifier reaches the goals
// unsupervised (precision >= 0.99, recall >= 0.95) and beats the
// exact-phone baseline. The held-out split was never used to tune.
func TestEvaluation(t *testing.T) {
	t.Parallel()
	for _, split := range []string{"dev", "heldout"} {
		rep, err := Run("testdata/"+split, nil)
		require.NoError(t, err)
		b, _ := json.Marshal(rep)
		t.Logf("%s: %s", split, b)
		require.GreaterOrEqual(t, rep.Unifier.Precision, 0.99, split)
		require.GreaterOrEqual(t, rep.Unifier.Recall, 0.95, split)
		require.Greater(t, rep.Unifier.F1, rep.Baseline.F1, split)
	}
}
