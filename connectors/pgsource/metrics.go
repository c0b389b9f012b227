package pgsource

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/autonomos/autonomos/connectors"
)

var _ connectors.MetricsCollector = (*Source)(nil)
var _ connectors.Provisioner = (*Source)(nil)

// Collectors returns, in mode=cdc, a collector of the connection's
// replication slots:
//
//   - aos_pgsource_replication_slot_lag_bytes{prefix, slot}: how many bytes
//     of WAL the server keeps for the slot (current WAL position minus the
//     slot's confirmed position). A slot that stops advancing grows it
//     without bound; alert on it.
//   - aos_pgsource_replication_slot_active{prefix, slot}: 1 while a read
//     streams from the slot.
//
// The values are queried when the collector is scraped (bounded by a 5s
// timeout), so they stay true when reads stop. In other modes it returns
// nil.
func (s *Source) Collectors() []prometheus.Collector {
	if s.mode != modeCDC {
		return nil
	}
	return []prometheus.Collector{&slotCollector{s: s,
		lag: prometheus.NewDesc("aos_pgsource_replication_slot_lag_bytes",
			"Bytes of WAL the server keeps for the replication slot: current WAL position minus the slot's confirmed position.",
			[]string{"slot"}, prometheus.Labels{"prefix": s.slot}),
		active: prometheus.NewDesc("aos_pgsource_replication_slot_active",
			"1 while a read streams from the replication slot.",
			[]string{"slot"}, prometheus.Labels{"prefix": s.slot}),
		up: prometheus.NewDesc("aos_pgsource_replication_slot_scrape_ok",
			"1 when the replication slots could be queried at the last scrape.",
			nil, prometheus.Labels{"prefix": s.slot}),
	}}
}

type slotCollector struct {
	s               *Source
	lag, active, up *prometheus.Desc
}

func (c *slotCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.lag
	ch <- c.active
	ch <- c.up
}

func (c *slotCollector) Collect(ch chan<- prometheus.Metric) {
	lags, err := c.s.slotLags(context.Background())
	ok := 1.0
	if err != nil {
		ok = 0
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, ok)
	for _, l := range lags {
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, l.Bytes, l.Slot)
		active := 0.0
		if l.Active {
			active = 1
		}
		ch <- prometheus.MustNewConstMetric(c.active, prometheus.GaugeValue, active, l.Slot)
	}
}

// SlotLag is how far one replication slot is behind.
type SlotLag struct {
	// Slot is the replication slot's name.
	Slot string
	// Bytes is the WAL the server keeps for it.
	Bytes float64
	// Active is true while a session streams from it.
	Active bool
}

// SlotLags reports the connection's replication slots (mode=cdc) and how
// far each is behind the server's WAL position.
func (s *Source) SlotLags(ctx context.Context) ([]SlotLag, error) {
	return s.slotLags(ctx)
}

func (s *Source) slotLags(ctx context.Context) ([]SlotLag, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	rows, err := s.pool.Query(ctx, `
SELECT slot_name, coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), confirmed_flush_lsn), 0)::float8, active
FROM pg_catalog.pg_replication_slots
WHERE database = current_database() AND slot_name LIKE $1
ORDER BY slot_name`, likePrefix(s.slot))
	if err != nil {
		return nil, s.interpret(ctx, "list replication slots", err)
	}
	defer rows.Close()
	var out []SlotLag
	for rows.Next() {
		var l SlotLag
		if err := rows.Scan(&l.Slot, &l.Bytes, &l.Active); err != nil {
			return nil, s.interpret(ctx, "list replication slots", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, s.interpret(ctx, "list replication slots", err)
	}
	return out, nil
}
