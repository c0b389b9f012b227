package canonical

// Type is the value type of a canonical field. Every value stored in an
// event's data is the normalized Go value of its field's Type (see Coerce).
type Type string

// The canonical value types, exactly the "types" of the canonical schema
// document. The names follow reflect.Kind's style (canonical.Decimal,
// canonical.Timestamp) because the Type* names belong to FieldType, the
// source-side types.
const (
	// String is UTF-8 text, trimmed. Go value: string.
	String Type = "string"
	// Integer is a 64-bit signed integer. Go value: int64.
	Integer Type = "integer"
	// Decimal is an exact decimal number (currency amounts).
	// Go value: decimal.Decimal.
	Decimal Type = "decimal"
	// Percent is a number 0..100; a source giving 0..1 is scaled.
	// Go value: decimal.Decimal.
	Percent Type = "percent"
	// Boolean is true or false. Go value: bool.
	Boolean Type = "boolean"
	// Date is a calendar date, ISO 8601 YYYY-MM-DD. Go value: CivilDate.
	Date Type = "date"
	// Timestamp is an instant in UTC, RFC 3339. Go value: time.Time in UTC.
	Timestamp Type = "timestamp"
	// Email is a lower-cased e-mail address. Go value: string.
	Email Type = "email"
	// URL is an absolute http(s) URL; a bare domain gets https://.
	// Go value: string.
	URL Type = "url"
	// Phone is a phone number, E.164 where the country is known, else
	// digits and + only. Go value: string.
	Phone Type = "phone"
	// Currency is an ISO 4217 alphabetic code, upper case. Go value: string.
	Currency Type = "currency"
	// Country is an ISO 3166-1 alpha-2 code where recognisable, else the
	// given text. Go value: string.
	Country Type = "country"
	// Ref is the identifier of another canonical record (same tenant, same
	// source system). Go value: string.
	Ref Type = "ref"
)

// typeDocs lists every Type, in the canonical schema document's order, with
// its description.
var typeDocs = []TypeDoc{
	{Name: String, Description: "UTF-8 text, trimmed"},
	{Name: Integer, Description: "64-bit signed integer"},
	{Name: Decimal, Description: "exact decimal number (no float rounding); currency amounts"},
	{Name: Percent, Description: "number 0..100 (a source giving 0..1 is scaled)"},
	{Name: Boolean, Description: "true/false (accepts true/false, 1/0, yes/no, y/n)"},
	{Name: Date, Description: "calendar date, ISO 8601 YYYY-MM-DD"},
	{Name: Timestamp, Description: "instant in UTC, RFC 3339 (accepts RFC 3339, ISO 8601 without zone = UTC, Unix seconds or milliseconds)"},
	{Name: Email, Description: "lower-cased e-mail address"},
	{Name: URL, Description: "absolute URL; a bare domain gets https://"},
	{Name: Phone, Description: "phone number, E.164 where the country is known, else digits and + only"},
	{Name: Currency, Description: "ISO 4217 alphabetic code, upper case"},
	{Name: Country, Description: "ISO 3166-1 alpha-2 code where recognisable, else the given text"},
	{Name: Ref, Description: "identifier of another canonical record (same tenant, same source system)"},
}

// Types returns every canonical Type in the canonical schema document's
// order. The slice is a fresh copy.
func Types() []Type {
	out := make([]Type, len(typeDocs))
	for i, d := range typeDocs {
		out[i] = d.Name
	}
	return out
}

// Valid reports whether t is one of the canonical types.
func (t Type) Valid() bool {
	switch t {
	case String, Integer, Decimal, Percent, Boolean, Date, Timestamp, Email, URL, Phone, Currency, Country, Ref:
		return true
	}
	return false
}

// String returns the type's name.
func (t Type) String() string { return string(t) }
