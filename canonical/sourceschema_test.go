package canonical

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const specExample = `{
  "system": "salesforce",
  "object": "Account",
  "fields": [
    {"name": "Id",            "type": "string",  "samples": ["001Kg00000AbCdE", "001Kg00000FgHiJ"]},
    {"name": "AnnualRevenue", "type": "number",  "samples": [1200000, 53000000.5]},
    {"name": "CreatedDate",   "type": "datetime","samples": ["2024-03-01T10:22:11.000+0000"]}
  ]
}`

func TestParseSourceSchemaSpecExample(t *testing.T) {
	t.Parallel()
	s, err := ParseSourceSchema([]byte(specExample))
	require.NoError(t, err)
	require.Equal(t, "salesforce", s.System)
	require.Equal(t, "Account", s.Object)
	require.Len(t, s.Fields, 3)
	require.Equal(t, SourceField{Name: "Id", Type: TypeString, Samples: []any{"001Kg00000AbCdE", "001Kg00000FgHiJ"}}, s.Fields[0])
	require.Equal(t, []any{int64(1200000), 53000000.5}, s.Fields[1].Samples)
	require.Equal(t, TypeDatetime, s.Fields[2].Type)
	f, ok := s.Field("AnnualRevenue")
	require.True(t, ok)
	require.Equal(t, TypeNumber, f.Type)
	_, ok = s.Field("annualrevenue")
	require.False(t, ok, "names are exact")
}

func TestParseSourceSchemaLenient(t *testing.T) {
	t.Parallel()
	s, err := ParseSourceSchema([]byte(`{"system":"csv","object":"a.csv","extra":{"x":1},
		"fields":[{"name":"A","unknown_key":true},{"name":"B","type":"unknown","samples":[]},
		{"name":"C","type":"object","samples":[{"n":12345678901234567890}, [1, 2.5]]}]}`))
	require.NoError(t, err)
	require.Equal(t, TypeUnknown, s.Fields[0].Type, "empty type reads as unknown")
	require.Empty(t, s.Fields[1].Samples)
	require.Equal(t, map[string]any{"n": 1.2345678901234567e19}, s.Fields[2].Samples[0])
	require.Equal(t, []any{int64(1), 2.5}, s.Fields[2].Samples[1])
	for _, typ := range []FieldType{TypeString, TypeInteger, TypeNumber, TypeBoolean, TypeDate, TypeDatetime, TypeObject, TypeArray, TypeUnknown} {
		require.True(t, typ.Valid())
	}
	require.False(t, FieldType("text").Valid())
}

// Every invalid case of the source-schema format gets its own clear error.
func TestParseSourceSchemaInvalid(t *testing.T) {
	t.Parallel()
	manyFields := make([]map[string]any, MaxSchemaFields+1)
	for i := range manyFields {
		manyFields[i] = map[string]any{"name": fmt.Sprintf("f%d", i)}
	}
	tooMany, err := json.Marshal(map[string]any{"fields": manyFields})
	require.NoError(t, err)
	samples := strings.Repeat(`1,`, MaxSamples) + `1`

	cases := []struct {
		name string
		doc  string
		msg  string
	}{
		{"no fields key", `{"system":"x","object":"y"}`, "no fields"},
		{"empty fields", `{"fields":[]}`, "no fields"},
		{"null fields", `{"fields":null}`, "no fields"},
		{"field without name", `{"fields":[{"name":"a"},{"type":"string"}]}`, "field 1 has no name"},
		{"blank name", `{"fields":[{"name":"  "}]}`, "field 0 has no name"},
		{"duplicate name", `{"fields":[{"name":"Id"},{"name":"x"},{"name":"Id"}]}`, `field "Id" appears twice (fields 0 and 2)`},
		{"unknown type", `{"fields":[{"name":"a","type":"varchar"}]}`, `field "a" has unknown type "varchar"`},
		{"too many samples", `{"fields":[{"name":"a","samples":[` + samples + `]}]}`, `field "a" has 21 samples, more than 20`},
		{"too many fields", string(tooMany), "10001 fields, more than the limit of 10000"},
		{"not json", `{"fields":`, "unexpected EOF"},
		{"not an object", `[1,2]`, "cannot unmarshal array"},
		{"wrong field type", `{"fields":[{"name":5}]}`, "cannot unmarshal number"},
		{"trailing data", `{"fields":[{"name":"a"}]} {}`, "trailing data"},
		{"empty", ``, "EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s, err := ParseSourceSchema([]byte(c.doc))
			require.Nil(t, s)
			require.ErrorIs(t, err, ErrInvalidSchema)
			require.ErrorContains(t, err, c.msg)
		})
	}

	big := make([]byte, MaxSchemaBytes+1)
	_, err = ParseSourceSchema(big)
	require.ErrorIs(t, err, ErrInvalidSchema)
	require.ErrorContains(t, err, "larger than the 8388608-byte limit")
}
