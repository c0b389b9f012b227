package filesource_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

// BenchmarkCSVRead reads the same generated file with filesource (typed
// fields, cursors, IDs) and with a bare encoding/csv loop, each b.N times,
// and reports both rates and their ratio (filesource / encoding/csv).
func BenchmarkCSVRead(b *testing.B) {
	const rows = 100_000
	dir := b.TempDir()
	require.NoError(b, filesource.WriteBenchCSV(filepath.Join(dir, "bench.csv"), rows))
	s, err := filesource.New(connectors.Config{"root": dir})
	require.NoError(b, err)
	ctx := context.Background()
	var ours, ref time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		n, err := filesource.ReadCount(ctx, s, "bench")
		ours += time.Since(start)
		require.NoError(b, err)
		require.Equal(b, rows, n)

		start = time.Now()
		n, err = filesource.CSVBaseline(filepath.Join(dir, "bench.csv"))
		ref += time.Since(start)
		require.NoError(b, err)
		require.Equal(b, rows, n)
	}
	oursRate := float64(rows*b.N) / ours.Seconds()
	refRate := float64(rows*b.N) / ref.Seconds()
	b.ReportMetric(oursRate, "rows/s")
	b.ReportMetric(refRate, "csv-rows/s")
	b.ReportMetric(oursRate/refRate, "ratio")
}

func TestBench(t *testing.T) {
	t.Parallel()
	res, err := filesource.Bench(context.Background(), t.TempDir(), 2000, 1)
	require.NoError(t, err)
	require.Equal(t, "filesource_csv_read", res.Name)
	require.Equal(t, 2000, res.N)
	require.Positive(t, res.Ours)
	require.Positive(t, res.Reference)
	require.InDelta(t, res.Ours/res.Reference, res.Ratio, 1e-9)
}
