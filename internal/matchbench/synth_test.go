package matchbench

import (
	"context"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSyntheticSystems(t *testing.T) {
	t.Parallel()
	rep, err := Score(context.Background(), newMatcher(t), "../../schemamatch/testdata/schemas")
	require.NoError(t, err)
	if testing.Verbose() {
		require.NoError(t, rep.Write(os.Stdout))
	}
}
