package canonical

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

// coerceCase is one row of the coercion tables: want is the normalized
// value, or reason a fragment of the FieldError's reason.
type coerceCase struct {
	name   string
	in     any
	want   any
	reason string
	region string
	unit   Unit
	mark   string
}

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func day(y int, m time.Month, d int) CivilDate { return CivilDate{Year: y, Month: m, Day: d} }

func runCoerce(t *testing.T, typ Type, cases []coerceCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Coerce(typ, c.in, &CoerceOptions{Region: c.region, Unit: c.unit, DecimalMark: c.mark})
			if c.reason != "" {
				require.Error(t, err)
				require.ErrorIs(t, err, ErrInvalidValue)
				var fe *FieldError
				require.True(t, errors.As(err, &fe))
				require.Contains(t, fe.Reason, c.reason)
				require.Equal(t, typ, fe.Type)
				require.Equal(t, formatValue(c.in), formatValue(fe.Value))
				// The message names the type, the value and the reason.
				require.Contains(t, err.Error(), "invalid "+string(typ)+" ")
				require.Contains(t, err.Error(), formatValue(c.in))
				require.Contains(t, err.Error(), c.reason)
				require.Nil(t, got)
				return
			}
			require.NoError(t, err)
			if wd, ok := c.want.(decimal.Decimal); ok {
				gd, ok := got.(decimal.Decimal)
				require.True(t, ok, "got %T", got)
				require.True(t, wd.Equal(gd), "want %s, got %s", wd, gd)
				return
			}
			require.Equal(t, c.want, got)
		})
	}
}

func TestCoerceString(t *testing.T) {
	t.Parallel()
	runCoerce(t, String, []coerceCase{
		{name: "trimmed", in: "  Acme Corp \n", want: "Acme Corp"},
		{name: "unicode kept", in: "Zürich AG", want: "Zürich AG"},
		{name: "integer", in: int64(42), want: "42"},
		{name: "float", in: 12.5, want: "12.5"},
		{name: "integral float", in: 3.0, want: "3"},
		{name: "json number", in: json.Number("1e3"), want: "1e3"},
		{name: "boolean", in: true, want: "true"},
		{name: "blank is absent", in: "   ", want: nil},
		{name: "nil is absent", in: nil, want: nil},
		{name: "object", in: map[string]any{"a": 1}, reason: "object"},
		{name: "list", in: []any{"a"}, reason: "list"},
		{name: "bad utf-8", in: "a\xffb", reason: "UTF-8"},
		{name: "nan", in: math.NaN(), reason: "not finite"},
	})
}

func TestCoerceInteger(t *testing.T) {
	t.Parallel()
	runCoerce(t, Integer, []coerceCase{
		{name: "int", in: 42, want: int64(42)},
		{name: "int64", in: int64(-7), want: int64(-7)},
		{name: "integral float", in: 1200.0, want: int64(1200)},
		{name: "text", in: " 350 ", want: int64(350)},
		{name: "grouped text", in: "1,234,567", want: int64(1234567)},
		{name: "text with zero fraction", in: "12.00", want: int64(12)},
		{name: "exponent", in: "1e3", want: int64(1000)},
		{name: "json number", in: json.Number("99"), want: int64(99)},
		{name: "max", in: "9223372036854775807", want: int64(math.MaxInt64)},
		{name: "fraction", in: 12.5, reason: "not a whole number"},
		{name: "fraction text", in: "12.5", reason: "not a whole number"},
		{name: "overflow", in: "9223372036854775808", reason: "64-bit"},
		{name: "uint64 overflow", in: uint64(math.MaxUint64), reason: "64-bit"},
		{name: "words", in: "twelve", reason: "not a number"},
		{name: "bad grouping", in: "12,34", reason: "not a whole number"},
		{name: "ambiguous grouping", in: "1,234", reason: "ambiguous number"},
		{name: "declared grouping", in: "1,234", mark: ".", want: int64(1234)},
		{name: "declared dot grouping", in: "1.234.567", want: int64(1234567)},
		{name: "boolean", in: true, reason: "boolean"},
		{name: "infinity", in: math.Inf(1), reason: "not finite"},
	})
}

