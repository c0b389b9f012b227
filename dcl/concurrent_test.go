package dcl_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/dcl"
)

func oppBatch(f *fixture, from int64, n int, amount int64, idOffset int) []aam.StoredEvent {
	out := make([]aam.StoredEvent, n)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("opp-%06d", i+idOffset)
		out[i] = aam.StoredEvent{Offset: from + int64(i), Event: event(f.tenant, "c1", "opportunity", id, map[string]any{
			"opportunity_id": id, "opportunity_name": "deal " + id, "amount": decimal.NewFromInt(amount), "stage": "Prospecting",
		})}
	}
	return out
}

// A reader querying in a loop while a large batch lands sees the state
// before the batch or after it, never a part of it.
func TestMaterializeIsAtomicForReaders(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	// old state: 1,000 deals of amount 1
	_, err := f.eng.Materialize(f.ctx, oppBatch(f, 1, 1000, 1, 0))
	require.NoError(t, err)
	// the new batch rewrites those 1,000 with amount 2 and adds 30,000 of
	// amount 1: new state is 31,000 deals summing to 32,000
	batch := append(oppBatch(f, 1001, 1000, 2, 0), oppBatch(f, 2001, 30000, 1, 1000)...)

	type state struct {
		count int64
		sum   string
	}
	old, nw := state{1000, "1000"}, state{31000, "32000"}
	var reads atomic.Int64
	seen := make(chan state, 1<<16)
	done := make(chan struct{})
	readerErr := make(chan error, 1)
	go func() {
		defer close(readerErr)
		for {
			rows, err := f.eng.Aggregate(f.ctx, "opportunities", dcl.AggregateOptions{Func: dcl.AggSum, Field: "amount"})
			if err != nil {
				readerErr <- err
				return
			}
			reads.Add(1)
			select {
			case seen <- state{rows[0].Count, rows[0].Value.String()}:
			default:
			}
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	// let the reader run before the batch starts
	require.Eventually(t, func() bool { return reads.Load() > 0 }, testTimeout, pollInterval)
	res, err := f.eng.Materialize(f.ctx, batch)
	require.NoError(t, err)
	require.Equal(t, 31000, res.Upserts)
	before := reads.Load()
	require.Eventually(t, func() bool { return reads.Load() > before }, testTimeout, pollInterval)
	close(done)
	require.NoError(t, <-readerErr)
	close(seen)
	var sawOld, sawNew bool
	for s := range seen {
		switch s {
		case old:
			sawOld = true
		case nw:
			sawNew = true
		default:
			t.Fatalf("reader saw a partial batch: %+v", s)
		}
	}
	require.True(t, sawOld)
	require.True(t, sawNew)
}

// A failed batch leaves nothing behind and the next one still applies.
func TestMaterializeRejectsBadBatchAtomically(t *testing.T) {
	t.Parallel()
	f := setup(t, nil)
	batch := oppBatch(f, 1, 10, 1, 0)
	batch[7].Data["amount"] = "not a number"
	_, err := f.eng.Materialize(f.ctx, batch)
	require.ErrorIs(t, err, dcl.ErrInvalid)
	require.Zero(t, f.eng.Offset())
	rows, err := f.eng.Aggregate(f.ctx, "opportunities", dcl.AggregateOptions{Func: dcl.AggCount})
	require.NoError(t, err)
	require.Zero(t, rows[0].Count)

	// offsets must increase
	b := oppBatch(f, 1, 2, 1, 0)
	b[1].Offset = 1
	_, err = f.eng.Materialize(f.ctx, b)
	require.ErrorIs(t, err, dcl.ErrInvalid)

	res, err := f.eng.Materialize(f.ctx, oppBatch(f, 1, 10, 1, 0))
	require.NoError(t, err)
	require.Equal(t, int64(10), res.Offset)
	// replaying a batch is harmless
	res, err = f.eng.Materialize(f.ctx, oppBatch(f, 1, 10, 1, 0))
	require.NoError(t, err)
	require.Equal(t, 10, res.Skipped)
	require.Zero(t, res.Events)
	// records already held are replaced, not duplicated
	res, err = f.eng.Materialize(f.ctx, oppBatch(f, 11, 5, 7, 5))
	require.NoError(t, err)
	require.Equal(t, 5, res.Upserts)
	rows, err = f.eng.Aggregate(f.ctx, "opportunities", dcl.AggregateOptions{Func: dcl.AggSum, Field: "amount"})
	require.NoError(t, err)
	require.Equal(t, int64(10), rows[0].Count)
	require.Equal(t, "40", rows[0].Value.String()) // 5 × 1 + 5 × 7
}
