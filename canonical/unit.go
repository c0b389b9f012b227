package canonical

// Unit says how a source column writes numbers whose meaning depends on a
// scale: Unix times in seconds or milliseconds, percents as fractions or
// on the 0..100 scale. It is decided once per column (by a mapping, or from
// the column's profile), never per value.
type Unit string

// The units.
const (
	// UnitNone: not declared. Unix times are read as seconds; a percent
	// without a % sign is read on the 0..100 scale only when it is above 1
	// (a value in (0, 1] is ambiguous and a field error).
	UnitNone Unit = ""
	// UnitUnixSeconds: numbers in a date or timestamp column are Unix
	// seconds.
	UnitUnixSeconds Unit = "unix_s"
	// UnitUnixMillis: numbers in a date or timestamp column are Unix
	// milliseconds.
	UnitUnixMillis Unit = "unix_ms"
	// UnitFraction: a percent column holds fractions (0.25 is 25%).
	UnitFraction Unit = "fraction"
	// UnitPercent: a percent column holds values on the 0..100 scale.
	UnitPercent Unit = "percent"
)

// Valid reports whether u is a known unit (UnitNone included).
func (u Unit) Valid() bool {
	switch u {
	case UnitNone, UnitUnixSeconds, UnitUnixMillis, UnitFraction, UnitPercent:
		return true
	}
	return false
}

// fits reports whether u may be declared for a field of type t.
func (u Unit) fits(t Type) bool {
	switch u {
	case UnitNone:
		return true
	case UnitUnixSeconds, UnitUnixMillis:
		return t == Date || t == Timestamp
	case UnitFraction, UnitPercent:
		return t == Percent
	}
	return false
}

// validMark reports whether m is a decimal mark a column may declare:
// empty (decided from the value, ambiguous values fail), "." or ",".
func validMark(m string) bool { return m == "" || m == "." || m == "," }

// DefaultNullValues are the texts read as a missing value when a mapping
// does not list its own: the word NULL as SQL exports write it, JSON's
// null spelled as text, and PostgreSQL COPY's \N. Empty text (or white
// space) is always missing.
var DefaultNullValues = []string{"NULL", "null", `\N`}

// colFormat is how one column's values are read: decided once, when the
// Mapper is built.
type colFormat struct {
	region string
	mark   byte // 0 (decide per value, unambiguous only), '.' or ','
	unit   Unit
	// stored: the value was written by this package (an event read back),
	// so only the 1..9999 year range applies.
	stored bool
}
