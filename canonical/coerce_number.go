package canonical

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/shopspring/decimal"
)

// maxExp bounds decimal exponents: a value like 1e999999 is out of range
// rather than a gigabyte of digits.
const maxExp = 100

var (
	decHundred = decimal.NewFromInt(100)
	decOne     = decimal.NewFromInt(1)
	decMinI64  = decimal.NewFromInt(math.MinInt64)
	decMaxI64  = decimal.NewFromInt(math.MaxInt64)
)

// toInt64 converts Go integer kinds; ok is false for other kinds and for
// uint64 values above MaxInt64.
func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint:
		return int64(x), uint64(x) <= math.MaxInt64
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return int64(x), x <= math.MaxInt64
	}
	return 0, false
}

// toDecimal reads a number: Go numbers, json.Number, decimal.Decimal, or
// text (see parseDecimal).
func toDecimal(v any) (decimal.Decimal, string) {
	if i, ok := toInt64(v); ok {
		return decimal.NewFromInt(i), ""
	}
	switch x := v.(type) {
	case uint, uint64:
		s, _ := text(x)
		d, err := decimal.NewFromString(s)
		if err != nil {
			return decimal.Decimal{}, "not a number"
		}
		return d, ""
	case float32:
		return toDecimal(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return decimal.Decimal{}, reasonNotFinit
		}
		return checkExp(decimal.NewFromFloat(x))
	case decimal.Decimal:
		return checkExp(x)
	case json.Number:
		return parseDecimal(string(x))
	case string:
		return parseDecimal(x)
	case bool:
		return decimal.Decimal{}, "a boolean is not a number"
	case map[string]any:
		return decimal.Decimal{}, reasonObject
	case []any:
		return decimal.Decimal{}, reasonArray
	}
	return decimal.Decimal{}, "unsupported value type " + typeName(v)
}

func checkExp(d decimal.Decimal) (decimal.Decimal, string) {
	if e := d.Exponent(); e > maxExp || e < -maxExp {
		return decimal.Decimal{}, fmt.Sprintf("number is out of range (exponent beyond ±%d)", maxExp)
	}
	return d, ""
}

// parseDecimal reads decimal text: an optional sign, an optional currency
// symbol ($ € £ ¥), digits with optional comma grouping, an optional
// fraction and exponent; "(12.50)" is negative.
func parseDecimal(s string) (decimal.Decimal, string) {
	s = strings.TrimSpace(s)
	if len(s) > maxScalarLen {
		return decimal.Decimal{}, reasonTooLong
	}
	neg := false
	if len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')' {
		neg = true
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	sign := ""
	if s != "" && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	for _, sym := range [...]string{"$", "€", "£", "¥"} {
		if rest, ok := strings.CutPrefix(s, sym); ok {
			s = strings.TrimSpace(rest)
			break
		}
	}
	if sign == "" && s != "" && (s[0] == '-' || s[0] == '+') {
		sign, s = s[:1], s[1:]
	}
	if s == "" || !isDigit(s[0]) && s[0] != '.' {
		return decimal.Decimal{}, "not a number"
	}
	if strings.IndexByte(s, ',') >= 0 {
		ungrouped, ok := ungroup(s)
		if !ok {
			return decimal.Decimal{}, "not a number (misplaced comma)"
		}
		s = ungrouped
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !isDigit(c) && c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+' {
			return decimal.Decimal{}, "not a number"
		}
	}
	d, err := decimal.NewFromString(sign + s)
	if err != nil {
		if strings.Contains(err.Error(), "exponent") {
			return decimal.Decimal{}, fmt.Sprintf("number is out of range (exponent beyond ±%d)", maxExp)
		}
		return decimal.Decimal{}, "not a number"
	}
	d, reason := checkExp(d)
	if reason != "" {
		return d, reason
	}
	if neg {
		if d.Sign() < 0 {
			return decimal.Decimal{}, "not a number (negative inside parentheses)"
		}
		d = d.Neg()
	}
	return d, ""
}

// ungroup removes thousands separators from "1,234,567.89"; ok is false
// when the commas are not in groups of three before the decimal point.
func ungroup(s string) (string, bool) {
	intPart, frac, hasFrac := strings.Cut(s, ".")
	if strings.IndexByte(frac, ',') >= 0 {
		return "", false
	}
	groups := strings.Split(intPart, ",")
	if len(groups[0]) < 1 || len(groups[0]) > 3 {
		return "", false
	}
	for _, g := range groups {
		if len(g) == 0 || len(g) > 3 {
			return "", false
		}
		for i := 0; i < len(g); i++ {
			if !isDigit(g[i]) {
				return "", false
			}
		}
	}
	for _, g := range groups[1:] {
		if len(g) != 3 {
			return "", false
		}
	}
	out := strings.Join(groups, "")
	if hasFrac {
		out += "." + frac
	}
	return out, true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func coerceInteger(v any) (any, string) {
	if i, ok := toInt64(v); ok {
		return i, ""
	}
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return int64(f), ""
	}
	d, reason := toDecimal(v)
	if reason != "" {
		return nil, reason
	}
	if !d.IsInteger() {
		return nil, "not a whole number"
	}
	if d.Cmp(decMinI64) < 0 || d.Cmp(decMaxI64) > 0 {
		return nil, "out of the 64-bit integer range"
	}
	return d.IntPart(), ""
}

func coercePercent(v any) (any, string) {
	explicit := false
	if s, ok := v.(string); ok {
		s = strings.TrimSpace(s)
		if rest, found := strings.CutSuffix(s, "%"); found {
			explicit = true
			v = strings.TrimSpace(rest)
			if v == "" {
				return nil, "not a number"
			}
		}
	}
	d, reason := toDecimal(v)
	if reason != "" {
		return nil, reason
	}
	if !explicit && d.Sign() >= 0 && d.Cmp(decOne) <= 0 {
		d = d.Mul(decHundred)
	}
	if d.Sign() < 0 || d.Cmp(decHundred) > 0 {
		return nil, "outside 0..100"
	}
	return d, ""
}
