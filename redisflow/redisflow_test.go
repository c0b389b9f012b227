package redisflow_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/redisflow"
)

func setup(t *testing.T, opts *redisflow.Options) (*redisflow.Bus, *testenv.Redis) {
	t.Helper()
	r := testenv.NewRedis(t)
	o := redisflow.Options{Block: 100 * time.Millisecond}
	if opts != nil {
		o = *opts
	}
	o.Prefix = r.Prefix
	b, err := redisflow.New(r.Client, &o)
	require.NoError(t, err)
	return b, r
}

func event(tenant uuid.UUID, i int) aam.FlowEvent {
	return aam.FlowEvent{
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), TenantID: tenant, ConnectionID: uuid.New(),
		Object: "accounts", Stage: aam.StageAppend, Count: i, LatencyMS: 1.5, TraceID: "trace", Message: fmt.Sprint("batch ", i),
	}
}

func TestStreamKeyHasTenantHashTag(t *testing.T) {
	t.Parallel()
	id := uuid.MustParse("7b0c3b1e-8a53-4f0e-9d7c-1f2e3d4c5b6a")
	require.Equal(t, "aos:flow:tenant:{7b0c3b1e-8a53-4f0e-9d7c-1f2e3d4c5b6a}", redisflow.StreamKey("aos:", id))
	require.Equal(t, "flow:tenant:{7b0c3b1e-8a53-4f0e-9d7c-1f2e3d4c5b6a}", redisflow.StreamKey("", id))
}

func TestNewValidatesOptions(t *testing.T) {
	t.Parallel()
	r := testenv.NewRedis(t)
	_, err := redisflow.New(nil, nil)
	require.ErrorIs(t, err, aam.ErrInvalid)
	for name, o := range map[string]redisflow.Options{
		"Options.MaxLen": {MaxLen: -1},
		"Options.Block":  {Block: -time.Second},
		"Options.Buffer": {Buffer: -1},
	} {
		_, err := redisflow.New(r.Client, &o)
		require.ErrorIs(t, err, aam.ErrInvalid, name)
		require.ErrorContains(t, err, name)
	}
}

func TestPublishSubscribeInOrder(t *testing.T) {
	t.Parallel()
	b, _ := setup(t, nil)
	ctx := testenv.Context(t)
	tenant, other := uuid.New(), uuid.New()
	// Published before the subscription: not delivered.
	require.NoError(t, b.Publish(ctx, event(tenant, -1)))

	ch, cancel, err := b.Subscribe(ctx, tenant)
	require.NoError(t, err)
	defer cancel()
	for i := range 20 {
		require.NoError(t, b.Publish(ctx, event(other, 100+i)))
		require.NoError(t, b.Publish(ctx, event(tenant, i)))
	}
	for i := range 20 {
		select {
		case e := <-ch:
			require.Equal(t, tenant, e.TenantID)
			require.Equal(t, i, e.Count)
			require.Equal(t, aam.StageAppend, e.Stage)
			require.Equal(t, fmt.Sprint("batch ", i), e.Message)
			require.True(t, e.Time.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)))
		case <-time.After(10 * time.Second):
			t.Fatalf("event %d not delivered", i)
		}
	}
	cancel()
	_, open := <-ch
	require.False(t, open, "channel closed after cancel")
	cancel() // idempotent
}

func TestSubscribeEndsWithContext(t *testing.T) {
	t.Parallel()
	b, _ := setup(t, nil)
	ctx := testenv.Context(t)
	sctx, stop := context.WithCancel(ctx)
	ch, cancel, err := b.Subscribe(sctx, uuid.New())
	require.NoError(t, err)
	defer cancel()
	stop()
	select {
	case _, open := <-ch:
		require.False(t, open)
	case <-time.After(10 * time.Second):
		t.Fatal("channel not closed after the context ended")
	}
}

func TestPublishTrimsStream(t *testing.T) {
	t.Parallel()
	b, r := setup(t, &redisflow.Options{MaxLen: 10, Block: 100 * time.Millisecond})
	ctx := testenv.Context(t)
	tenant := uuid.New()
	for i := range 600 {
		require.NoError(t, b.Publish(ctx, event(tenant, i)))
	}
	n, err := r.Client.XLen(ctx, redisflow.StreamKey(r.Prefix, tenant)).Result()
	require.NoError(t, err)
	// MAXLEN ~ trims whole stream nodes (100 entries by default), so the
	// length stays near the cap, far below what was written.
	require.Less(t, n, int64(200))
	require.GreaterOrEqual(t, n, int64(10))
}

func TestRecentReturnsNewestOldestFirst(t *testing.T) {
	t.Parallel()
	b, r := setup(t, nil)
	ctx := testenv.Context(t)
	tenant := uuid.New()
	for i := range 5 {
		require.NoError(t, b.Publish(ctx, event(tenant, i)))
	}
	// An entry not written by the bus is skipped.
	require.NoError(t, r.Client.XAdd(ctx, &redis.XAddArgs{Stream: redisflow.StreamKey(r.Prefix, tenant), Values: []any{"event", "{not json"}}).Err())
	got, err := b.Recent(ctx, tenant, 4)
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, []int{3, 4}, []int{got[1].Count, got[2].Count})
	none, err := b.Recent(ctx, uuid.New(), 4)
	require.NoError(t, err)
	require.Empty(t, none)
}

func TestNilTenantIsInvalid(t *testing.T) {
	t.Parallel()
	b, _ := setup(t, nil)
	ctx := testenv.Context(t)
	require.ErrorIs(t, b.Publish(ctx, event(uuid.Nil, 1)), aam.ErrInvalid)
	_, _, err := b.Subscribe(ctx, uuid.Nil)
	require.ErrorIs(t, err, aam.ErrInvalid)
	_, err = b.Recent(ctx, uuid.Nil, 1)
	require.ErrorIs(t, err, aam.ErrInvalid)
}
