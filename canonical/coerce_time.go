package canonical

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"
)

// Layouts tried for text with dashes (ISO 8601 and relatives). time.Parse
// accepts fractional seconds after the seconds field even when the layout
// has none, so these cover ".000" forms too.
var isoLayouts = [...]string{
	time.RFC3339,
	"2006-01-02T15:04:05Z0700", // Salesforce: +0000
	"2006-01-02T15:04:05Z07",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02 15:04:05Z07", // PostgreSQL text: +00
	"2006-01-02 15:04:05 Z07:00",
	"2006-01-02 15:04:05 Z0700",
	"2006-01-02 15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
	"2006-01-02 15:04",
	time.DateOnly,
}

// Layouts tried for text with slashes: US month/day/year, and year first.
var slashLayouts = [...]string{
	"1/2/2006",
	"1/2/2006 15:04:05",
	"1/2/2006 15:04",
	"1/2/2006 3:04:05 PM",
	"1/2/2006 3:04 PM",
	"2006/1/2",
	"2006/1/2 15:04:05",
}

// Other layouts: RFC 1123 and similar, as in HTTP and mail headers.
var otherLayouts = [...]string{
	time.RFC1123Z,
	time.RFC1123,
	time.RFC850,
	time.ANSIC,
}

// Years a coerced date or timestamp may have: anything outside is far more
// likely a misread unit or a sentinel than a real date, so it is a field
// error rather than a silent value.
const (
	minYear = 1900
	maxYear = 2200
)

// parseTime reads a point in time: zone-less text is read as UTC, numbers
// as Unix times in unit (seconds unless UnitUnixMillis).
func parseTime(v any, unit Unit) (t time.Time, reason string) {
	switch x := v.(type) {
	case time.Time:
		return x, ""
	case CivilDate:
		return x.Time(), ""
	case string:
		return parseTimeText(x, unit)
	case json.Number:
		return parseTimeText(string(x), unit)
	case bool:
		return time.Time{}, "a boolean is not a date"
	case map[string]any:
		return time.Time{}, reasonObject
	case []any:
		return time.Time{}, reasonArray
	}
	d, reason := toDecimal(v)
	if reason != "" {
		return time.Time{}, reason
	}
	return fromUnix(d, unit)
}

func parseTimeText(s string, unit Unit) (time.Time, string) {
	s = strings.TrimSpace(s)
	if len(s) > maxScalarLen {
		return time.Time{}, reasonTooLong
	}
	if isUnixText(s) {
		if len(s) == 8 && s[0] != '-' && unit == UnitNone {
			if t, err := time.Parse("20060102", s); err == nil {
				return t, ""
			}
		}
		d, err := decimal.NewFromString(s)
		if err != nil {
			return time.Time{}, "not a date or time"
		}
		return fromUnix(d, unit)
	}
	switch {
	case strings.IndexByte(s, '/') >= 0:
		for _, l := range slashLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, ""
			}
		}
	case len(s) >= 10 && s[4] == '-':
		if len(s) == len(time.DateOnly) {
			if t, err := time.Parse(time.DateOnly, s); err == nil {
				return t, ""
			}
		}
		for _, l := range isoLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, ""
			}
		}
	default:
		for _, l := range otherLayouts {
			if t, err := time.Parse(l, s); err == nil {
				return t, ""
			}
		}
	}
	return time.Time{}, "not a recognised date or time (want RFC 3339, YYYY-MM-DD[ HH:MM:SS], MM/DD/YYYY or Unix seconds)"
}

// isUnixText reports whether s is an optionally signed number with an
// optional fraction: Unix seconds or milliseconds as text.
func isUnixText(s string) bool {
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	if s == "" || !isDigit(s[0]) {
		return false
	}
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
		case c == '.' && !dot:
			dot = true
		default:
			return false
		}
	}
	return true
}

// fromUnix reads Unix seconds, or milliseconds when unit says so.
func fromUnix(d decimal.Decimal, unit Unit) (time.Time, string) {
	// ±1e15 ms is ±33658 AD; anything larger is out of range anyway.
	if d.Abs().Cmp(decimal.New(1, 15)) >= 0 {
		return time.Time{}, "out of range (years 1900..2200)"
	}
	if unit == UnitUnixMillis {
		d = d.Shift(-3)
	}
	sec := d.Floor()
	nsec := d.Sub(sec).Shift(9).Floor()
	t := time.Unix(sec.IntPart(), nsec.IntPart()).UTC()
	if y := t.Year(); y < minYear || y > maxYear {
		as := "seconds"
		if unit == UnitUnixMillis {
			as = "milliseconds"
		}
		return time.Time{}, fmt.Sprintf("out of range (years 1900..2200) as Unix %s; declare the column's unit (unix_s or unix_ms)", as)
	}
	return t, ""
}

func checkYear(t time.Time, stored bool) string {
	lo, hi := minYear, maxYear
	if stored {
		lo, hi = 1, 9999
	}
	if y := t.Year(); y < lo || y > hi {
		return fmt.Sprintf("out of range (years %04d..%04d)", lo, hi)
	}
	return ""
}

func coerceTimestamp(v any, cf colFormat) (any, string) {
	t, reason := parseTime(v, cf.unit)
	if reason != "" {
		return nil, reason
	}
	t = t.UTC()
	if reason := checkYear(t, cf.stored); reason != "" {
		return nil, reason
	}
	return t, ""
}

func coerceDate(v any, cf colFormat) (any, string) {
	t, reason := parseTime(v, cf.unit)
	if reason != "" {
		return nil, reason
	}
	if reason := checkYear(t, cf.stored); reason != "" {
		return nil, reason
	}
	return CivilDateOf(t), ""
}
