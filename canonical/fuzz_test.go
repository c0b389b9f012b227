package canonical

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// FuzzParseSourceSchema checks that no document makes the parser panic,
// that accepted documents keep the format's rules, and that an accepted
// document written back out parses to a stable result.
func FuzzParseSourceSchema(f *testing.F) {
	f.Add([]byte(specExample))
	f.Add([]byte(`{"fields":[{"name":"a"}]}`))
	f.Add([]byte(`{"fields":[{"name":"a"},{"name":"a"}]}`))
	f.Add([]byte(`{"fields":[{"name":"n","type":"object","samples":[{"x":[1,2.5,"s",null,true]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSourceSchema(data)
		if err != nil {
			require.ErrorIs(t, err, ErrInvalidSchema)
			require.Nil(t, s)
			return
		}
		require.NotEmpty(t, s.Fields)
		seen := map[string]bool{}
		for _, f := range s.Fields {
			require.True(t, f.Type.Valid())
			require.False(t, seen[f.Name])
			seen[f.Name] = true
			require.LessOrEqual(t, len(f.Samples), MaxSamples)
		}
		b, err := json.Marshal(s)
		require.NoError(t, err)
		s2, err := ParseSourceSchema(b)
		require.NoError(t, err)
		b2, err := json.Marshal(s2)
		require.NoError(t, err)
		s3, err := ParseSourceSchema(b2)
		require.NoError(t, err)
		require.Equal(t, s2, s3)
	})
}

// fuzzValue builds a source value of one of the shapes records carry.
func fuzzValue(kind uint8, s string) any {
	switch kind % 7 {
	case 0:
		return s
	case 1:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return s
		}
		return f
	case 2:
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return s
		}
		return i
	case 3:
		return json.Number(s)
	case 4:
		return s == "true"
	case 5:
		return map[string]any{"id": s}
	default:
		return []any{s}
	}
}

// FuzzCoerce checks that coercion never panics, returns the Go value of the
// type or a FieldError, and (Percent aside) is idempotent on its own output
// and on its JSON.
func FuzzCoerce(f *testing.F) {
	seeds := []struct {
		kind uint8
		s    string
	}{
		{0, "2024-03-01T10:22:11.000+0000"}, {0, "$1,234.50"}, {0, "(415) 555-0100"}, {0, "+44 20 7946 0958"},
		{0, "U.S.A."}, {0, "Jane <JANE@ACME.COM>"}, {0, "acme.com/"}, {0, "yes"}, {0, "45%"}, {0, "usd"},
		{1, "1709288531.5"}, {1, "0.25"}, {2, "1709288531250"}, {3, "1e3"}, {4, "true"}, {5, "001A"}, {6, "x"},
		{0, "1e999999"}, {0, "0000-01-01"}, {0, "03/01/2024 2:05 PM"}, {3, "-0.0"},
	}
	for _, s := range seeds {
		f.Add(s.kind, s.s, "")
		f.Add(s.kind, s.s, "US")
	}
	types := Types()
	f.Fuzz(func(t *testing.T, kind uint8, s string, region string) {
		v := fuzzValue(kind, s)
		opts := &CoerceOptions{Region: region}
		for _, typ := range types {
			out, err := Coerce(typ, v, opts)
			if err != nil {
				var fe *FieldError
				require.ErrorAs(t, err, &fe)
				require.ErrorIs(t, err, ErrInvalidValue)
				require.NotEmpty(t, fe.Reason)
				require.Nil(t, out)
				continue
			}
			if out == nil {
				continue
			}
			require.True(t, hasGoType(typ, out), "%s: %T", typ, out)
			if typ == Percent {
				// A result in 0..1 would be scaled again; stored percents
				// are read back without scaling by DecodeEvent.
				continue
			}
			again, err := Coerce(typ, out, opts)
			require.NoError(t, err, "%s: %#v -> %#v", typ, v, out)
			requireSameValue(t, typ, out, again)
			b, err := json.Marshal(out)
			require.NoError(t, err)
			var decoded any
			require.NoError(t, json.Unmarshal(b, &decoded))
			fromJSON, err := Coerce(typ, decoded, &CoerceOptions{Region: region, DecimalMark: "."})
			require.NoError(t, err, "%s: %s", typ, b)
			requireSameValue(t, typ, out, fromJSON)
		}
	})
}

func requireSameValue(t *testing.T, typ Type, want, got any) {
	t.Helper()
	if d, ok := want.(decimal.Decimal); ok {
		g, ok := got.(decimal.Decimal)
		require.True(t, ok, "%s: %T", typ, got)
		require.True(t, d.Equal(g), "%s: %s != %s", typ, d, g)
		return
	}
	require.Equal(t, want, got, "%s", typ)
}

// FuzzNullAndUnixCoercion checks that null tokens always map to a missing
// field, that a Unix time is read in its column's unit and never lands
// outside 1900..2200, and that a column without a declared unit never
// reads a value as milliseconds.
func FuzzNullAndUnixCoercion(f *testing.F) {
	for _, s := range []string{"NULL", "null", `\N`, "", " ", "90241268000", "-126230400000", "1709288531", "1709288531000", "1e11", "0", "-1", "99999999999999"} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
		f.Add(s, uint8(2))
	}
	reg, err := NewRegistry()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string, u uint8) {
		unit := []Unit{UnitNone, UnitUnixSeconds, UnitUnixMillis}[int(u)%3]
		m := Mapping{Entity: "account", Fields: []FieldMapping{
			{Source: "id", Target: "account_id"}, {Source: "name", Target: "account_name"},
			{Source: "t", Target: "created_at", Unit: unit},
		}}
		mp, err := NewMapper(reg, m, nil)
		require.NoError(t, err)
		ev, errs := mp.Apply(map[string]any{"id": "1", "name": "n", "t": s}, RecordMeta{})
		if nullSet(nil)[strings.TrimSpace(s)] || strings.TrimSpace(s) == "" {
			require.Empty(t, errs)
			require.NotContains(t, ev.Data, "created_at")
			return
		}
		if len(errs) > 0 {
			require.Len(t, errs, 1)
			require.ErrorIs(t, errs[0], ErrInvalidValue)
			return
		}
		got := ev.Data["created_at"].(time.Time)
		require.True(t, got.Year() >= 1900 && got.Year() <= 2200, "%q -> %s", s, got)
		if d, err := decimal.NewFromString(strings.TrimSpace(s)); err == nil && isUnixText(strings.TrimSpace(s)) && len(strings.TrimSpace(s)) != 8 {
			want := d
			if unit == UnitUnixMillis {
				want = d.Shift(-3)
			}
			secs := decimal.NewFromInt(got.Unix()).Add(decimal.New(int64(got.Nanosecond()), -9))
			require.True(t, secs.Equal(want.Truncate(9)) || secs.Equal(want.Floor()) || secs.Sub(want).Abs().LessThan(decimal.New(1, 0)), "%q (%s) -> %s", s, unit, got)
		}
	})
}
