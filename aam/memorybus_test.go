package aam_test

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

func TestMemoryBusDeliversPerTenantInOrder(t *testing.T) {
	t.Parallel()
	bus := aam.NewMemoryBus(nil)
	ctx := context.Background()
	a, b := uuid.New(), uuid.New()
	ch, cancel, err := bus.Subscribe(ctx, a)
	require.NoError(t, err)
	defer cancel()
	for i := range 10 {
		require.NoError(t, bus.Publish(ctx, aam.FlowEvent{TenantID: b, Count: -i}))
		require.NoError(t, bus.Publish(ctx, aam.FlowEvent{TenantID: a, Count: i}))
	}
	for i := range 10 {
		e := <-ch
		require.Equal(t, a, e.TenantID)
		require.Equal(t, i, e.Count)
	}
	select {
	case e := <-ch:
		t.Fatalf("unexpected event %+v", e)
	default:
	}
	cancel()
	_, open := <-ch
	require.False(t, open)
	cancel()
}

func TestMemoryBusDropsOldestForSlowSubscriber(t *testing.T) {
	t.Parallel()
	bus := aam.NewMemoryBus(&aam.MemoryBusOptions{Buffer: 4})
	ctx := context.Background()
	tenant := uuid.New()
	ch, cancel, err := bus.Subscribe(ctx, tenant)
	require.NoError(t, err)
	defer cancel()
	// Nobody reads: Publish must return anyway, keeping the newest four.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			_ = bus.Publish(ctx, aam.FlowEvent{TenantID: tenant, Count: i})
		}
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Publish blocked on a slow subscriber")
	}
	require.Equal(t, uint64(96), bus.Dropped())
	for _, want := range []int{96, 97, 98, 99} {
		require.Equal(t, want, (<-ch).Count)
	}
}

func TestMemoryBusSubscriptionEndsWithContext(t *testing.T) {
	t.Parallel()
	bus := aam.NewMemoryBus(nil)
	ctx, stop := context.WithCancel(context.Background())
	ch, cancel, err := bus.Subscribe(ctx, uuid.New())
	require.NoError(t, err)
	defer cancel()
	stop()
	_, open := <-ch
	require.False(t, open)
	_, _, err = bus.Subscribe(context.Background(), uuid.Nil)
	require.ErrorIs(t, err, aam.ErrInvalid)
}

func TestMemoryBusConcurrentPublishAndCancel(t *testing.T) {
	t.Parallel()
	bus := aam.NewMemoryBus(&aam.MemoryBusOptions{Buffer: 8})
	ctx := context.Background()
	tenant := uuid.New()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					_ = bus.Publish(ctx, aam.FlowEvent{TenantID: tenant})
					runtime.Gosched()
				}
			}
		}()
	}
	for range 20 {
		ch, cancel, err := bus.Subscribe(ctx, tenant)
		require.NoError(t, err)
		<-ch
		cancel()
	}
	close(stop)
	wg.Wait()
}
