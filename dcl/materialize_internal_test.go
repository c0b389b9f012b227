package dcl

import (
	"math/big"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestUnscaled(t *testing.T) {
	t.Parallel()
	cases := map[string]int64{
		"0":                    0,
		"1200.5":               1200500000,
		"-3":                   -3000000,
		"0.0000005":            1, // rounded half away from zero
		"0.0000004":            0,
		"1e3":                  1000000000,
		"9223372036854.775807": 9223372036854775807,
	}
	for in, want := range cases {
		require.Equal(t, want, unscaled(decimal.RequireFromString(in)), in)
	}
	// beyond int64: a big.Int of the number × 10^6
	in := decimal.RequireFromString("123456789012345678901234.5")
	got, ok := unscaled(in).(*big.Int)
	require.True(t, ok)
	want, _ := new(big.Int).SetString("123456789012345678901234500000", 10)
	require.Zero(t, want.Cmp(got))
}
