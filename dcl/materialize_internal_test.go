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
		"1200.5":               1200500000000000000000 / 1000, // beyond int64 below; see big cases
		"-3":                   -3000000000000000000,
		"0.0000008":            800000000000,
		"0.00000080000":        800000000000,
		"0.000000000000000001": 1,
		"9.223372036854775807": 9223372036854775807,
	}
	delete(cases, "1200.5")
	for in, want := range cases {
		got, err := unscaled(decimal.RequireFromString(in))
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	// beyond int64: a big.Int of the number × 10^18
	for in, digits := range map[string]string{
		"1200.5":                  "1200500000000000000000",
		"12345678901234567890.5":  "12345678901234567890500000000000000000",
		"-20.52022672899":         "-20520226728990000000",
		"0.100000000000000000000": "100000000000000000",
	} {
		got, err := unscaled(decimal.RequireFromString(in))
		require.NoError(t, err, in)
		want, _ := new(big.Int).SetString(digits, 10)
		switch g := got.(type) {
		case *big.Int:
			require.Zero(t, want.Cmp(g), in)
		case int64:
			require.Equal(t, want.Int64(), g, in)
		}
	}
	// What the column cannot hold is an error, never a rounded value.
	_, err := unscaled(decimal.RequireFromString("0.0000000000000000001"))
	require.ErrorContains(t, err, "decimal places")
	_, err = unscaled(decimal.RequireFromString("123456789012345678901"))
	require.ErrorContains(t, err, "digits before the point")
}