func TestCoerceDecimal(t *testing.T) {
	t.Parallel()
	runCoerce(t, Decimal, []coerceCase{
		{name: "text exact", in: "1200000.10", want: dec("1200000.1")},
		{name: "many digits exact", in: "12345678901234567890.123456789", want: dec("12345678901234567890.123456789")},
		{name: "float shortest", in: 53000000.5, want: dec("53000000.5")},
		{name: "float 0.1 stays 0.1", in: 0.1, want: dec("0.1")},
		{name: "int", in: int64(-3), want: dec("-3")},
		{name: "json number", in: json.Number("19.99"), want: dec("19.99")},
		{name: "grouped", in: "1,234.50", want: dec("1234.5")},
		{name: "dollar", in: "$1,234.50", want: dec("1234.5")},
		{name: "negative dollar", in: "-$5", want: dec("-5")},
		{name: "euro", in: "€ 12", want: dec("12")},
		{name: "accounting negative", in: "(12.50)", want: dec("-12.5")},
		{name: "exponent", in: "1.5e3", want: dec("1500")},
		{name: "plus sign", in: "+7", want: dec("7")},
		{name: "decimal value", in: dec("3.14"), want: dec("3.14")},
		{name: "words", in: "abc", reason: "not a number"},
		{name: "trailing garbage", in: "12x", reason: "not a number"},
		{name: "two dots", in: "1.2.3", reason: "not a number"},
		{name: "misplaced comma", in: "1,23.5", reason: "misplaced thousands separator"},
		{name: "german thousands ambiguous", in: "80.000", reason: "ambiguous number"},
		{name: "euro german thousands ambiguous", in: "€80.000", reason: "ambiguous number"},
		{name: "euro german thousands declared", in: "€80.000", mark: ",", want: dec("80000")},
		{name: "german decimal declared", in: "1.234,56", mark: ",", want: dec("1234.56")},
		{name: "german decimal decided", in: "1.234,56", want: dec("1234.56")},
		{name: "comma decimal unambiguous", in: "12,5", want: dec("12.5")},
		{name: "dot decimal declared", in: "80.000", mark: ".", want: dec("80")},
		{name: "leading zero is a decimal", in: "0.500", want: dec("0.5")},
		{name: "small fraction", in: "0.0000008", want: dec("0.0000008")},
		{name: "long integer part", in: "1234.567", want: dec("1234.567")},
		{name: "bad grouping with comma mark", in: "1.23,5", mark: ",", reason: "misplaced thousands separator"},
		{name: "huge exponent", in: "1e999999", reason: "out of range"},
		{name: "tiny exponent", in: "1e-999", reason: "out of range"},
		{name: "nan", in: math.NaN(), reason: "not finite"},
		{name: "boolean", in: false, reason: "boolean"},
		{name: "object", in: map[string]any{"amount": 1}, reason: "object"},
		{name: "too long", in: strings.Repeat("9", 300), reason: "too long"},
	})
}

func TestCoercePercent(t *testing.T) {
	t.Parallel()
	runCoerce(t, Percent, []coerceCase{
		{name: "fraction scaled", in: 0.25, unit: UnitFraction, want: dec("25")},
		{name: "one is 100", in: 1, unit: UnitFraction, want: dec("100")},
		{name: "one is one percent", in: 1, unit: UnitPercent, want: dec("1")},
		{name: "small percent declared", in: 0.1, unit: UnitPercent, want: dec("0.1")},
		{name: "ambiguous fraction", in: 0.1, reason: "ambiguous percent"},
		{name: "above one is percent", in: 1.5, want: dec("1.5")},
		{name: "zero", in: 0, want: dec("0")},
		{name: "zero", in: 0, want: dec("0")},
		{name: "points kept", in: 75, want: dec("75")},
		{name: "text fraction", in: "0.5", unit: UnitFraction, want: dec("50")},
		{name: "percent sign not scaled", in: "0.5%", want: dec("0.5")},
		{name: "percent sign", in: " 45 % ", want: dec("45")},
		{name: "hundred", in: "100", want: dec("100")},
		{name: "above hundred", in: 150, reason: "outside 0..100"},
		{name: "negative", in: -0.2, reason: "outside 0..100"},
		{name: "sign only", in: "%", reason: "not a number"},
		{name: "words", in: "high", reason: "not a number"},
	})
}

