package aam

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the mesh's Prometheus collectors. Labels carry no tenant or
// connection ids, to keep cardinality bounded.
type metrics struct {
	records      *prometheus.CounterVec   // result: read, appended, duplicate, quarantined, resolved
	syncSeconds  *prometheus.HistogramVec // outcome: ok, error
	drift        *prometheus.CounterVec   // breaking: true, false
	breakerTrips prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		records: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aam_records_total",
			Help: "Source records handled by the ingestion pipeline, by result.",
		}, []string{"result"}),
		syncSeconds: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "aam_sync_seconds",
			Help:    "Duration of one object's sync.",
			Buckets: prometheus.ExponentialBuckets(0.01, 4, 10),
		}, []string{"outcome"}),
		drift: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aam_drift_events_total",
			Help: "Schema drift events recorded by the observer.",
		}, []string{"breaking"}),
		breakerTrips: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "aam_breaker_trips_total",
			Help: "Times a connection's circuit breaker opened.",
		}),
	}
	cs := []prometheus.Collector{m.records, m.syncSeconds, m.drift, m.breakerTrips}
	for i, c := range cs {
		if err := reg.Register(c); err != nil {
			for _, done := range cs[:i] {
				reg.Unregister(done)
			}
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return nil, fmt.Errorf("%w: Options.Metrics: collectors already registered (one mesh per registerer): %v", ErrInvalid, err)
			}
			return nil, fmt.Errorf("%w: Options.Metrics: %v", ErrInvalid, err)
		}
	}
	return m, nil
}

func (m *metrics) add(result string, n int) {
	if m != nil && n > 0 {
		m.records.WithLabelValues(result).Add(float64(n))
	}
}
