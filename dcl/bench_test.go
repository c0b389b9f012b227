package dcl_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/internal/testenv"
)

func benchEvents(tenant uuid.UUID, n int) []aam.StoredEvent {
	out := make([]aam.StoredEvent, n)
	for i := range out {
		id := fmt.Sprintf("opp-%d", i)
		out[i] = aam.StoredEvent{Offset: int64(i + 1), Event: event(tenant, "c1", "opportunity", id, map[string]any{
			"opportunity_id": id, "opportunity_name": "Deal " + id, "amount": decimal.New(int64(i%100000), -2),
			"stage": []string{"Prospecting", "Proposal", "Negotiation"}[i%3],
		})}
	}
	return out
}

// BenchmarkMaterialize measures one 50,000-event batch into a fresh view;
// internal/dclbench compares the same path with a bare Appender.
func BenchmarkMaterialize(b *testing.B) {
	tenant := uuid.New()
	evs := benchEvents(tenant, dcl.DefaultBatchSize)
	for b.Loop() {
		b.StopTimer()
		eng, err := dcl.Open(testenv.Context(b), b.TempDir(), tenant, nil)
		require.NoError(b, err)
		b.StartTimer()
		_, err = eng.Materialize(testenv.Context(b), evs)
		require.NoError(b, err)
		b.StopTimer()
		require.NoError(b, eng.Close())
		b.StartTimer()
	}
	b.ReportMetric(float64(len(evs)*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkQuery measures a filtered, sorted page of 100 rows out of
// 100,000.
func BenchmarkQuery(b *testing.B) {
	ctx := testenv.Context(b)
	tenant := uuid.New()
	eng, err := dcl.Open(ctx, b.TempDir(), tenant, nil)
	require.NoError(b, err)
	defer eng.Close()
	evs := benchEvents(tenant, 100000)
	for i := 0; i < len(evs); i += dcl.DefaultBatchSize {
		_, err := eng.Materialize(ctx, evs[i:i+dcl.DefaultBatchSize])
		require.NoError(b, err)
	}
	q := dcl.QueryOptions{
		Filters: []dcl.Filter{{Field: "stage", Op: dcl.OpEq, Value: "Proposal"}, {Field: "amount", Op: dcl.OpGe, Value: "100"}},
		Sort:    []dcl.SortKey{{Field: "amount", Desc: true}},
		Limit:   100,
	}
	for b.Loop() {
		p, err := eng.Query(ctx, "opportunities", q)
		require.NoError(b, err)
		require.Len(b, p.Rows, 100)
	}
}
