package canonical

import (
	"strings"
)

// Transform names a conversion applied to a source value before it is
// coerced to the target type. The set is small on purpose: anything richer
// belongs in the connector or a custom field.
type Transform string

// The transforms. Text transforms leave non-text values unchanged.
const (
	// TransformNone applies nothing.
	TransformNone Transform = ""
	// TransformTrim removes leading and trailing white space.
	TransformTrim Transform = "trim"
	// TransformLower lower-cases text.
	TransformLower Transform = "lower"
	// TransformUpper upper-cases text.
	TransformUpper Transform = "upper"
	// TransformCentsToUnits divides a number of minor units by 100,
	// exactly: 1999 -> 19.99 (for sources that store amounts in cents).
	TransformCentsToUnits Transform = "cents_to_units"
	// TransformMinorUnits reads an integer amount in the minor unit of the
	// record's currency (its entity's currency field) and gives the amount
	// in the major unit, with the ISO 4217 exponent of that currency:
	// 1000 USD -> 10.00, 1000 JPY -> 1000, 1000 KWD -> 1.000 (Stripe,
	// Chargebee, Paddle, Adyen amounts).
	TransformMinorUnits Transform = "minor_units"
	// TransformFirstWord keeps the first word of text: "Ada King" -> "Ada".
	TransformFirstWord Transform = "first_word"
	// TransformLastWord keeps the last word of text: "Ada King" -> "King".
	TransformLastWord Transform = "last_word"
)

// Transforms returns every transform name except TransformNone.
func Transforms() []Transform {
	return []Transform{TransformTrim, TransformLower, TransformUpper, TransformCentsToUnits, TransformMinorUnits, TransformFirstWord, TransformLastWord}
}

// Valid reports whether t is a known transform (TransformNone included).
func (t Transform) Valid() bool {
	switch t {
	case TransformNone, TransformTrim, TransformLower, TransformUpper, TransformCentsToUnits, TransformMinorUnits, TransformFirstWord, TransformLastWord:
		return true
	}
	return false
}

// apply runs the transform on v; reason is non-empty when it cannot.
func (t Transform) apply(v any) (any, string) {
	if t == TransformNone || v == nil {
		return v, ""
	}
	if t == TransformCentsToUnits {
		if isEmpty(v) {
			return nil, ""
		}
		d, reason := toDecimal(v)
		if reason != "" {
			return nil, "cents_to_units: " + reason
		}
		return d.Shift(-2), ""
	}
	s, ok := v.(string)
	if !ok {
		return v, ""
	}
	switch t {
	case TransformTrim:
		return strings.TrimSpace(s), ""
	case TransformLower:
		return strings.ToLower(s), ""
	case TransformUpper:
		return strings.ToUpper(s), ""
	case TransformFirstWord, TransformLastWord:
		words := strings.Fields(s)
		switch {
		case len(words) == 0:
			return "", ""
		case t == TransformFirstWord:
			return words[0], ""
		default:
			return words[len(words)-1], ""
		}
	}
	return nil, "unknown transform " + string(t)
}
