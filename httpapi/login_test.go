package httpapi_test

import (
	"fmt"
	"net/http"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/tenancy"
)

// heapSampler records the peak of the memory the Go runtime has mapped
// from the operating system (runtime/metrics "/memory/classes/total:bytes",
// the process's memory less the binary and C allocations) while it runs.
type heapSampler struct {
	stop chan struct{}
	done chan struct{}
	peak atomic.Uint64
}

func sampleHeap() *heapSampler {
	s := &heapSampler{stop: make(chan struct{}), done: make(chan struct{})}
	sample := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	go func() {
		defer close(s.done)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > s.peak.Load() {
				s.peak.Store(v)
			}
			select {
			case <-s.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return s
}

func (s *heapSampler) Stop() uint64 {
	close(s.stop)
	<-s.done
	return s.peak.Load()
}

// TestParallelLoginsMemoryBound: 100 logins at once all succeed, and the
// runtime's memory never grows past the stated bound:
//
//	2 × MaxConcurrent (2) × 19 MiB + 64 MiB = 140 MiB
//
// — the hashes running at once, doubled because the collector (GOGC=100)
// lets the heap reach twice its live size before it reclaims a finished
// hash's 19 MiB, plus 64 MiB for HTTP, the store and the runtime. Without
// the cap, 100 concurrent Argon2id hashes would hold 1.9 GiB live.
func TestParallelLoginsMemoryBound(t *testing.T) {
	const (
		concurrent = 2
		logins     = 100
		slack      = 64 << 20
	)
	bound := uint64(2*concurrent*tenancy.DefaultHashParams.Memory*1024 + slack)
	e := newLocalEnv(t, &envOptions{hasher: &tenancy.HasherOptions{MaxConcurrent: concurrent, MaxQueue: 128}})
	e.register("logins", "admin@logins.example")
	runtime.GC()
	var base [1]metrics.Sample
	base[0].Name = "/memory/classes/total:bytes"
	metrics.Read(base[:])
	baseline := base[0].Value.Uint64()

	s := sampleHeap()
	var wg sync.WaitGroup
	statuses := make([]int, logins)
	for i := range logins {
		wg.Add(1)
		go func() {
			defer wg.Done()
			email := "admin@logins.example"
			if i%2 == 1 {
				email = fmt.Sprintf("nobody%d@logins.example", i) // dummy-hash path
			}
			r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
			statuses[i] = r.status
		}()
	}
	wg.Wait()
	peak := s.Stop()
	for i, st := range statuses {
		want := http.StatusOK
		if i%2 == 1 {
			want = http.StatusUnauthorized
		}
		require.Equal(t, want, st, "login %d", i)
	}
	growth := peak - min(peak, baseline)
	t.Logf("100 parallel logins: runtime memory baseline %d MiB, peak %d MiB, growth %d MiB, bound %d MiB",
		baseline>>20, peak>>20, growth>>20, bound>>20)
	require.LessOrEqual(t, growth, bound)
}

// TestLoginFloodPastQueueIs503: past the hashing queue bound, logins get a
// clean 503 with Retry-After instead of more memory.
func TestLoginFloodPastQueueIs503(t *testing.T) {
	t.Parallel()
	e := newLocalEnv(t, &envOptions{hasher: &tenancy.HasherOptions{MaxConcurrent: 1, MaxQueue: 2}})
	e.register("flood", "admin@flood.example")
	const n = 30
	var wg sync.WaitGroup
	results := make([]response, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@flood.example", "password": password})
		}()
	}
	wg.Wait()
	busy := 0
	for _, r := range results {
		switch r.status {
		case http.StatusOK:
		case http.StatusServiceUnavailable:
			require.Equal(t, "busy", r.errorCode(t))
			require.Equal(t, "1", r.header.Get("Retry-After"))
			busy++
		default:
			t.Fatalf("unexpected status %d: %s", r.status, r.body)
		}
	}
	require.Positive(t, busy)
}
