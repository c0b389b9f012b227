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

// sourceDecimal reads a number from a source column: text is read with the
// column's decimal mark (see parseDecimalMark); other values as toDecimal.
func sourceDecimal(v any, mark byte) (decimal.Decimal, string) {
	if s, ok := v.(string); ok {
		return parseDecimalMark(s, mark)
	}
	return toDecimal(v)
}

// parseDecimal reads decimal text written with a decimal point (commas
// group thousands): JSON numbers, stored values, and columns declared so.
func parseDecimal(s string) (decimal.Decimal, string) { return parseDecimalMark(s, '.') }

// parseDecimalMark reads decimal text: an optional sign, an optional
// currency symbol ($ € £ ¥), digits with optional grouping, an optional
// fraction and exponent; "(12.50)" is negative. mark is the decimal
// separator ('.' or ','; the other one groups thousands); 0 decides from
// the text and fails when it could be read either way.
func parseDecimalMark(s string, mark byte) (decimal.Decimal, string) {
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
	if s == "" || !isDigit(s[0]) && s[0] != '.' && s[0] != ',' {
		return decimal.Decimal{}, "not a number"
	}
	if mark == 0 {
		var reason string
		if mark, reason = decideMark(s); reason != "" {
			return decimal.Decimal{}, reason
		}
	}
	if mark == ',' {
		// Swap the roles so that the grouping check below reads it.
		s = strings.Map(func(r rune) rune {
			switch r {
			case '.':
				return ','
			case ',':
				return '.'
			}
			return r
		}, s)
	}
	if strings.IndexByte(s, ',') >= 0 {
		ungrouped, ok := ungroup(s)
		if !ok {
			return decimal.Decimal{}, "not a number (misplaced thousands separator)"
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

// reasonAmbiguousMark is the field error of a number whose separator could
// be read either way.
const reasonAmbiguousMark = "ambiguous number: the separator may be a decimal mark or a thousands separator; declare the column's decimal mark"

// decideMark finds the decimal mark of number text (sign and currency
// already removed) when only one reading is possible.
func decideMark(s string) (byte, string) {
	if strings.ContainsAny(s, "eE") {
		return '.', "" // exponent notation uses a decimal point
	}
	dots, commas := strings.Count(s, "."), strings.Count(s, ",")
	switch {
	case dots == 0 && commas == 0:
		return '.', ""
	case dots > 0 && commas > 0:
		// The last separator is the decimal mark.
		if strings.LastIndexByte(s, '.') > strings.LastIndexByte(s, ',') {
			return '.', ""
		}
		return ',', ""
	case dots > 1:
		return ',', "" // dots group thousands
	case commas > 1:
		return '.', ""
	}
	sep := byte('.')
	if commas == 1 {
		sep = ','
	}
	i := strings.IndexByte(s, sep)
	intPart, frac := s[:i], s[i+1:]
	if len(frac) != 3 || intPart == "" || len(intPart) > 3 || strings.Trim(intPart, "0") == "" {
		// Not a valid thousands group: the separator can only be a
		// decimal mark.
		return sep, ""
	}
	return 0, reasonAmbiguousMark
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

func coerceInteger(v any, mark byte) (any, string) {
	if i, ok := toInt64(v); ok {
		return i, ""
	}
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return int64(f), ""
	}
	d, reason := sourceDecimal(v, mark)
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

func coercePercent(v any, cf colFormat) (any, string) {
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
	d, reason := sourceDecimal(v, cf.mark)
	if reason != "" {
		return nil, reason
	}
	if !explicit {
		switch cf.unit {
		case UnitFraction:
			d = d.Mul(decHundred)
		case UnitPercent:
		default:
			if d.Sign() > 0 && d.Cmp(decOne) <= 0 {
				return nil, "ambiguous percent: a value in (0, 1] may be a fraction or a percent; declare the column's unit (fraction or percent)"
			}
		}
	}
	if d.Sign() < 0 || d.Cmp(decHundred) > 0 {
		return nil, "outside 0..100"
	}
	return d, ""
}