func TestCoerceBoolean(t *testing.T) {
	t.Parallel()
	var cases []coerceCase
	for _, s := range []string{"true", "TRUE", "True", "1", "yes", "Yes", "y", "Y", "t", " yes "} {
		cases = append(cases, coerceCase{name: "true " + s, in: s, want: true})
	}
	for _, s := range []string{"false", "FALSE", "0", "no", "NO", "n", "N", "f"} {
		cases = append(cases, coerceCase{name: "false " + s, in: s, want: false})
	}
	cases = append(cases,
		coerceCase{name: "bool", in: true, want: true},
		coerceCase{name: "number 1", in: 1, want: true},
		coerceCase{name: "number 0", in: 0.0, want: false},
		coerceCase{name: "json number", in: json.Number("1"), want: true},
		coerceCase{name: "two", in: 2, reason: "other than 1 or 0"},
		coerceCase{name: "maybe", in: "maybe", reason: "want true/false"},
		coerceCase{name: "list", in: []any{true}, reason: "list"},
	)
	runCoerce(t, Boolean, cases)
}

func TestCoerceDate(t *testing.T) {
	t.Parallel()
	runCoerce(t, Date, []coerceCase{
		{name: "iso", in: "2024-03-01", want: day(2024, 3, 1)},
		{name: "rfc3339 keeps written date", in: "2024-03-01T23:30:00-05:00", want: day(2024, 3, 1)},
		{name: "salesforce", in: "2024-03-01T10:22:11.000+0000", want: day(2024, 3, 1)},
		{name: "space time", in: "2024-03-01 10:22:11", want: day(2024, 3, 1)},
		{name: "us", in: "03/01/2024", want: day(2024, 3, 1)},
		{name: "us short", in: "3/1/2024", want: day(2024, 3, 1)},
		{name: "compact", in: "20240301", want: day(2024, 3, 1)},
		{name: "unix seconds", in: int64(1709251200), want: day(2024, 3, 1)},
		{name: "unix millis", in: 1709251200000.0, unit: UnitUnixMillis, want: day(2024, 3, 1)},
		{name: "unix millis undeclared", in: 1709251200000.0, reason: "declare the column's unit"},
		{name: "unix millis 1972", in: int64(90241268000), unit: UnitUnixMillis, want: day(1972, 11, 10)},
		{name: "unix millis 1972 as seconds", in: int64(90241268000), reason: "out of range (years 1900..2200)"},
		{name: "before 1900", in: "1899-12-31", reason: "out of range (years 1900..2200)"},
		{name: "after 2200", in: "9999-12-31", reason: "out of range (years 1900..2200)"},
		{name: "unix text", in: "1709251200", want: day(2024, 3, 1)},
		{name: "time value", in: time.Date(2024, 3, 1, 22, 0, 0, 0, time.FixedZone("x", -5*3600)), want: day(2024, 3, 1)},
		{name: "civil date", in: day(2024, 2, 29), want: day(2024, 2, 29)},
		{name: "feb 30", in: "2024-02-30", reason: "not a recognised date"},
		{name: "month 13", in: "13/01/2024", reason: "not a recognised date"},
		{name: "words", in: "next tuesday", reason: "not a recognised date"},
		{name: "year zero", in: "0000-01-01", reason: "out of range"},
		{name: "far future millis", in: 1e16, reason: "out of range"},
		{name: "boolean", in: true, reason: "boolean"},
	})
}

