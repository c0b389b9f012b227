package pgsource_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/pgsource"
	"github.com/autonomos/autonomos/internal/testenv"
)

const benchRows = 20000

// BenchmarkRead reads a 20,000-row table through the connector (keyset
// pages of 1,000 in a read-only transaction, values converted, a cursor per
// record) and, as the reference in the same run, with one plain pgx query
// decoding every row (rows.Values). It reports both in rows/s and their
// ratio (ours / reference, higher is better).
func BenchmarkRead(b *testing.B) {
	url := testenv.PostgresURL(b)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(b, err)
	b.Cleanup(pool.Close)
	ctx := testenv.Context(b)
	_, err = pool.Exec(ctx, `
		CREATE TABLE events (id bigint PRIMARY KEY, name text, amount numeric(12,2), payload jsonb, at timestamptz);
		INSERT INTO events SELECT i, 'event ' || i, i * 1.25, jsonb_build_object('n', i), now() FROM generate_series(1, 20000) i;
		ANALYZE events`)
	require.NoError(b, err)
	src, err := pgsource.New(connectors.Config{"url": url})
	require.NoError(b, err)
	b.Cleanup(func() { _ = src.Close() })

	var ours, ref time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		n := 0
		err := src.Read(ctx, connectors.ReadRequest{Object: "events"}, func(connectors.Record) error { n++; return nil })
		require.NoError(b, err)
		require.Equal(b, benchRows, n)
		ours += time.Since(start)

		start = time.Now()
		rows, err := pool.Query(ctx, `SELECT * FROM events ORDER BY id`)
		require.NoError(b, err)
		n = 0
		for rows.Next() {
			_, err := rows.Values()
			require.NoError(b, err)
			n++
		}
		require.NoError(b, rows.Err())
		require.Equal(b, benchRows, n)
		ref += time.Since(start)
	}
	oursRate := float64(benchRows*b.N) / ours.Seconds()
	refRate := float64(benchRows*b.N) / ref.Seconds()
	b.ReportMetric(oursRate, "rows/s")
	b.ReportMetric(refRate, "ref-rows/s")
	b.ReportMetric(oursRate/refRate, "ratio")
}
