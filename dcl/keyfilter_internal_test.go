package dcl

import (
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestKeyFilter(t *testing.T) {
	t.Parallel()
	f := newKeyFilter()
	const n = 200000 // several layers
	for i := 0; i < n; i++ {
		f.add(memberKey{conn: "c", rec: strconv.Itoa(i)})
	}
	require.Greater(t, len(f.layers), 1)
	for i := 0; i < n; i++ {
		require.True(t, f.mayContain(memberKey{conn: "c", rec: strconv.Itoa(i)}))
	}
	fp := 0
	for i := n; i < 2*n; i++ {
		if f.mayContain(memberKey{conn: "c", rec: strconv.Itoa(i)}) {
			fp++
		}
	}
	// about 1% per layer; a few layers answer each query
	require.Less(t, fp, n/20)
	require.False(t, newKeyFilter().mayContain(memberKey{conn: "c", rec: "1"}))
}