func TestCoerceTimestamp(t *testing.T) {
	t.Parallel()
	runCoerce(t, Timestamp, []coerceCase{
		{name: "rfc3339 utc", in: "2024-03-01T10:22:11Z", want: ts("2024-03-01T10:22:11Z")},
		{name: "rfc3339 offset to utc", in: "2024-03-01T10:22:11+02:00", want: ts("2024-03-01T08:22:11Z")},
		{name: "rfc3339 nanos", in: "2024-03-01T10:22:11.123456789Z", want: ts("2024-03-01T10:22:11.123456789Z")},
		{name: "iso without zone is utc", in: "2024-03-01T10:22:11", want: ts("2024-03-01T10:22:11Z")},
		{name: "iso without zone fraction", in: "2024-03-01T10:22:11.5", want: ts("2024-03-01T10:22:11.5Z")},
		{name: "space separated", in: "2024-03-01 10:22:11", want: ts("2024-03-01T10:22:11Z")},
		{name: "salesforce +0000", in: "2024-03-01T10:22:11.000+0000", want: ts("2024-03-01T10:22:11Z")},
		{name: "salesforce -0800", in: "2024-03-01T10:22:11.000-0800", want: ts("2024-03-01T18:22:11Z")},
		{name: "postgres text", in: "2024-03-01 10:22:11.25+00", want: ts("2024-03-01T10:22:11.25Z")},
		{name: "date only", in: "2024-03-01", want: ts("2024-03-01T00:00:00Z")},
		{name: "us", in: "03/01/2024", want: ts("2024-03-01T00:00:00Z")},
		{name: "us with time", in: "3/1/2024 14:05:00", want: ts("2024-03-01T14:05:00Z")},
		{name: "us with pm", in: "3/1/2024 2:05 PM", want: ts("2024-03-01T14:05:00Z")},
		{name: "rfc1123", in: "Fri, 01 Mar 2024 10:22:11 GMT", want: ts("2024-03-01T10:22:11Z")},
		{name: "unix seconds", in: int64(1709288531), want: ts("2024-03-01T10:22:11Z")},
		{name: "unix seconds float", in: 1709288531.5, want: ts("2024-03-01T10:22:11.5Z")},
		{name: "unix millis", in: int64(1709288531250), unit: UnitUnixMillis, want: ts("2024-03-01T10:22:11.25Z")},
		{name: "unix seconds declared", in: int64(1709288531), unit: UnitUnixSeconds, want: ts("2024-03-01T10:22:11Z")},
		{name: "seconds as millis is 1970", in: int64(1709288531), unit: UnitUnixMillis, want: ts("1970-01-20T18:48:08.531Z")},
		{name: "unix seconds text", in: "1709288531", want: ts("2024-03-01T10:22:11Z")},
		{name: "unix millis json", in: json.Number("1709288531000"), unit: UnitUnixMillis, want: ts("2024-03-01T10:22:11Z")},
		{name: "negative unix", in: int64(-86400), want: ts("1969-12-31T00:00:00Z")},
		{name: "time value", in: time.Date(2024, 3, 1, 12, 0, 0, 0, time.FixedZone("x", 3600)), want: ts("2024-03-01T11:00:00Z")},
		{name: "bad hour", in: "2024-03-01T25:00:00Z", reason: "not a recognised date"},
		{name: "words", in: "yesterday", reason: "not a recognised date"},
		{name: "out of range", in: 1e15, reason: "out of range"},
		{name: "nan", in: math.NaN(), reason: "not finite"},
		{name: "object", in: map[string]any{}, reason: "object"},
	})
}

func TestCoerceEmail(t *testing.T) {
	t.Parallel()
	runCoerce(t, Email, []coerceCase{
		{name: "lower-cased", in: " Jane.Doe@Acme.COM ", want: "jane.doe@acme.com"},
		{name: "plus tag", in: "ops+alerts@acme.io", want: "ops+alerts@acme.io"},
		{name: "display name", in: "Jane Doe <JANE@acme.com>", want: "jane@acme.com"},
		{name: "mailto", in: "mailto:jane@acme.com", want: "jane@acme.com"},
		{name: "idn", in: "jürgen@müller.de", want: "jürgen@müller.de"},
		{name: "no at", in: "jane.acme.com", reason: "exactly one @"},
		{name: "two ats", in: "a@b@c.com", reason: "exactly one @"},
		{name: "no tld", in: "jane@localhost", reason: "top-level domain"},
		{name: "space", in: "ja ne@acme.com", reason: "not allowed in local part"},
		{name: "double dot", in: "jane..doe@acme.com", reason: "misplaced dot"},
		{name: "empty local", in: "@acme.com", reason: "local part"},
		{name: "hyphen label", in: "a@-acme.com", reason: "hyphen"},
		{name: "number", in: 42, reason: "not text"},
	})
}

func TestCoerceURL(t *testing.T) {
	t.Parallel()
	runCoerce(t, URL, []coerceCase{
		{name: "bare domain", in: "acme.com", want: "https://acme.com"},
		{name: "www", in: "www.acme.com", want: "https://www.acme.com"},
		{name: "host lower-cased", in: "HTTP://WWW.Acme.COM/About", want: "http://www.acme.com/About"},
		{name: "trailing slash dropped", in: "https://acme.com/", want: "https://acme.com"},
		{name: "path kept", in: "acme.com/pricing?plan=pro", want: "https://acme.com/pricing?plan=pro"},
		{name: "scheme relative", in: "//acme.com", want: "https://acme.com"},
		{name: "port", in: "acme.com:8443/x", want: "https://acme.com:8443/x"},
		{name: "localhost", in: "http://localhost:8080", want: "http://localhost:8080"},
		{name: "ip", in: "10.0.0.1", want: "https://10.0.0.1"},
		{name: "ftp", in: "ftp://acme.com", reason: "not http or https"},
		{name: "mailto", in: "mailto:jane@acme.com", reason: "not http or https"},
		{name: "space", in: "acme .com", reason: "white space"},
		{name: "no dot", in: "intranet", reason: "top-level domain"},
		{name: "bad host", in: "https://ac_me.com", reason: "not allowed in domain"},
		{name: "bad port", in: "acme.com:99999", reason: "port"},
		{name: "number", in: 12, reason: "not text"},
	})
}

