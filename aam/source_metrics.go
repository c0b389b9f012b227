package aam

import (
	"context"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/autonomos/autonomos/connectors"
)

// DefaultSourceMetricsTimeout bounds one collection of SourceCollector.
const DefaultSourceMetricsTimeout = 8 * time.Second

var sourceErrorsDesc = prometheus.NewDesc("aam_source_metrics_errors",
	"Connections whose source metrics could not be collected at this scrape (connector not opened, or the scrape's time ran out).",
	nil, nil)

// SourceCollector returns a Prometheus collector of the source metrics of
// every connection of every tenant: at each scrape it opens each
// connection's connector and, when the connector implements
// connectors.MetricsCollector, collects its collectors (for example
// pgsource's aos_pgsource_replication_slot_lag_bytes), so they are visible
// whether or not a sync runs. One collection is bounded by
// DefaultSourceMetricsTimeout; connections not reached in time, or whose
// connector could not be opened, are counted in aam_source_metrics_errors
// and logged. The mesh adds no labels: no tenant or connection ids.
//
// The collector is unchecked (it describes no metrics up front), since the
// metrics depend on the connections that exist at scrape time; register it
// once per registry.
func (m *Mesh) SourceCollector() prometheus.Collector {
	return &sourceCollector{m: m, timeout: DefaultSourceMetricsTimeout}
}

type sourceCollector struct {
	m       *Mesh
	timeout time.Duration
}

// Describe sends nothing: the collector is unchecked.
func (c *sourceCollector) Describe(chan<- *prometheus.Desc) {}

// Collect walks the connections and forwards their connectors' metrics.
func (c *sourceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	failed := 0
	defer func() {
		ch <- prometheus.MustNewConstMetric(sourceErrorsDesc, prometheus.GaugeValue, float64(failed))
	}()
	tenants, err := c.m.store.Tenants(ctx)
	if err != nil {
		c.m.log.Error("aam: source metrics: listing tenants failed", "error", err)
		failed++
		return
	}
	for _, tn := range tenants {
		cs, err := c.m.store.Connections(ctx, tn.ID)
		if err != nil {
			c.m.log.Error("aam: source metrics: listing connections failed", "tenant", tn.ID, "error", err)
			failed++
			continue
		}
		for _, conn := range cs {
			if !c.collect(ctx, tn.ID, conn, ch) {
				failed++
			}
		}
	}
}

// collect forwards the metrics of one connection's connector until they
// end or ctx is done; it reports whether all of them were forwarded.
func (c *sourceCollector) collect(ctx context.Context, tenant uuid.UUID, conn Connection, ch chan<- prometheus.Metric) bool {
	if ctx.Err() != nil {
		c.m.log.Warn("aam: source metrics: time ran out", "tenant", tenant, "connection", conn.ID)
		return false
	}
	s, err := c.m.open(ctx, tenant, conn.ID)
	if err != nil {
		c.m.log.Warn("aam: source metrics: opening the connector failed", "tenant", tenant, "connection", conn.ID, "error", err)
		return false
	}
	mc, ok := s.c.(connectors.MetricsCollector)
	if !ok {
		s.close()
		return true
	}
	// The connector's collectors write into inner from their own
	// goroutine, so that a slow source cannot hold the scrape past ctx;
	// an abandoned collection is drained and its connector closed when
	// it ends.
	inner := make(chan prometheus.Metric, 16)
	go func() {
		defer close(inner)
		for _, col := range mc.Collectors() {
			col.Collect(inner)
		}
	}()
	for {
		select {
		case mt, more := <-inner:
			if !more {
				s.close()
				return true
			}
			ch <- mt
		case <-ctx.Done():
			go func() {
				for range inner {
				}
				s.close()
			}()
			c.m.log.Warn("aam: source metrics: time ran out", "tenant", tenant, "connection", conn.ID)
			return false
		}
	}
}
