package aam_test

import (
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/pgsource"
	"github.com/autonomos/autonomos/internal/testenv"
)

// slotLag scrapes reg and returns the replication slot lag gauges by slot,
// checking that no metric carries a tenant or connection label.
func slotLag(t *testing.T, reg *prometheus.Registry) (map[string]float64, float64) {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	lags, errs := map[string]float64{}, -1.0
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				require.NotContains(t, []string{"tenant", "tenant_id", "connection", "connection_id"}, l.GetName())
			}
			switch mf.GetName() {
			case "aos_pgsource_replication_slot_lag_bytes":
				for _, l := range m.GetLabel() {
					if l.GetName() == "slot" {
						lags[l.GetValue()] = m.GetGauge().GetValue()
					}
				}
			case "aam_source_metrics_errors":
				errs = m.GetGauge().GetValue()
			}
		}
	}
	return lags, errs
}

// TestSourceCollectorSlotLag: the mesh's source collector shows a CDC
// connection's replication slot lag without a sync running; it grows
// with writes at the source and shrinks once a read acknowledged them.
func TestSourceCollectorSlotLag(t *testing.T) {
	t.Parallel()
	raw := testenv.CDCPostgresURL(t)
	pool := peoplePool(t, raw)

	e := setup(t, "postgres", nil, func(reg *connectors.Registry) {
		require.NoError(t, pgsource.Register(reg))
	})
	reg := prometheus.NewRegistry()
	require.NoError(t, reg.Register(e.mesh.SourceCollector()))

	// A file connection (no source metrics) sits next to the CDC one.
	e.fileConnection(e.tenant)
	conf := pgConfig(t, raw)
	conf["mode"], conf["cdc_wait"] = "cdc", "1s"
	c := e.peopleConnection("people-cdc", conf)

	lags, errs := slotLag(t, reg)
	require.Zero(t, errs)
	require.Len(t, lags, 1, "one slot of the one CDC connection: %v", lags)
	var slot string
	for s := range lags {
		slot = s
	}

	// Writes without a sync: about 2 MB of WAL the slot keeps.
	_, err := pool.Exec(e.ctx, `INSERT INTO people (name, last) SELECT 'bulk-' || i, repeat('x', 1000) FROM generate_series(1, 2000) i`)
	require.NoError(t, err)
	lags, errs = slotLag(t, reg)
	require.Zero(t, errs)
	before := lags[slot]
	require.Greater(t, before, float64(1<<20), "lag after 2 MB of writes: %v", lags)

	// A sync reads the changes; the next read acknowledges them.
	r := e.sync(c.ID)
	require.Empty(t, r.Errors, "%+v", r)
	require.Equal(t, 2030, r.Events, "%+v", r)
	r = e.sync(c.ID)
	require.Empty(t, r.Errors, "%+v", r)
	lags, _ = slotLag(t, reg)
	after := lags[slot]
	require.Less(t, after, before/2, fmt.Sprintf("lag before %v, after %v", before, after))
}
