package plugin

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// stdDecode is the reference decodeValue must match: encoding/json with
// UseNumber, numbers then typed by numberValue.
func stdDecode(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, io.ErrUnexpectedEOF
	}
	return typeNumbers(v), nil
}

func typeNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		return numberValue(string(x))
	case map[string]any:
		for k, e := range x {
			x[k] = typeNumbers(e)
		}
	case []any:
		for i, e := range x {
			x[i] = typeNumbers(e)
		}
	}
	return v
}

var decodeCases = []string{
	`{}`, `[]`, `null`, `true`, `false`, `0`, `-0`, `-0.0`, `1`, `-1`, `12.5`, `1e3`, `1E+3`, `1e-3`,
	`123456789012345678`, `-123456789012345678`, `1234567890123456789`, `9223372036854775807`,
	`-9223372036854775808`, `9223372036854775808`, `18446744073709551615`, `18446744073709551616`,
	`1e999`, `-1e999`, `0.1e1`, `01`, `1.`, `.5`, `-`, `+1`, `1e`, `1e+`, `--1`, `0x10`,
	`"plain"`, `"esc \" \\ \/ \b \f \n \r \t"`, `"\u00e9\u20AC"`, `"\ud834\udd1e"`, `"\ud834"`,
	`"\ud834x"`, `"\udd1e\ud834"`, `"\ud834\u0041"`, `"\u12"`, `"\x"`, "\"tab\there\"", "\"\xff\xfe\"",
	"\"h\xc3\xa9llo\"", `"unterminated`, `{"a":1,"a":2}`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `[1 2]`,
	`{1:2}`, ` { "a" : [ 1 , { "b" : null } ] } `, `{"a":1} x`, `nul`, `tru`, `[`, `{`, ``, ` `,
	`{"deep":[[[[[[[[[[1]]]]]]]]]]}`, "\"\u2028\"",
}

func TestDecodeValueMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	for _, in := range decodeCases {
		want, wantErr := stdDecode([]byte(in))
		got, err := decodeValue([]byte(in))
		if wantErr != nil {
			require.Error(t, err, "%q: encoding/json refuses it (%v)", in, wantErr)
			continue
		}
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
}

func TestDecodeValueLimitsDepth(t *testing.T) {
	t.Parallel()
	_, err := decodeValue([]byte(strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)))
	require.ErrorIs(t, err, errSyntax)
	require.ErrorContains(t, err, "nested deeper")
	_, err = decodeValue([]byte(strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)))
	require.NoError(t, err)
}

// FuzzDecodeValue checks the hand-written decoder against encoding/json on
// arbitrary input: the same values accepted and decoded alike.
func FuzzDecodeValue(f *testing.F) {
	for _, in := range decodeCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeValue(data)
		if bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) > maxDepth/2 {
			return // encoding/json's own depth limit differs
		}
		want, wantErr := stdDecode(data)
		if wantErr != nil {
			require.Error(t, err, "encoding/json refuses %q (%v)", data, wantErr)
			return
		}
		require.NoError(t, err, "encoding/json accepts %q", data)
		require.Equal(t, want, got, "%q", data)
	})
}
