package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/internal/testenv"
)

// lastResult parses the benchmark contract line, which must come last.
func lastResult(t *testing.T, out string) benchfmt.Result {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var r benchfmt.Result
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &r), "last line must be the JSON result: %q", out)
	return r
}

func TestBenchCSVPrintsContractLineLast(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "bench", "csv", "-n", "2000", "-rounds", "1")
	require.Equal(t, 0, code, errOut)
	r := lastResult(t, out)
	require.Equal(t, 2000, r.N)
	require.Equal(t, "rows/s", r.Unit)
	require.Positive(t, r.Ours)
	require.Positive(t, r.Reference)
	require.InDelta(t, r.Ours/r.Reference, r.Ratio, 1e-9)
}

func TestBenchUsage(t *testing.T) {
	t.Parallel()
	code, _, errOut := runCLI(t, "bench")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "jobs")
	code, _, errOut = runCLI(t, "bench", "nope")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown benchmark "nope"`)
	code, _, _ = runCLI(t, "bench", "csv", "-n", "0")
	require.Equal(t, 2, code)
}

func TestBenchJobsPrintsContractLineLast(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "bench", "jobs", "-redis-url", testenv.RedisURL(), "-n", "300", "-tenants", "3", "-concurrency", "4")
	require.Equal(t, 0, code, errOut)
	r := lastResult(t, out)
	require.Equal(t, "jobs", r.Name)
	require.Equal(t, 300, r.N)
	require.Positive(t, r.Ours)
	require.Positive(t, r.Reference)
}

func TestBenchIngestPrintsContractLineLast(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "bench", "ingest", "-database-url", testenv.AdminDatabaseURL(), "-n", "3000")
	require.Equal(t, 0, code, errOut)
	r := lastResult(t, out)
	require.Equal(t, "ingest", r.Name)
	require.Equal(t, 3000, r.N)
	require.Positive(t, r.Ours)
	require.Positive(t, r.Reference)
}

func TestBenchMaterializePrintsContractLineLast(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "bench", "materialize", "-n", "5000")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "p99")
	r := lastResult(t, out)
	require.Equal(t, 5000, r.N)
	require.Positive(t, r.Ours)
	require.Positive(t, r.Reference)
}

func TestBenchRateLimitPrintsResult(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "bench", "ratelimit", "-n", "50", "-redis-url", testenv.RedisURL())
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var r benchfmt.Result
	require.NoError(t, json.Unmarshal([]byte(lines[len(lines)-1]), &r))
	require.Equal(t, "ratelimit", r.Name)
	require.Equal(t, "ns/op", r.Unit)
	require.Equal(t, 50, r.N)
	require.Positive(t, r.Ours)
	require.Positive(t, r.Reference)
}
