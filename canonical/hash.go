package canonical

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// RecordHash returns the content hash of a record's fields: the SHA-256, in
// lower-case hex, of their canonical JSON. Canonical JSON sorts object keys
// at every level, has no insignificant white space, writes numbers in plain
// decimal notation without exponent or trailing zeros (int64(3), 3.0,
// json.Number("3.00") and decimal 3 all write 3), times as RFC 3339 in UTC,
// and NaN or infinities as strings. So the hash depends on content only, not
// on map order or number representation. It is safe for concurrent use.
func RecordHash(fields map[string]any) string {
	buf := appendCanonical(make([]byte, 0, 512), fields, 0)
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:])
}

// maxHashDepth bounds nesting so that a cyclic value cannot recurse forever.
const maxHashDepth = 64

// maxCanonicalExp bounds the exponent of numbers written in plain notation;
// beyond it a number is written as given, so a hostile 1e999999999 cannot
// blow up memory.
const maxCanonicalExp = 400

func appendCanonical(b []byte, v any, depth int) []byte {
	if depth > maxHashDepth {
		return appendJSONString(b, "<nested too deep>")
	}
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case string:
		return appendJSONString(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int8:
		return strconv.AppendInt(b, int64(x), 10)
	case int16:
		return strconv.AppendInt(b, int64(x), 10)
	case int32:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case uint:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint8:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint16:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint32:
		return strconv.AppendUint(b, uint64(x), 10)
	case uint64:
		return strconv.AppendUint(b, x, 10)
	case float32:
		return appendFloat(b, float64(x))
	case float64:
		return appendFloat(b, x)
	case json.Number:
		d, err := decimal.NewFromString(string(x))
		if err != nil {
			return appendJSONString(b, string(x))
		}
		return appendDecimal(b, d, string(x))
	case decimal.Decimal:
		return appendDecimal(b, x, "")
	case time.Time:
		return appendJSONString(b, x.UTC().Format(time.RFC3339Nano))
	case CivilDate:
		return appendJSONString(b, x.String())
	case []byte:
		return appendJSONString(b, base64.StdEncoding.EncodeToString(x))
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendCanonical(b, x[k], depth+1)
		}
		return append(b, '}')
	case map[string]string:
		m := make(map[string]any, len(x))
		for k, s := range x {
			m[k] = s
		}
		return appendCanonical(b, m, depth)
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCanonical(b, e, depth+1)
		}
		return append(b, ']')
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, e)
		}
		return append(b, ']')
	}
	// Other types: their JSON, which sorts map keys; a value JSON cannot
	// encode is written by its Go syntax.
	if j, err := json.Marshal(v); err == nil {
		return append(b, j...)
	}
	return appendJSONString(b, fmt.Sprintf("%#v", v))
}

func appendFloat(b []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return appendJSONString(b, "NaN")
	case math.IsInf(f, 1):
		return appendJSONString(b, "+Inf")
	case math.IsInf(f, -1):
		return appendJSONString(b, "-Inf")
	case f == 0:
		return append(b, '0') // -0 and 0 are the same content
	}
	return strconv.AppendFloat(b, f, 'f', -1, 64)
}

// appendDecimal writes d in plain notation; raw, when set, is written
// instead for exponents too large to expand.
func appendDecimal(b []byte, d decimal.Decimal, raw string) []byte {
	if e := d.Exponent(); e > maxCanonicalExp || e < -maxCanonicalExp {
		if raw == "" {
			raw = d.Coefficient().String() + "e" + strconv.Itoa(int(e))
		}
		return appendJSONString(b, raw)
	}
	return append(b, d.String()...)
}

// appendJSONString writes s as a JSON string without HTML escaping; invalid
// UTF-8 becomes U+FFFD, as encoding/json does.
func appendJSONString(b []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
