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
		depthDesc: prometheus.NewDesc("aos_jobs_depth",
			"Jobs per tenant and state.", []string{"tenant", "state"}, nil),
		runningDesc: prometheus.NewDesc("aos_jobs_running",
			"Running jobs per tenant.", []string{"tenant"}, nil),
		holdersDesc: prometheus.NewDesc("aos_jobs_semaphore_holders",
			"Concurrency slots held per tenant; compare with aos_jobs_running.", []string{"tenant"}, nil),
		leakDesc: prometheus.NewDesc("aos_jobs_semaphore_excess",
			"Slots held beyond running jobs per tenant (cancelled jobs still stopping, or a leak when it stays above zero).",
			[]string{"tenant"}, nil),
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
	for _, s := range stats {
		for _, st := range States {
			ch <- prometheus.MustNewConstMetric(m.depthDesc, prometheus.GaugeValue, float64(s.Jobs[st]), s.Tenant, string(st))
		}
		running := s.Jobs[StateRunning]
		ch <- prometheus.MustNewConstMetric(m.runningDesc, prometheus.GaugeValue, float64(running), s.Tenant)
		ch <- prometheus.MustNewConstMetric(m.holdersDesc, prometheus.GaugeValue, float64(s.SlotsHeld), s.Tenant)
		excess := s.SlotsHeld - running
		if excess < 0 {
			excess = 0
		}
		ch <- prometheus.MustNewConstMetric(m.leakDesc, prometheus.GaugeValue, float64(excess), s.Tenant)
	}
}
