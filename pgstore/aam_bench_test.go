package pgstore_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

var benchEvents = flag.Int("aam.events", 100_000, "events per Append in BenchmarkAAMAppend")

// benchBatch builds n mapped opportunity events of one run.
func benchBatch(tenant, conn uuid.UUID, run, n int) []canonical.Event {
	evs := make([]canonical.Event, n)
	emitted := time.Now().UTC()
	for i := range evs {
		id := fmt.Sprintf("006R%dN%07d", run, i)
		source := map[string]any{"Id": id, "Name": "Deal " + id, "Amount": "1200.50", "Stage": "Prospecting"}
		hash := canonical.RecordHash(source)
		evs[i] = canonical.Event{
			EventID: canonical.EventID(tenant.String(), conn.String(), "Opportunity", id, hash),
			Entity:  "opportunity",
			Op:      canonical.OpUpsert,
			Data: map[string]any{
				"opportunity_id":   id,
				"opportunity_name": "Deal " + id,
				"amount":           decimal.New(120050+int64(i), -2),
				"currency":         "USD",
				"stage":            "Prospecting",
				"probability":      decimal.New(45, 0),
				"close_date":       canonical.CivilDate{Year: 2025, Month: time.June, Day: 1 + i%28},
				"is_closed":        false,
			},
			Extras: map[string]any{"Region": "EMEA"},
			Meta: canonical.EventMeta{
				TenantID: tenant.String(), TraceID: "bench", MappingVersion: 1,
				SchemaVersion: canonical.SchemaVersion, EmittedAt: emitted,
			},
			Source: canonical.EventSource{
				System: "csv", ConnectionID: conn.String(), Object: "Opportunity", RecordID: id, RecordHash: hash,
			},
		}
	}
	return evs
}

// referenceRows copies the same events, with their offsets, straight into
// a table like canonical_streams: the floor any append path can reach.
type referenceRows struct {
	tenant uuid.UUID
	events []canonical.Event
	base   int64
	i      int
	row    []any
	err    error
}

func (r *referenceRows) Next() bool {
	if r.err != nil || r.i >= len(r.events) {
		return false
	}
	e := &r.events[r.i]
	r.i++
	data, err := json.Marshal(e.Data)
	if err != nil {
		r.err = err
		return false
	}
	extras, err := json.Marshal(e.Extras)
	if err != nil {
		r.err = err
		return false
	}
	r.row = []any{
		r.tenant, r.base + int64(r.i), uuid.MustParse(e.EventID), e.Entity, string(e.Op),
		uuid.MustParse(e.Source.ConnectionID), e.Source.Object, e.Source.RecordID, e.Source.RecordHash,
		e.Source.System, int32(e.Meta.MappingVersion), int32(e.Meta.SchemaVersion), e.Meta.TraceID,
		e.Meta.EmittedAt, data, extras,
	}
	return true
}

func (r *referenceRows) Values() ([]any, error) { return r.row, nil }
func (r *referenceRows) Err() error             { return r.err }

var referenceColumns = []string{
	"tenant_id", "offset", "event_id", "entity", "op", "connection_id", "object", "record_id", "record_hash",
	"system", "mapping_version", "schema_version", "trace_id", "emitted_at", "data", "extras",
}

// BenchmarkAAMAppend measures Append of a batch of -aam.events new events
// (default 100,000) against the reference: a raw CopyFrom of the same
// events into reference_streams, a table identical to canonical_streams
// (columns, constraints, indexes, foreign key) without row-level security.
// Both encode the events' JSON while copying. It reports both rates and
// the median over the runs of reference time / our time (higher is better
// for us; 1 means no overhead). Run with -benchtime=5x or more.
func BenchmarkAAMAppend(b *testing.B) {
	a, store := newAAM(b)
	ctx := b.Context()
	tenant, err := a.CreateTenant(ctx, "bench")
	require.NoError(b, err)
	conn := aam.Connection{ID: uuid.New(), Name: "csv", Type: "filesource"}
	require.NoError(b, a.CreateConnection(ctx, tenant.ID, conn))
	_, err = store.Pool().Exec(ctx, `
CREATE TABLE reference_streams (LIKE canonical_streams INCLUDING ALL);
ALTER TABLE reference_streams ADD FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE`)
	require.NoError(b, err)

	n := *benchEvents
	var (
		ours, reference time.Duration
		ratios          []float64
		run             int
		refBase         int64
	)
	appendOurs := func(evs []canonical.Event) time.Duration {
		start := time.Now()
		res, err := a.Append(ctx, tenant.ID, aam.Batch{
			Events:     evs,
			Checkpoint: &aam.Checkpoint{ConnectionID: conn.ID, Object: "Opportunity", Cursor: "bench"},
		})
		d := time.Since(start)
		require.NoError(b, err)
		require.Equal(b, n, res.Appended)
		return d
	}
	copyReference := func(evs []canonical.Event) time.Duration {
		start := time.Now()
		err := pgx.BeginFunc(ctx, store.Pool(), func(tx pgx.Tx) error {
			copied, err := tx.CopyFrom(ctx, pgx.Identifier{"reference_streams"}, referenceColumns,
				&referenceRows{tenant: tenant.ID, events: evs, base: refBase})
			if err == nil && copied != int64(n) {
				err = fmt.Errorf("copied %d of %d", copied, n)
			}
			return err
		})
		d := time.Since(start)
		require.NoError(b, err)
		refBase += int64(n)
		return d
	}
	for b.Loop() {
		run++
		evs := benchBatch(tenant.ID, conn.ID, run, n)
		// Alternate the order, so neither side always runs on a database
		// still busy with the other's writes.
		var o, r time.Duration
		if run%2 == 1 {
			o, r = appendOurs(evs), copyReference(evs)
		} else {
			r, o = copyReference(evs), appendOurs(evs)
		}
		ours, reference = ours+o, reference+r
		ratios = append(ratios, r.Seconds()/o.Seconds())
	}
	slices.Sort(ratios)
	events := float64(run * n)
	b.ReportMetric(events/ours.Seconds(), "events/s")
	b.ReportMetric(events/reference.Seconds(), "ref-events/s")
	// The median of the runs' ratios: each compares two back-to-back
	// measurements, which resists the load of a shared machine better
	// than the ratio of the totals.
	b.ReportMetric(ratios[len(ratios)/2], "ratio")
	b.ReportMetric(0, "ns/op")
}
