package plugin

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Record values cross the process boundary as JSON with one convention that
// keeps Go's numeric kinds apart: a number without a fraction or exponent is
// an integer (int64, or uint64 beyond int64's range) and any other number is a
// float64, so an integral float64 is written with a trailing ".0". Other
// values take their encoding/json form (time.Time as an RFC 3339 string,
// []byte as base64).

// errUnsupportedValue is wrapped when a value has no JSON form (NaN, ±Inf).
var errUnsupportedValue = errors.New("plugin: unsupported value")

// appendFields appends the JSON object form of fields to b. A nil map appends
// nothing.
func appendFields(b []byte, fields map[string]any) ([]byte, error) {
	if fields == nil {
		return b, nil
	}
	return appendValue(b, fields)
}

func appendValue(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case string:
		return appendString(b, x), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case int:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int64:
		return strconv.AppendInt(b, x, 10), nil
	case int32:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int16:
		return strconv.AppendInt(b, int64(x), 10), nil
	case int8:
		return strconv.AppendInt(b, int64(x), 10), nil
	case uint:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint64:
		return strconv.AppendUint(b, x, 10), nil
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10), nil
	case float64:
		return appendFloat(b, x, 64)
	case float32:
		return appendFloat(b, float64(x), 32)
	case json.Number:
		return appendNumber(b, x)
	case map[string]any:
		b = append(b, '{')
		first := true
		for k, e := range x {
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, k)
			b = append(b, ':')
			var err error
			if b, err = appendValue(b, e); err != nil {
				return b, fmt.Errorf("%q: %w", k, err)
			}
		}
		return append(b, '}'), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendValue(b, e); err != nil {
				return b, fmt.Errorf("[%d]: %w", i, err)
			}
		}
		return append(b, ']'), nil
	case time.Time:
		return appendString(b, x.Format(time.RFC3339Nano)), nil
	case []byte:
		if x == nil {
			return append(b, "null"...), nil
		}
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, x)
		return append(b, '"'), nil
	}
	// Anything else (structs, typed maps and slices, decimals...) takes its
	// encoding/json form.
	j, err := json.Marshal(v)
	if err != nil {
		return b, fmt.Errorf("%w: %T: %v", errUnsupportedValue, v, err)
	}
	return append(b, j...), nil
}

func appendFloat(b []byte, f float64, bits int) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, fmt.Errorf("%w: %v", errUnsupportedValue, f)
	}
	start := len(b)
	b = strconv.AppendFloat(b, f, 'g', -1, bits)
	if bytes.IndexAny(b[start:], ".eE") < 0 {
		b = append(b, '.', '0')
	}
	return b, nil
}

func appendNumber(b []byte, n json.Number) ([]byte, error) {
	s := n.String()
	if !json.Valid([]byte(s)) || s == "" || (s[0] != '-' && (s[0] < '0' || s[0] > '9')) {
		return b, fmt.Errorf("%w: json.Number %q", errUnsupportedValue, s)
	}
	return append(b, s...), nil
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string, replacing invalid UTF-8 with
// U+FFFD as encoding/json does.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// decodeFields decodes a JSON object written by appendFields. Empty input is
// a nil map.
func decodeFields(data []byte) (map[string]any, error) {
	if len(data) == 0 {
		return nil, nil
	}
	v, err := decodeValue(data)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("plugin: fields are a JSON %T, not an object", v)
	}
	return m, nil
}

// decodeSamples decodes a JSON array written for Field.samples_json.
func decodeSamples(data []byte) ([]any, error) {
	if len(data) == 0 {
		return nil, nil
	}
	v, err := decodeValue(data)
	if err != nil {
		return nil, err
	}
	a, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("plugin: samples are a JSON %T, not an array", v)
	}
	return a, nil
}

func numberValue(s string) any {
	if !strings.ContainsAny(s, ".eE") {
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i
		}
		if u, err := strconv.ParseUint(s, 10, 64); err == nil {
			return u
		}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		// Only out-of-range values get here; ParseFloat returns ±Inf for
		// them, which has no JSON form, so keep the digits.
		return s
	}
	return f
}
