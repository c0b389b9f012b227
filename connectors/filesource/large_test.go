package filesource_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

// TestLargeFileBoundedMemory reads a file many times larger than the heap
// it is allowed, checking every row arrives and the live heap stays small:
// it grows only by the index of key values that finds duplicate keys (at
// most 48 bytes a record).
//
// Not parallel: other tests' allocations would blur the heap figures.
func TestLargeFileBoundedMemory(t *testing.T) {
	const rows = largeRows
	root := t.TempDir()
	require.NoError(t, filesource.WriteBenchCSV(filepath.Join(root, "big.csv"), rows))
	fi, err := os.Stat(filepath.Join(root, "big.csv"))
	require.NoError(t, err)

	s, err := filesource.New(connectors.Config{"root": root})
	require.NoError(t, err)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapAlloc
	var peak uint64
	n := 0
	err = s.Read(context.Background(), connectors.ReadRequest{Object: "big"}, func(r connectors.Record) error {
		n++
		if r.Err != nil || r.ID != strconv.Itoa(n) {
			return fmt.Errorf("record %d: ID %q, error %v", n, r.ID, r.Err)
		}
		if n%20_000 == 0 {
			runtime.GC() // count what is live, not garbage awaiting collection
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
		}
		return nil
	})
	require.NoError(t, err)
	require.Equal(t, rows, n)
	grew := int64(peak) - int64(base)
	t.Logf("file %d MiB, live heap grew by at most %d KiB", fi.Size()>>20, grew>>10)
	require.Less(t, grew, int64(1<<20)+48*int64(rows), "the live heap must not grow with the file beyond the key index")
	require.Less(t, int64(1<<20)+48*int64(rows), fi.Size(), "the key index bound must be under the file size to prove anything")
	require.Greater(t, fi.Size(), int64(4<<20), "the file must be well over the bound to prove anything")
}