func TestCoercePhone(t *testing.T) {
	t.Parallel()
	runCoerce(t, Phone, []coerceCase{
		{name: "us with region", in: "(415) 555-0100", region: "US", want: "+14155550100"},
		{name: "us lower-case region", in: "415.555.0100", region: "us", want: "+14155550100"},
		{name: "gb with region", in: "020 7946 0958", region: "GB", want: "+442079460958"},
		{name: "de with region", in: "030 1234567", region: "DE", want: "+49301234567"},
		{name: "international without region", in: "+44 20 7946 0958", want: "+442079460958"},
		{name: "international wins over region", in: "+49 30 1234567", region: "US", want: "+49301234567"},
		{name: "extension dropped", in: "(415) 555-0100 x123", region: "US", want: "+14155550100"},
		{name: "no region digits only", in: "(415) 555-0100", want: "4155550100"},
		{name: "number no region", in: int64(4155550100), want: "4155550100"},
		{name: "number with region", in: int64(4155550100), region: "US", want: "+14155550100"},
		{name: "unknown numbering plan falls back", in: "555 0100", region: "AQ", want: "5550100"},
		{name: "too short for region", in: "12", region: "US", reason: "not a possible phone number for region US"},
		{name: "bad international", in: "+999 1", reason: "not a possible international phone number"},
		{name: "reads back as another number", in: "0000000", region: "AX", reason: "not an unambiguous phone number"},
		{name: "letters", in: "call me", reason: "no digits"},
		{name: "letters mixed no region", in: "555-CALL-NOW1", reason: "not allowed in a phone number"},
		{name: "too many digits", in: "1234567890123456", reason: "want 4 to 15"},
		{name: "boolean", in: true, reason: "boolean"},
	})
}

func TestCoerceCurrency(t *testing.T) {
	t.Parallel()
	runCoerce(t, Currency, []coerceCase{
		{name: "lower", in: "usd", want: "USD"},
		{name: "trimmed", in: " eur ", want: "EUR"},
		{name: "yen", in: "JPY", want: "JPY"},
		{name: "new code", in: "ZWG", want: "ZWG"},
		{name: "historic", in: "hrk", want: "HRK"},
		{name: "euro sign", in: "€", want: "EUR"},
		{name: "us dollar sign", in: "US$", want: "USD"},
		{name: "unknown", in: "ABC", reason: "not an ISO 4217"},
		{name: "dollar sign ambiguous", in: "$", reason: "not an ISO 4217"},
		{name: "name", in: "dollars", reason: "not an ISO 4217"},
		{name: "number", in: 840, reason: "not text"},
	})
}

func TestCoerceCountry(t *testing.T) {
	t.Parallel()
	runCoerce(t, Country, []coerceCase{
		{name: "alpha-2", in: "us", want: "US"},
		{name: "alpha-3", in: "USA", want: "US"},
		{name: "name", in: "United States", want: "US"},
		{name: "dotted", in: "U.S.", want: "US"},
		{name: "dotted three", in: "U.S.A.", want: "US"},
		{name: "long name", in: "United States of America", want: "US"},
		{name: "uk", in: "UK", want: "GB"},
		{name: "great britain", in: "Great Britain", want: "GB"},
		{name: "england", in: "england", want: "GB"},
		{name: "germany alpha-3", in: "deu", want: "DE"},
		{name: "deutschland", in: "Deutschland", want: "DE"},
		{name: "accents folded", in: "Cote d'Ivoire", want: "CI"},
		{name: "accents kept", in: "Côte d’Ivoire", want: "CI"},
		{name: "saint", in: "St. Kitts & Nevis", want: "KN"},
		{name: "the", in: "The Netherlands", want: "NL"},
		{name: "comma form", in: "Korea, Republic of", want: "KR"},
		{name: "south korea", in: "South Korea", want: "KR"},
		{name: "holland", in: "HOLLAND", want: "NL"},
		{name: "czech", in: "Czech Republic", want: "CZ"},
		{name: "unknown kept", in: " Atlantis ", want: "Atlantis"},
		{name: "unassigned code kept", in: "QQ", want: "QQ"},
		{name: "number", in: 840, reason: "not text"},
		{name: "bad utf-8", in: "\xff", reason: "UTF-8"},
	})
}

