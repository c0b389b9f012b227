package dclbench

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestMaterializeSmall(t *testing.T) {
	res, rep, err := Materialize(testenv.Context(t), testenv.DataDir(t), 20000)
	require.NoError(t, err)
	require.Equal(t, "dcl_materialize", res.Name)
	require.Equal(t, 20000, res.N)
	require.Positive(t, res.Ours)
	require.Positive(t, res.Reference)
	require.InDelta(t, res.Ours/res.Reference, res.Ratio, 1e-9)
	require.Equal(t, 200, rep.Queries)
	require.Positive(t, rep.P50)
	require.GreaterOrEqual(t, rep.P99, rep.P50)
	t.Logf("ratio %.3f ours %.0f rows/s raw %.0f rows/s p50 %v p99 %v", res.Ratio, res.Ours, res.Reference, rep.P50, rep.P99)
}

func BenchmarkMaterialize(b *testing.B) {
	for b.Loop() {
		res, rep, err := Materialize(testenv.Context(b), b.TempDir(), 200000)
		require.NoError(b, err)
		b.ReportMetric(res.Ratio, "ratio")
		b.ReportMetric(float64(rep.P50.Microseconds()), "p50_us")
		b.ReportMetric(float64(rep.P99.Microseconds()), "p99_us")
	}
}
