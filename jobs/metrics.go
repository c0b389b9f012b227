package jobs

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics holds the queue's Prometheus collectors. Counters and histograms
// are always live (cheap) but only exported when Options.Registerer is set.
type metrics struct {
	q         *Queue
	enqueued  *prometheus.CounterVec
	recovered prometheus.Counter
	// leaseExpired counts runs this process stopped because their local
	// lease deadline passed without a renewal.
	leaseExpired prometheus.Counter
	wait         *prometheus.HistogramVec
	run          *prometheus.HistogramVec

	depthDesc   *prometheus.Desc
	runningDesc *prometheus.Desc
	holdersDesc *prometheus.Desc
	leakDesc    *prometheus.Desc
	tenantsDesc *prometheus.Desc
}

func newMetrics(q *Queue) *metrics {
	buckets := []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 60, 300, 1800}
	return &metrics{
		q: q,
		enqueued: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "aos_jobs_enqueued_total", Help: "Jobs enqueued, by job type.",
		}, []string{"type"}),
		recovered: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "aos_jobs_recovered_total", Help: "Expired leases recovered by this process.",
		}),
		leaseExpired: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "aos_jobs_lease_expired_total", Help: "Runs stopped by this process because their lease could not be renewed in time.",
		}),
		wait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aos_jobs_wait_seconds", Help: "Time from a job becoming due to its run starting, by job type.",
			Buckets: buckets,
		}, []string{"type"}),
		run: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "aos_jobs_run_seconds", Help: "Run time of jobs, by job type and outcome.",
			Buckets: buckets,
		}, []string{"type", "outcome"}),
		// No tenant label: tenant IDs are unbounded in number and not for
		// an unauthenticated endpoint. Per-tenant figures come from Stats.
		depthDesc: prometheus.NewDesc("aos_jobs_depth",
			"Jobs per state, summed over tenants.", []string{"state"}, nil),
		runningDesc: prometheus.NewDesc("aos_jobs_running",
			"Running jobs, summed over tenants.", nil, nil),
		holdersDesc: prometheus.NewDesc("aos_jobs_semaphore_holders",
			"Concurrency slots held, summed over tenants; compare with aos_jobs_running.", nil, nil),
		leakDesc: prometheus.NewDesc("aos_jobs_semaphore_excess",
			"Slots held beyond running jobs, summed over tenants (cancelled jobs still stopping, or a leak when it stays above zero).",
			nil, nil),
		tenantsDesc: prometheus.NewDesc("aos_jobs_tenants",
			"Tenants with jobs; aos_jobs_tenants_excess counts those holding excess slots.", []string{"kind"}, nil),
	}
}

func (m *metrics) register(r prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{m.enqueued, m.recovered, m.leaseExpired, m.wait, m.run, m} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

// Describe implements prometheus.Collector for the gauges read from the driver.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	ch <- m.depthDesc
	ch <- m.runningDesc
	ch <- m.holdersDesc
	ch <- m.leakDesc
	ch <- m.tenantsDesc
}

// Collect implements prometheus.Collector: one Driver.Stats call per scrape.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), m.q.opts.StatsTimeout)
	defer cancel()
	stats, err := m.q.d.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(m.depthDesc, err)
		return
	}
	depth := map[State]int{}
	var running, holders, excess, leaking int
	for _, s := range stats {
		for _, st := range States {
			depth[st] += s.Jobs[st]
		}
		running += s.Jobs[StateRunning]
		holders += s.SlotsHeld
		if e := s.SlotsHeld - s.Jobs[StateRunning]; e > 0 {
			excess += e
			leaking++
		}
	}
	for _, st := range States {
		ch <- prometheus.MustNewConstMetric(m.depthDesc, prometheus.GaugeValue, float64(depth[st]), string(st))
	}
	ch <- prometheus.MustNewConstMetric(m.runningDesc, prometheus.GaugeValue, float64(running))
	ch <- prometheus.MustNewConstMetric(m.holdersDesc, prometheus.GaugeValue, float64(holders))
	ch <- prometheus.MustNewConstMetric(m.leakDesc, prometheus.GaugeValue, float64(excess))
	ch <- prometheus.MustNewConstMetric(m.tenantsDesc, prometheus.GaugeValue, float64(len(stats)), "all")
	ch <- prometheus.MustNewConstMetric(m.tenantsDesc, prometheus.GaugeValue, float64(leaking), "excess")
}
