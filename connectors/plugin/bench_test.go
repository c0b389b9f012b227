package plugin_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/plugin"
	"github.com/autonomos/autonomos/connectors/plugin/internal/testconnector"
	"github.com/autonomos/autonomos/examples/plugin-connector/fakeapi"
	"github.com/autonomos/autonomos/examples/plugin-connector/jsonapi"
	"github.com/autonomos/autonomos/internal/benchfmt"
)

// BenchmarkPluginRead measures Read throughput through a plugin process
// against the same connector in-process, over the same data, in the same
// run. It reports both rates and their ratio (plugin / in-process; 1 means
// no cost for the process boundary):
//
//   - generator: rows generated in memory, so the figure is the plugin
//     transport's own cost per record (encode, gRPC, decode).
//   - jsonapi: the example plugin reading a local JSON API, a realistic
//     source whose own cost dominates.
func BenchmarkPluginRead(b *testing.B) {
	b.Run("generator", func(b *testing.B) {
		const rows = 100_000
		cfg := connectors.Config{"rows": "100000"}
		local, err := testconnector.New(cfg)
		require.NoError(b, err)
		benchRead(b, "plugin_read_generator", rows, testconnector.ObjectRows, local, testPlugin, testPluginSum, cfg)
	})
	b.Run("jsonapi", func(b *testing.B) {
		const rows = 20_000
		srv := httptest.NewServer(fakeapi.New("bench-token", map[string][]map[string]any{
			"customers": fakeapi.Customers(rows),
		}))
		defer srv.Close()
		cfg := connectors.Config{"base_url": srv.URL, "token": "bench-token", "page_size": "1000"}
		local, err := jsonapi.New(cfg)
		require.NoError(b, err)
		benchRead(b, "plugin_read_jsonapi", rows, "customers", local, examplePlugin, exampleSum, cfg)
	})
}

func benchRead(b *testing.B, name string, rows int, object string, local connectors.Connector, bin string, sum []byte, cfg connectors.Config) {
	b.Helper()
	ctx := context.Background()
	remote, err := plugin.Load(ctx, bin, &plugin.LoadOptions{Checksum: sum, Config: cfg})
	require.NoError(b, err)
	defer func() { require.NoError(b, remote.Close()) }()
	defer func() { require.NoError(b, local.Close()) }()

	readOnce := func(c connectors.Connector) time.Duration {
		n := 0
		start := time.Now()
		err := c.Read(ctx, connectors.ReadRequest{Object: object}, func(r connectors.Record) error {
			if r.Err == nil && r.ID != "" {
				n++
			}
			return nil
		})
		took := time.Since(start)
		require.NoError(b, err)
		require.Equal(b, rows, n)
		return took
	}
	// Warm both paths (connections, caches) before measuring.
	readOnce(local)
	readOnce(remote)

	var inProc, viaPlugin time.Duration
	b.ResetTimer()
	for range b.N {
		inProc += readOnce(local)
		viaPlugin += readOnce(remote)
	}
	b.StopTimer()
	total := float64(rows * b.N)
	ours := total / viaPlugin.Seconds()
	ref := total / inProc.Seconds()
	res := benchfmt.New(name, "rows/s", rows*b.N, ours, ref)
	b.ReportMetric(ours, "plugin-rows/s")
	b.ReportMetric(ref, "inproc-rows/s")
	b.ReportMetric(res.Ratio, "ratio")
	line, err := json.Marshal(res)
	require.NoError(b, err)
	b.Logf("%s", line)
}
