package canonical

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// CoerceOptions tunes Coerce. The zero value (or nil) is the default.
type CoerceOptions struct {
	// Region is the ISO 3166-1 alpha-2 country used to read phone numbers
	// written without a country calling code. Default: none, so such
	// numbers keep only their digits.
	Region string
	// DecimalMark is the column's decimal separator for numbers written as
	// text: "." (commas group thousands) or "," (dots group thousands).
	// Default "": text whose only separator could be either ("80.000",
	// "1,234") is ambiguous and fails; other text is read unambiguously
	// ("1.234,56", "80.5", "1,234,567").
	DecimalMark string
	// Unit is the column's unit: UnitUnixSeconds or UnitUnixMillis for
	// numbers read as dates and timestamps (default seconds), UnitFraction
	// or UnitPercent for percents (default: see UnitNone).
	Unit Unit
	// Stored says the value was written by this package (an event's data
	// read back, e.g. from JSON): numbers use a decimal point, percents are
	// on the 0..100 scale, dates may have any year in 1..9999. DecimalMark
	// and Unit are ignored.
	Stored bool
}

// Coerce converts a source value to the normalized Go value of canonical
// type t:
//
//   - String, Email, URL, Phone, Currency, Country, Ref: string
//   - Integer: int64
//   - Decimal, Percent: decimal.Decimal (exact, never through float64 for
//     text input)
//   - Boolean: bool
//   - Date: CivilDate
//   - Timestamp: time.Time in UTC
//
// Accepted inputs, per type:
//
//   - decimal: numbers, and text such as "1200.50", "-3", "1e3", "1,234.5",
//     "$1,234.50", "(12.00)" (accounting negative), "1.234,5" and "€80.000"
//     with opts.DecimalMark ","; text whose separator could be a decimal
//     mark or a thousands separator ("80.000") fails unless the column's
//     DecimalMark says which; exponents beyond ±100 are out of range.
//   - integer: whole numbers within int64, as numbers or text ("1,234",
//     "12.0").
//   - percent: like decimal, or text with a % sign ("45%"); without a %
//     sign opts.Unit decides the scale (UnitFraction: 0.25 is 25); with no
//     unit a value above 1 is on the 0..100 scale and one in (0, 1] is
//     ambiguous and fails; the result must lie in 0..100.
//   - boolean: true/false, 1/0, yes/no, y/n, t/f, in any case.
//   - date and timestamp: RFC 3339, ISO 8601 without zone (read as UTC),
//     "YYYY-MM-DD HH:MM:SS", Salesforce "2024-03-01T10:22:11.000+0000",
//     "YYYY-MM-DD", "YYYYMMDD", US "MM/DD/YYYY" (optionally with a time),
//     RFC 1123, time.Time, and Unix times (numbers or digit strings) in
//     seconds, or in milliseconds with opts.Unit UnitUnixMillis — never
//     guessed from the value's size. A date taken from a timestamp is the
//     calendar date as written in the timestamp's own offset. Years must
//     lie in 1900..2200: anything else is a field error, never a silent
//     value.
//   - currency: ISO 4217 codes in any case ("usd" -> "USD"), "€", "£",
//     "US$"; active codes and codes withdrawn since 1999 are accepted.
//   - country: ISO 3166-1 alpha-2 and alpha-3 codes, English names and
//     common aliases ("United States", "USA", "U.S." -> "US"); text not
//     recognised is kept as given (trimmed), as the canonical type allows.
//   - phone: E.164 ("+14155550100") when the number has a calling code or
//     opts.Region is set; otherwise "+" and digits only. An extension is
//     dropped.
//   - email: lower-cased; "Name <addr>" and "mailto:" forms are unwrapped.
//   - url: http or https with a host; a bare domain gets https://, scheme
//     and host are lower-cased, a lone trailing "/" is dropped.
//   - ref: a scalar, or an object's "id" or "value" key ("Id", "ID",
//     "Value" ... too).
//   - string: text trimmed; numbers and booleans as written.
//
// Empty values (nil, or text that is only white space) coerce to nil with a
// nil error: the field is absent. Coerce is idempotent on its own output, and
// the JSON of its output coerces back to the same value with DecimalMark
// "."; Percent is the exception (a result in 0..1 is ambiguous again),
// which is why Registry.DecodeEvent reads stored percents without scaling.
//
// A value that cannot be coerced gives a *FieldError (Field empty) wrapping
// ErrInvalidValue whose Reason says why. Coerce never panics and is safe for
// concurrent use.
func Coerce(t Type, v any, opts *CoerceOptions) (any, error) {
	var cf colFormat
	if opts != nil {
		cf.region = strings.ToUpper(strings.TrimSpace(opts.Region))
		if !validMark(opts.DecimalMark) {
			return nil, &FieldError{Type: t, Value: v, Reason: "CoerceOptions.DecimalMark must be \".\" or \",\"", Err: ErrInvalidValue}
		}
		if !opts.Unit.fits(t) {
			return nil, &FieldError{Type: t, Value: v, Reason: "unit " + string(opts.Unit) + " does not apply to " + string(t), Err: ErrInvalidValue}
		}
		if opts.DecimalMark != "" {
			cf.mark = opts.DecimalMark[0]
		}
		cf.unit = opts.Unit
		if opts.Stored {
			cf = colFormat{region: cf.region, mark: '.', stored: true}
			if t == Percent {
				cf.unit = UnitPercent
			}
		}
	}
	out, reason := coerce(t, v, cf)
	if reason != "" {
		return nil, &FieldError{Type: t, Value: v, Reason: reason, Err: ErrInvalidValue}
	}
	return out, nil
}

