package plugin

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFieldsRoundTripKeepsTypes(t *testing.T) {
	t.Parallel()
	in := map[string]any{
		"int":     int64(-42),
		"big":     int64(math.MaxInt64),
		"huge":    uint64(math.MaxUint64),
		"float":   1.5,
		"whole":   3.0,
		"neg0":    -2.0,
		"exp":     1e300,
		"tiny":    5e-324,
		"string":  "héllo \"q\" \\ \n\r\t\x01\x1f </script> \u2028",
		"bool":    false,
		"null":    nil,
		"list":    []any{int64(1), 2.0, "x", nil, []any{}, map[string]any{}},
		"nested":  map[string]any{"k": int64(7), "f": 7.0},
		"":        "empty key",
		"int8":    int8(-8),
		"uint16":  uint16(16),
		"float32": float32(0.25),
	}
	b, err := appendFields(nil, in)
	require.NoError(t, err)
	require.True(t, json.Valid(b), "encoding is valid JSON: %s", b)
	out, err := decodeFields(b)
	require.NoError(t, err)

	want := map[string]any{}
	for k, v := range in {
		want[k] = v
	}
	want["int8"] = int64(-8)
	want["uint16"] = int64(16)
	want["float32"] = 0.25
	require.Equal(t, want, out)
}

func TestFieldsOtherValuesTakeJSONForm(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	b, err := appendFields(nil, map[string]any{
		"time":    ts,
		"bytes":   []byte{0, 255},
		"strings": []string{"a"},
		"invalid": "a\xffb",
		"number":  json.Number("12.50"),
	})
	require.NoError(t, err)
	out, err := decodeFields(b)
	require.NoError(t, err)
	require.Equal(t, map[string]any{
		"time":    ts.Format(time.RFC3339Nano),
		"bytes":   "AP8=",
		"strings": []any{"a"},
		"invalid": "a\uFFFDb",
		"number":  12.5,
	}, out)
}

func TestFieldsNaNIsRefused(t *testing.T) {
	t.Parallel()
	for _, v := range []any{math.NaN(), math.Inf(1), float32(math.Inf(-1)), json.Number("abc")} {
		_, err := appendFields(nil, map[string]any{"x": []any{v}})
		require.ErrorIs(t, err, errUnsupportedValue, "%v", v)
		require.Contains(t, err.Error(), `"x"`)
	}
}

func TestNilFieldsStayNil(t *testing.T) {
	t.Parallel()
	b, err := appendFields(nil, nil)
	require.NoError(t, err)
	require.Empty(t, b)
	out, err := decodeFields(b)
	require.NoError(t, err)
	require.Nil(t, out)

	b, err = appendFields(nil, map[string]any{})
	require.NoError(t, err)
	out, err = decodeFields(b)
	require.NoError(t, err)
	require.NotNil(t, out)
	require.Empty(t, out)
}

func TestDecodeFieldsRejectsNonObjects(t *testing.T) {
	t.Parallel()
	for _, in := range []string{`[]`, `1`, `"s"`, `{"a":1} {}`, `{"a":`, `null`} {
		_, err := decodeFields([]byte(in))
		require.Error(t, err, in)
	}
}

func TestNumberValueOutOfRange(t *testing.T) {
	t.Parallel()
	require.Equal(t, int64(-9223372036854775808), numberValue("-9223372036854775808"))
	require.Equal(t, uint64(18446744073709551615), numberValue("18446744073709551615"))
	require.Equal(t, 1.8446744073709552e19, numberValue("18446744073709551616"))
	require.Equal(t, "1e999", numberValue("1e999"))
}

// FuzzDecodeFields feeds the host's decoder what a broken or hostile plugin
// might send: it must never panic, and what it accepts must encode again and
// decode to the same value.
func FuzzDecodeFields(f *testing.F) {
	f.Add([]byte(`{"a":1,"b":1.0,"c":"x","d":[1,2.5,{"e":null}],"f":true}`))
	f.Add([]byte(`{"big":18446744073709551615,"neg":-9223372036854775808,"exp":1e-7}`))
	f.Add([]byte(`{"s":"\u2028\ud800\"\\"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := decodeFields(data)
		if err != nil {
			return
		}
		b, err := appendFields(nil, v)
		if err != nil {
			// Only numbers beyond float64's range, kept as their digits,
			// have no form of their own; they come back as strings.
			t.Fatalf("re-encode %q: %v", data, err)
		}
		v2, err := decodeFields(b)
		require.NoError(t, err, "decode %q", b)
		require.Equal(t, v, v2)
	})
}
