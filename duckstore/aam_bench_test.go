package duckstore_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/internal/testenv"
)

// benchEvents builds n opportunity events of tenant, with data values of
// every canonical Go type.
func benchEvents(tenant, connection uuid.UUID, n int) []canonical.Event {
	out := make([]canonical.Event, n)
	emitted := time.Now().UTC().Truncate(time.Microsecond)
	for i := range out {
		id := fmt.Sprintf("006%07d", i)
		hash := canonical.RecordHash(map[string]any{"Id": id, "n": i})
		out[i] = canonical.Event{
			EventID: canonical.EventID(tenant.String(), connection.String(), "Opportunity", id, hash),
			Entity:  "opportunity",
			Op:      canonical.OpUpsert,
			Data: map[string]any{
				"opportunity_id":   id,
				"opportunity_name": "Deal " + id,
				"amount":           decimal.New(int64(1000+i), -2),
				"close_date":       canonical.CivilDate{Year: 2024, Month: time.March, Day: 1 + i%28},
				"is_closed":        i%2 == 1,
				"created_at":       emitted.Add(-time.Duration(i) * time.Second),
			},
			Extras: map[string]any{"Region": "EMEA", "Score": int64(i)},
			Meta: canonical.EventMeta{
				TenantID: tenant.String(), TraceID: "bench", MappingVersion: 1,
				SchemaVersion: canonical.SchemaVersion, EmittedAt: emitted,
			},
			Source: canonical.EventSource{
				System: "filesource", ConnectionID: connection.String(), Object: "Opportunity", RecordID: id, RecordHash: hash,
			},
		}
	}
	return out
}

// refDDL is canonical_streams' definition under another name.
const refDDL = `
CREATE TABLE ref_streams (
    tenant_id UUID NOT NULL, "offset" BIGINT NOT NULL CHECK ("offset" > 0), event_id UUID NOT NULL,
    entity VARCHAR NOT NULL, op VARCHAR NOT NULL, connection_id UUID NOT NULL, object VARCHAR NOT NULL,
    record_id VARCHAR NOT NULL, record_hash VARCHAR NOT NULL, system VARCHAR NOT NULL DEFAULT '',
    mapping_version INTEGER NOT NULL, schema_version INTEGER NOT NULL, trace_id VARCHAR NOT NULL DEFAULT '',
    emitted_at TIMESTAMPTZ NOT NULL, appended_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    data VARCHAR NOT NULL, extras VARCHAR,
    PRIMARY KEY (tenant_id, "offset"), UNIQUE (tenant_id, event_id))`

// rawAppend is the reference: the Appender writing the same rows straight
// into an identical table, in autocommit, with no staging, no duplicate
// check and no transaction. When encoded is not nil it holds each event's
// data and extras JSON, already encoded.
func rawAppend(ctx context.Context, db *sql.DB, tenant uuid.UUID, evs []canonical.Event, encoded [][2]string) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "ref_streams")
		if err != nil {
			return err
		}
		now := time.Now()
		for i := range evs {
			e := &evs[i]
			var data, extras string
			if encoded != nil {
				data, extras = encoded[i][0], encoded[i][1]
			} else {
				d, err := json.Marshal(e.Data)
				if err != nil {
					return err
				}
				x, err := json.Marshal(e.Extras)
				if err != nil {
					return err
				}
				data, extras = string(d), string(x)
			}
			if err := app.AppendRow(duckdb.UUID(tenant), int64(i+1), duckdb.UUID(uuid.MustParse(e.EventID)), e.Entity, string(e.Op),
				duckdb.UUID(uuid.MustParse(e.Source.ConnectionID)), e.Source.Object, e.Source.RecordID, e.Source.RecordHash,
				e.Source.System, int32(e.Meta.MappingVersion), int32(e.Meta.SchemaVersion), e.Meta.TraceID,
				e.Meta.EmittedAt, now, data, extras); err != nil {
				return err
			}
		}
		return app.Close()
	})
}

// BenchmarkAppend100k appends 100,000 new events in one batch through
// AAM.Append and, in the same run on a fresh store, writes the same rows
// with a raw Appender into an identical table; it reports both rates and
// their ratio (ours / reference), against the reference that encodes the
// JSON columns itself (ratio) and against rows already encoded
// (ratio-preencoded). Each round gets a fresh store.
func BenchmarkAppend100k(b *testing.B) {
	const n = 100_000
	ctx := testenv.Context(b)
	var ours, ref, refEncoded time.Duration
	rounds := 0
	for b.Loop() {
		b.StopTimer()
		s, err := duckstore.Open(ctx, b.TempDir())
		require.NoError(b, err)
		a, err := duckstore.NewAAM(s)
		require.NoError(b, err)
		_, err = s.DB().ExecContext(ctx, refDDL)
		require.NoError(b, err)
		tenant, conn := uuid.New(), uuid.New()
		evs := benchEvents(tenant, conn, n)
		encoded := make([][2]string, n)
		for i := range evs {
			d, _ := json.Marshal(evs[i].Data)
			x, _ := json.Marshal(evs[i].Extras)
			encoded[i] = [2]string{string(d), string(x)}
		}
		b.StartTimer()

		start := time.Now()
		res, err := a.Append(ctx, tenant, aam.Batch{Events: evs})
		ours += time.Since(start)
		require.NoError(b, err)
		require.Equal(b, n, res.Appended)

		start = time.Now()
		require.NoError(b, rawAppend(ctx, s.DB(), tenant, evs, nil))
		ref += time.Since(start)

		_, err = s.DB().ExecContext(ctx, "DROP TABLE ref_streams")
		require.NoError(b, err)
		_, err = s.DB().ExecContext(ctx, refDDL)
		require.NoError(b, err)
		start = time.Now()
		require.NoError(b, rawAppend(ctx, s.DB(), tenant, evs, encoded))
		refEncoded += time.Since(start)

		b.StopTimer()
		require.NoError(b, s.Close())
		b.StartTimer()
		rounds++
	}
	rate := func(d time.Duration) float64 { return float64(n*rounds) / d.Seconds() }
	b.ReportMetric(rate(ours), "events/s")
	b.ReportMetric(rate(ref), "ref-events/s")
	b.ReportMetric(rate(ours)/rate(ref), "ratio")
	b.ReportMetric(rate(ours)/rate(refEncoded), "ratio-preencoded")
	_ = benchfmt.New("duckstore_append_100k", "events/s", n, rate(ours), rate(ref)).Write(os.Stdout)
	_ = benchfmt.New("duckstore_append_100k_preencoded", "events/s", n, rate(ours), rate(refEncoded)).Write(os.Stdout)
}