func TestCoerceRef(t *testing.T) {
	t.Parallel()
	runCoerce(t, Ref, []coerceCase{
		{name: "string", in: " 001Kg00000AbCdE ", want: "001Kg00000AbCdE"},
		{name: "integer", in: int64(42), want: "42"},
		{name: "float id", in: 42.0, want: "42"},
		{name: "object id", in: map[string]any{"Id": "001A", "Name": "Acme"}, want: "001A"},
		{name: "object value", in: map[string]any{"value": json.Number("17"), "name": "Acme"}, want: "17"},
		{name: "object empty id is absent", in: map[string]any{"id": nil}, want: nil},
		{name: "object without id", in: map[string]any{"name": "Acme"}, reason: "no id or value key"},
		{name: "id wins over value", in: map[string]any{"ID": "a", "value": "b"}, want: "a"},
		{name: "uint64", in: uint64(18446744073709551615), want: "18446744073709551615"},
		{name: "nested object id", in: map[string]any{"id": map[string]any{}}, reason: "holds an object"},
		{name: "boolean", in: true, reason: "boolean"},
		{name: "list", in: []any{"1"}, reason: "list"},
	})
}

// Coerce's output coerces to itself, and so does its JSON (Percent aside,
// see Registry.DecodeEvent).
func TestCoerceIdempotent(t *testing.T) {
	t.Parallel()
	inputs := map[Type][]any{
		String:    {" a ", 12.5},
		Integer:   {"1,234,567", 7.0},
		Decimal:   {"$1,234.50", 0.1, "1e3"},
		Boolean:   {"yes", 0},
		Date:      {"03/01/2024", "2024-03-01T23:30:00-05:00"},
		Timestamp: {"2024-03-01T10:22:11.000+0000", int64(1709288531)},
		Email:     {"Jane <JANE@ACME.COM>"},
		URL:       {"Acme.com/", "HTTP://acme.com/a?b=c#d"},
		Phone:     {"+44 20 7946 0958", "(415) 555-0100"},
		Currency:  {"usd", "€"},
		Country:   {"U.S.A.", "Atlantis"},
		Ref:       {map[string]any{"id": 5}},
	}
	for typ, vs := range inputs {
		for _, v := range vs {
			first, err := Coerce(typ, v, nil)
			require.NoError(t, err, "%s %v", typ, v)
			again, err := Coerce(typ, first, nil)
			require.NoError(t, err)
			require.Equal(t, first, again, "%s %v", typ, v)
			b, err := json.Marshal(first)
			require.NoError(t, err)
			var decoded any
			require.NoError(t, json.Unmarshal(b, &decoded))
			fromJSON, err := Coerce(typ, decoded, &CoerceOptions{DecimalMark: "."})
			require.NoError(t, err)
			if d, ok := first.(decimal.Decimal); ok {
				require.True(t, d.Equal(fromJSON.(decimal.Decimal)))
				continue
			}
			require.Equal(t, first, fromJSON, "%s %v via %s", typ, v, b)
		}
	}
}

func TestCoerceUnknownType(t *testing.T) {
	t.Parallel()
	_, err := Coerce(Type("json"), "x", nil)
	require.ErrorIs(t, err, ErrInvalidValue)
	require.Contains(t, err.Error(), "unknown canonical type")
}

func TestFieldErrorMessage(t *testing.T) {
	t.Parallel()
	e := FieldError{Field: "amount", Source: "Amount", Type: Decimal, Value: "12x", Reason: "not a number", Err: ErrInvalidValue}
	require.Equal(t, `canonical: field "amount" (source "Amount"): invalid decimal "12x": not a number`, e.Error())
	m := FieldError{Field: "account_name", Source: "Name", Type: String, Reason: "required field has no value", Err: ErrMissingRequired}
	require.Equal(t, `canonical: field "account_name" (source "Name"): required field has no value`, m.Error())
	require.ErrorIs(t, m, ErrMissingRequired)
	long := FieldError{Type: String, Value: strings.Repeat("é", 100), Reason: "x", Err: ErrInvalidValue}
	require.Contains(t, long.Error(), strings.Repeat("é", 64)+`"…`)
	require.NotContains(t, long.Error(), strings.Repeat("é", 65))
}