// coerce is Coerce without the error value: reason is empty on success.
func coerce(t Type, v any, cf colFormat) (any, string) {
	if !t.Valid() {
		return nil, "unknown canonical type"
	}
	if isEmpty(v) {
		return nil, ""
	}
	switch t {
	case String:
		return coerceString(v)
	case Integer:
		return coerceInteger(v, cf.mark)
	case Decimal:
		d, reason := sourceDecimal(v, cf.mark)
		if reason != "" {
			return nil, reason
		}
		return d, ""
	case Percent:
		return coercePercent(v, cf)
	case Boolean:
		return coerceBoolean(v)
	case Date:
		return coerceDate(v, cf)
	case Timestamp:
		return coerceTimestamp(v, cf)
	case Email:
		return coerceEmail(v)
	case URL:
		return coerceURL(v)
	case Phone:
		return coercePhone(v, cf.region)
	case Currency:
		return coerceCurrency(v)
	case Country:
		return coerceCountry(v)
	case Ref:
		return coerceRef(v)
	}
	return nil, "unknown canonical type"
}

// isEmpty reports whether v means "no value".
func isEmpty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(x) == ""
	case json.Number:
		return strings.TrimSpace(string(x)) == ""
	}
	return false
}

// Reasons shared by several types.
const (
	reasonObject   = "an object is not a scalar value"
	reasonArray    = "a list is not a scalar value"
	reasonBadUTF8  = "text is not valid UTF-8"
	reasonTooLong  = "text is too long"
	reasonNotFinit = "number is not finite"
)

// maxScalarLen bounds text read as a number, date or code.
const maxScalarLen = 256

// text returns v as trimmed text when it is a string-like scalar, or a
// reason why not. Numbers and booleans are written in plain notation.
func text(v any) (string, string) {
	switch x := v.(type) {
	case string:
		if !utf8.ValidString(x) {
			return "", reasonBadUTF8
		}
		return strings.TrimSpace(x), ""
	case json.Number:
		return text(string(x))
	case bool:
		return strconv.FormatBool(x), ""
	case uint:
		return strconv.FormatUint(uint64(x), 10), ""
	case uint64:
		return strconv.FormatUint(x, 10), ""
	case int, int8, int16, int32, int64, uint8, uint16, uint32:
		i, _ := toInt64(x)
		return strconv.FormatInt(i, 10), ""
	case float32:
		return text(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", reasonNotFinit
		}
		return strconv.FormatFloat(x, 'f', -1, 64), ""
	case decimal.Decimal:
		if e := x.Exponent(); e > maxExp || e < -maxExp {
			return "", "number is out of range"
		}
		return x.String(), ""
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano), ""
	case CivilDate:
		return x.String(), ""
	case []byte:
		if !utf8.Valid(x) {
			return "", reasonBadUTF8
		}
		return strings.TrimSpace(string(x)), ""
	case map[string]any:
		return "", reasonObject
	case []any:
		return "", reasonArray
	}
	return "", "unsupported value type " + typeName(v)
}

// typeName names v's Go type for a reason text.
func typeName(v any) string { return fmt.Sprintf("%T", v) }

func coerceString(v any) (any, string) {
	s, reason := text(v)
	if reason != "" {
		return nil, reason
	}
	if s == "" {
		return nil, ""
	}
	return s, ""
}

func coerceRef(v any) (any, string) {
	if m, ok := v.(map[string]any); ok {
		// Fixed key order keeps the choice deterministic when several
		// spellings are present.
		for _, key := range [...]string{"id", "Id", "ID", "value", "Value", "VALUE"} {
			x, ok := m[key]
			if !ok {
				continue
			}
			if _, nested := x.(map[string]any); nested {
				return nil, "reference key " + strconv.Quote(key) + " holds an object"
			}
			if isEmpty(x) {
				return nil, ""
			}
			return coerceString(x)
		}
		return nil, "object has no id or value key"
	}
	if _, ok := v.(bool); ok {
		return nil, "a boolean is not a reference"
	}
	return coerceString(v)
}

func coerceBoolean(v any) (any, string) {
	switch x := v.(type) {
	case bool:
		return x, ""
	case string, json.Number:
		s, reason := text(x)
		if reason != "" {
			return nil, reason
		}
		switch strings.ToLower(s) {
		case "true", "t", "yes", "y", "1":
			return true, ""
		case "false", "f", "no", "n", "0":
			return false, ""
		}
		return nil, "want true/false, 1/0, yes/no or y/n"
	case map[string]any:
		return nil, reasonObject
	case []any:
		return nil, reasonArray
	}
	d, reason := toDecimal(v)
	if reason != "" {
		return nil, reason
	}
	switch {
	case d.Equal(decimal.NewFromInt(1)):
		return true, ""
	case d.IsZero():
		return false, ""
	}
	return nil, "a number other than 1 or 0 is not a boolean"
}
