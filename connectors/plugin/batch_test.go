package plugin

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/plugin/internal/connectorpb"
)

func TestBatcherKeepsOrderAndLimits(t *testing.T) {
	t.Parallel()
	const n = 5000
	b := newBatcher(64, 1<<20)
	var got []connectors.Record
	var mu sync.Mutex
	maxBatch := 0
	done := make(chan error, 1)
	go func() {
		done <- b.run(context.Background(), func(resp *connectorpb.ReadResponse) error {
			mu.Lock()
			defer mu.Unlock()
			maxBatch = max(maxBatch, len(resp.Records))
			for _, pr := range resp.Records {
				got = append(got, recordFromPB(pr))
			}
			return nil
		})
	}()
	for i := range n {
		r := connectors.Record{ID: strconv.Itoa(i), Cursor: connectors.Cursor("c" + strconv.Itoa(i)), Fields: map[string]any{"i": int64(i)}}
		if i == 7 {
			r = connectors.Record{ID: "7", Cursor: "c7", Err: &connectors.RecordError{Location: "l", Reason: "bad", Raw: "\xff"}}
		}
		require.NoError(t, b.emit(r))
	}
	b.finish()
	require.NoError(t, <-done)
	require.Len(t, got, n)
	require.LessOrEqual(t, maxBatch, 64)
	for i, r := range got {
		require.Equal(t, strconv.Itoa(i), r.ID)
		require.Equal(t, connectors.Cursor("c"+strconv.Itoa(i)), r.Cursor)
		if i == 7 {
			require.Equal(t, &connectors.RecordError{Location: "l", Reason: "bad", Raw: "\xff"}, r.Err)
			continue
		}
		require.Equal(t, map[string]any{"i": int64(i)}, r.Fields)
	}
}

func TestBatcherSendErrorStopsEmit(t *testing.T) {
	t.Parallel()
	b := newBatcher(2, 1<<20)
	boom := errors.New("stream broken")
	done := make(chan error, 1)
	go func() {
		done <- b.run(context.Background(), func(*connectorpb.ReadResponse) error { return boom })
	}()
	var err error
	for i := 0; err == nil && i < 1000; i++ {
		err = b.emit(connectors.Record{ID: strconv.Itoa(i)})
	}
	require.ErrorIs(t, err, boom)
	require.ErrorIs(t, <-done, boom)
}

func TestBatcherUnencodableRecordBecomesRecordError(t *testing.T) {
	t.Parallel()
	b := newBatcher(10, 1<<20)
	require.NoError(t, b.emit(connectors.Record{ID: "1", Fields: map[string]any{"x": func() {}}}))
	b.finish()
	var got []connectors.Record
	require.NoError(t, b.run(context.Background(), func(resp *connectorpb.ReadResponse) error {
		for _, pr := range resp.Records {
			got = append(got, recordFromPB(pr))
		}
		return nil
	}))
	require.Len(t, got, 1)
	require.NotNil(t, got[0].Err)
	require.Contains(t, got[0].Err.Reason, "unsupported value")
}
