package canonical

import (
	"encoding/json"
	"strings"

	"github.com/shopspring/decimal"
)

// profileFormat decides a column's decimal mark and unit from its sample
// values (a discovered SourceField), for a target of type t. It decides
// only what the samples settle; the rest stays undecided (0, UnitNone).
func profileFormat(t Type, samples []any, nulls map[string]bool) (mark byte, unit Unit) {
	switch t {
	case Decimal, Integer, Percent:
		mark = profileMark(samples, nulls)
		if t == Percent {
			unit = profilePercent(samples, mark, nulls)
		}
	case Date, Timestamp:
		unit = profileUnix(samples, nulls)
	}
	return mark, unit
}

// profileMark returns the decimal mark every decisive text sample agrees
// on, or 0.
func profileMark(samples []any, nulls map[string]bool) byte {
	var mark byte
	for _, v := range samples {
		s, ok := nullOf(v, nulls).(string)
		if !ok {
			continue
		}
		s = numberBody(s)
		if s == "" {
			continue
		}
		m, reason := decideMark(s)
		if reason != "" || (!strings.ContainsAny(s, ".,")) {
			continue
		}
		if mark != 0 && m != mark {
			return 0 // the samples disagree: decide per value
		}
		mark = m
	}
	return mark
}

// numberBody strips sign, parentheses, currency symbol and % from number
// text, leaving digits and separators ("" when it is not number-like).
func numberBody(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "("), ")")
	s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	s = strings.TrimLeft(s, "+-")
	for _, sym := range [...]string{"$", "€", "£", "¥"} {
		s = strings.TrimPrefix(s, sym)
	}
	s = strings.TrimSpace(strings.TrimLeft(s, "+-"))
	if s == "" || !isDigit(s[0]) && s[0] != '.' && s[0] != ',' {
		return ""
	}
	return s
}

// profilePercent decides a percent column's scale: a sample above 1 (no %
// sign) means the 0..100 scale; otherwise a sample strictly between 0 and
// 1 means fractions.
func profilePercent(samples []any, mark byte, nulls map[string]bool) Unit {
	fraction := false
	for _, v := range samples {
		v = nullOf(v, nulls)
		if s, ok := v.(string); ok && strings.HasSuffix(strings.TrimSpace(s), "%") {
			continue
		}
		d, reason := sourceDecimal(v, mark)
		if reason != "" {
			continue
		}
		if d.Cmp(decOne) > 0 {
			return UnitPercent
		}
		if d.Sign() > 0 && d.Cmp(decOne) < 0 {
			fraction = true
		}
	}
	if fraction {
		return UnitFraction
	}
	return UnitNone
}

// profileUnix decides whether a column's numeric dates are Unix seconds or
// milliseconds: the unit under which every numeric sample lies in
// 1900..2200; seconds when both fit.
func profileUnix(samples []any, nulls map[string]bool) Unit {
	secOK, msOK, seen := true, true, false
	for _, v := range samples {
		var d decimal.Decimal
		switch x := nullOf(v, nulls).(type) {
		case string:
			x = strings.TrimSpace(x)
			if !isUnixText(x) || len(x) == 8 {
				continue
			}
			var err error
			if d, err = decimal.NewFromString(x); err != nil {
				continue
			}
		case json.Number:
			var err error
			if d, err = decimal.NewFromString(string(x)); err != nil {
				continue
			}
		case int, int32, int64, uint32, uint64, float32, float64:
			var reason string
			if d, reason = toDecimal(x); reason != "" {
				continue
			}
		default:
			continue
		}
		seen = true
		if _, reason := fromUnix(d, UnitUnixSeconds); reason != "" {
			secOK = false
		}
		if _, reason := fromUnix(d, UnitUnixMillis); reason != "" {
			msOK = false
		}
	}
	switch {
	case !seen:
		return UnitNone
	case secOK:
		return UnitUnixSeconds
	case msOK:
		return UnitUnixMillis
	}
	return UnitNone
}
