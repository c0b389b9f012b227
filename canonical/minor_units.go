package canonical

import (
	"strings"
)

// minorExponents lists the ISO 4217 currencies whose minor unit is not
// 1/100 (ISO 4217 list one, 2025; withdrawn codes still seen in records
// included). Codes with no minor unit ("N.A.": metals, funds, XXX) map to
// -1.
var minorExponents = map[string]int32{
	// No minor unit in use.
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0, "KRW": 0,
	"PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0, "XAF": 0, "XOF": 0,
	"XPF": 0, "BYR": 0, "TRL": 0, "ROL": 0, "MGF": 0,
	// Thousandths.
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	// Ten-thousandths.
	"CLF": 4, "UYW": 4,
	// No minor unit defined.
	"XAG": -1, "XAU": -1, "XBA": -1, "XBB": -1, "XBC": -1, "XBD": -1, "XDR": -1,
	"XPD": -1, "XPT": -1, "XSU": -1, "XTS": -1, "XUA": -1, "XXX": -1,
}

// MinorUnitExponent returns the ISO 4217 exponent of a currency's minor
// unit (JPY 0, USD 2, KWD 3); ok is false for an unknown code and for codes
// without a minor unit (XAU, XXX ...). code is matched in any case.
func MinorUnitExponent(code string) (exp int, ok bool) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if !IsCurrency(code) {
		return 0, false
	}
	e, listed := minorExponents[code]
	switch {
	case !listed:
		return 2, true
	case e < 0:
		return 0, false
	}
	return int(e), true
}

// minorUnits converts an amount in the minor unit of currency to the major
// unit, exactly: 1000 USD cents is 10.00, 1000 JPY is 1000, 1000 KWD fils
// is 1.000.
func minorUnits(v any, currency string) (any, string) {
	if isEmpty(v) {
		return nil, ""
	}
	if currency == "" {
		return nil, "minor_units: the record has no currency"
	}
	exp, ok := MinorUnitExponent(currency)
	if !ok {
		return nil, "minor_units: currency " + currency + " has no ISO 4217 minor unit"
	}
	d, reason := toDecimal(v)
	if reason != "" {
		return nil, "minor_units: " + reason
	}
	if !d.IsInteger() {
		return nil, "minor_units: not a whole number of minor units"
	}
	return d.Shift(-int32(exp)).Round(int32(exp)), ""
}

// currencyField returns the entity's first currency field, or "".
func (info *entityInfo) currencyField() string {
	for _, f := range info.entity.Fields {
		if f.Type == Currency {
			return f.Name
		}
	}
	return ""
}
