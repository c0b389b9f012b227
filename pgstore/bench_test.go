package pgstore_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// BenchmarkWithTenant measures a tenant-scoped transaction doing one indexed
// read against the reference: the same read in a plain transaction of the
// connecting superuser (no role switch, no policy). It reports both and
// their ratio; the difference is the cost of the scope (one round trip for
// role + setting, and the policy predicate).
func BenchmarkWithTenant(b *testing.B) {
	store, pool, ctx := setup(b)
	tenant := createTenant(b, ctx, store, "bench")
	seedTenant(b, ctx, store, tenant, "bench")
	const query = "SELECT count(*) FROM users WHERE tenant_id = $1 AND email = $2"
	const email = "bench-1@example.com"

	var ours, reference time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		err := store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
			var n int
			return tx.QueryRow(ctx, query, tenant, email).Scan(&n)
		})
		ours += time.Since(start)
		require.NoError(b, err)

		start = time.Now()
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			var n int
			return tx.QueryRow(ctx, query, tenant, email).Scan(&n)
		})
		reference += time.Since(start)
		require.NoError(b, err)
	}
	n := float64(b.N)
	b.ReportMetric(float64(ours.Nanoseconds())/n, "ns/scoped-tx")
	b.ReportMetric(float64(reference.Nanoseconds())/n, "ns/plain-tx")
	b.ReportMetric(float64(ours)/float64(reference), "ratio")
}
