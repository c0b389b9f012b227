package canonical

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRecordHashIsCanonicalJSON(t *testing.T) {
	t.Parallel()
	rec := map[string]any{"b": 1, "a": "x\"<y>", "c": map[string]any{"z": true, "y": nil}, "d": []any{1.5, "q"}}
	want := `{"a":"x\"<y>","b":1,"c":{"y":null,"z":true},"d":[1.5,"q"]}`
	sum := sha256.Sum256([]byte(want))
	require.Equal(t, hex.EncodeToString(sum[:]), RecordHash(rec))
}

func TestRecordHashIndependentOfOrderAndNumberForm(t *testing.T) {
	t.Parallel()
	// Maps built in different insertion orders hash the same.
	a := map[string]any{}
	b := map[string]any{}
	keys := []string{"Id", "Name", "Amount", "Owner", "Tags", "Z", "a", "m"}
	for i, k := range keys {
		a[k] = i
	}
	for i := len(keys) - 1; i >= 0; i-- {
		b[keys[i]] = i
	}
	require.Equal(t, RecordHash(a), RecordHash(b))

	same := []any{int64(3), 3, 3.0, json.Number("3.00"), json.Number("3"), dec("3.000"), uint8(3), float32(3)}
	for _, v := range same {
		require.Equal(t, RecordHash(map[string]any{"n": 3}), RecordHash(map[string]any{"n": v}), "%T %v", v, v)
	}
	require.Equal(t, RecordHash(map[string]any{"n": 0.1}), RecordHash(map[string]any{"n": json.Number("0.10")}))
	require.Equal(t, RecordHash(map[string]any{"n": 0.0}), RecordHash(map[string]any{"n": math.Copysign(0, -1)}))
	require.Equal(t,
		RecordHash(map[string]any{"t": time.Date(2024, 3, 1, 12, 0, 0, 0, time.FixedZone("x", 3600))}),
		RecordHash(map[string]any{"t": time.Date(2024, 3, 1, 11, 0, 0, 0, time.UTC)}))
	require.Equal(t, RecordHash(map[string]any{"m": map[string]string{"k": "v"}}), RecordHash(map[string]any{"m": map[string]any{"k": "v"}}))
}

func TestRecordHashSeesContent(t *testing.T) {
	t.Parallel()
	base := RecordHash(map[string]any{"a": "1"})
	for _, rec := range []map[string]any{
		{"a": 1},    // text vs number
		{"a": "1 "}, // white space
		{"a": "1", "b": nil},
		{"A": "1"},
		{"a": []any{"1"}},
		{},
	} {
		require.NotEqual(t, base, RecordHash(rec), "%v", rec)
	}
	require.NotEqual(t, RecordHash(map[string]any{"a": "b", "c": "d"}), RecordHash(map[string]any{"a": "bc", "": "d"}))
	require.Len(t, base, 64)
	require.Equal(t, RecordHash(nil), RecordHash(map[string]any{}))
}

func TestRecordHashOddValues(t *testing.T) {
	t.Parallel()
	cyclic := map[string]any{}
	cyclic["self"] = cyclic
	require.Len(t, RecordHash(cyclic), 64)
	require.NotPanics(t, func() {
		RecordHash(map[string]any{"nan": math.NaN(), "inf": math.Inf(-1), "ch": make(chan int), "big": json.Number("1e999999999"), "bad": "\xff", "ctl": "\x01"})
	})
	require.NotEqual(t, RecordHash(map[string]any{"x": math.NaN()}), RecordHash(map[string]any{"x": math.Inf(1)}))
	require.Equal(t, RecordHash(map[string]any{"x": math.NaN()}), RecordHash(map[string]any{"x": "NaN"}))
}

func TestEventID(t *testing.T) {
	t.Parallel()
	id := EventID("t1", "c1", "Account", "001", "abc")
	require.Equal(t, id, EventID("t1", "c1", "Account", "001", "abc"))
	require.Regexp(t, `^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`, id)
	others := []string{
		EventID("t2", "c1", "Account", "001", "abc"),
		EventID("t1", "c2", "Account", "001", "abc"),
		EventID("t1", "c1", "Contact", "001", "abc"),
		EventID("t1", "c1", "Account", "002", "abc"),
		EventID("t1", "c1", "Account", "001", "abd"),
		EventID("t1", "c1A", "ccount", "001", "abc"), // boundaries matter
	}
	seen := map[string]bool{id: true}
	for _, o := range others {
		require.False(t, seen[o], o)
		seen[o] = true
	}
}
