package jobsbench_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/internal/jobsbench"
	"github.com/autonomos/autonomos/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestRunSmall(t *testing.T) {
	ctx := testenv.Context(t)
	env := testenv.NewRedis(t)
	rep, err := jobsbench.Run(ctx, jobsbench.Options{RedisURL: testenv.RedisURL(), Jobs: 2000, Tenants: 4, Concurrency: 20, Prefix: env.Prefix})
	require.NoError(t, err)
	require.Positive(t, rep.Ours)
	require.Positive(t, rep.Asynq)
	require.Positive(t, rep.OursLimited)
	require.Equal(t, "jobs", rep.Result.Name)
	require.Equal(t, "jobs/s", rep.Result.Unit)
	require.Equal(t, 2000, rep.Result.N)
	require.InDelta(t, rep.Ours/rep.Asynq, rep.Result.Ratio, 1e-9)
	keys, err := env.Client.Keys(ctx, env.Prefix+"*").Result()
	require.NoError(t, err)
	require.Empty(t, keys, "the benchmark leaves no keys behind")
	var out strings.Builder
	require.NoError(t, rep.Write(&out))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 4)
	var last benchfmt.Result
	require.NoError(t, json.Unmarshal([]byte(lines[3]), &last))
	require.Equal(t, rep.Result, last)
	t.Logf("ours %.0f jobs/s, asynq %.0f jobs/s, ours with limits %.0f jobs/s, ratio %.2f", rep.Ours, rep.Asynq, rep.OursLimited, rep.Result.Ratio)
}

func BenchmarkJobs(b *testing.B) {
	ctx := testenv.Context(b)
	env := testenv.NewRedis(b)
	var last jobsbench.Report
	for b.Loop() {
		rep, err := jobsbench.Run(ctx, jobsbench.Options{RedisURL: testenv.RedisURL(), Jobs: 10000, Prefix: env.Prefix})
		if err != nil {
			b.Fatal(err)
		}
		last = rep
	}
	b.ReportMetric(last.Ours, "ours-jobs/s")
	b.ReportMetric(last.Asynq, "asynq-jobs/s")
	b.ReportMetric(last.OursLimited, "ours-limited-jobs/s")
	b.ReportMetric(last.Result.Ratio, "ratio")
}

// BenchmarkJobsFull is the full `aos bench jobs` workload: 100,000 jobs over
// 10 tenants with concurrency 50, run once.
func BenchmarkJobsFull(b *testing.B) {
	ctx := testenv.Context(b)
	env := testenv.NewRedis(b)
	var last jobsbench.Report
	for b.Loop() {
		rep, err := jobsbench.Run(ctx, jobsbench.Options{RedisURL: testenv.RedisURL(), Prefix: env.Prefix})
		if err != nil {
			b.Fatal(err)
		}
		last = rep
	}
	b.ReportMetric(last.Ours, "ours-jobs/s")
	b.ReportMetric(last.Asynq, "asynq-jobs/s")
	b.ReportMetric(last.OursLimited, "ours-limited-jobs/s")
	b.ReportMetric(last.Result.Ratio, "ratio")
}
