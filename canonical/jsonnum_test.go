package canonical_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
)

func TestDecodeJSONKeepsIntegers(t *testing.T) {
	t.Parallel()
	var m map[string]any
	require.NoError(t, canonical.DecodeJSON([]byte(`{"big": 1152921504606846977, "f": 1.5, "nested": {"n": [2, 2.5]}, "huge": 1e400}`), &m))
	require.Equal(t, int64(1152921504606846977), m["big"], "an integer beyond float64 precision survives")
	require.Equal(t, 1.5, m["f"])
	require.Equal(t, []any{int64(2), 2.5}, m["nested"].(map[string]any)["n"])
	require.Equal(t, "1e400", m["huge"], "a number fitting neither type keeps its text")

	var nested map[string]map[string]any
	require.NoError(t, canonical.DecodeJSON([]byte(`{"r1": {"n": 7}}`), &nested))
	require.Equal(t, int64(7), nested["r1"]["n"])

	require.Error(t, canonical.DecodeJSON([]byte(`{`), &m))
}
