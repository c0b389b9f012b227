package canonical

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// FieldError is one field that could not be given a canonical value: a
// value that does not coerce to the field's type (Err is ErrInvalidValue), or
// a required field without a value (Err is ErrMissingRequired).
type FieldError struct {
	// Field is the canonical field name; empty for errors of Coerce.
	Field string
	// Source is the source field (path) the value came from; empty when
	// the field is not mapped or for errors of Coerce.
	Source string
	// Type is the canonical type the value was coerced to.
	Type Type
	// Value is the offending value as read (after the transform, if any);
	// nil for a missing field.
	Value any
	// Reason says what is wrong, in lower case.
	Reason string
	// Err is ErrInvalidValue or ErrMissingRequired.
	Err error
}

// Error formats the error as
//
//	canonical: field "amount" (source "Amount"): invalid decimal "12,3x": not a number
//	canonical: field "account_name" (source "Name"): required field has no value
func (e FieldError) Error() string {
	var b strings.Builder
	b.WriteString("canonical: ")
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q ", e.Field)
	}
	if e.Source != "" {
		fmt.Fprintf(&b, "(source %q) ", e.Source)
	}
	if e.Field != "" || e.Source != "" {
		s := b.String()
		b.Reset()
		b.WriteString(strings.TrimSuffix(s, " "))
		b.WriteString(": ")
	}
	if e.Err == ErrMissingRequired {
		b.WriteString(e.Reason)
		return b.String()
	}
	if e.Type == "" {
		fmt.Fprintf(&b, "invalid value %s: %s", formatValue(e.Value), e.Reason)
	} else {
		fmt.Fprintf(&b, "invalid %s %s: %s", e.Type, formatValue(e.Value), e.Reason)
	}
	return b.String()
}

// Unwrap returns Err, so errors.Is(err, ErrInvalidValue) works.
func (e FieldError) Unwrap() error { return e.Err }

// maxShownValue bounds how much of a value an error message shows.
const maxShownValue = 64

// formatValue renders a value for an error message: strings quoted and cut
// to 64 characters, numbers and booleans as written, null for nil, and the
// Go type for anything else.
func formatValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if utf8.RuneCountInString(x) > maxShownValue {
			r := []rune(x)
			return fmt.Sprintf("%q…", string(r[:maxShownValue]))
		}
		return fmt.Sprintf("%q", x)
	case bool, int, int8, int16, int32, int64, uint, uint8, uint16, uint32, uint64, float32, float64:
		return fmt.Sprint(x)
	case fmt.Stringer:
		return formatValue(x.String())
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return fmt.Sprintf("value of type %T", v)
}
