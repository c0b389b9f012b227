package canonical

import (
	"strings"
	"sync"
)

// activeCurrencies is the ISO 4217 list of active alphabetic codes
// (including funds, precious metals and the X codes), as of 2025.
const activeCurrencies = "" +
	"AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BHD BIF BMD BND BOB BOV " +
	"BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUP " +
	"CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF " +
	"GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR " +
	"KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT " +
	"MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN " +
	"PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE " +
	"SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX " +
	"USD USN UYI UYU UYW UZS VED VES VND VUV WST XAF XAG XAU XBA XBB XBC XBD " +
	"XCD XCG XDR XOF XPD XPF XPT XSU XTS XUA XXX YER ZAR ZMW ZWG"

// withdrawnCurrencies are ISO 4217 codes withdrawn since 1999 that still
// appear in historical records (invoices in kuna, lats ...). They are
// accepted as they are.
const withdrawnCurrencies = "" +
	"ANG ATS AZM BEF BGL BGN BYR CSD CUC CYP DEM EEK ESP FIM FRF GHC GRD GWP " +
	"HRK IEP ITL LTL LUF LVL MGF MRO MTL MZM NLG PTE ROL RUR SDD SIT SKK SLL " +
	"SRG STD TMM TRL VEB VEF XEU YUM ZMK ZWD ZWL ZWR"

// currencySymbols maps unambiguous symbols to their code.
var currencySymbols = map[string]string{"€": "EUR", "£": "GBP", "US$": "USD"}

// currencySet is built on first use; it is read-only afterwards.
var currencySet = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 256)
	for _, list := range [...]string{activeCurrencies, withdrawnCurrencies} {
		for _, c := range strings.Fields(list) {
			m[c] = true
		}
	}
	return m
})

// IsCurrency reports whether code is an accepted ISO 4217 alphabetic code
// (exact, upper case).
func IsCurrency(code string) bool { return currencySet()[code] }

func coerceCurrency(v any) (any, string) {
	s, ok := v.(string)
	if !ok {
		return nil, "not text"
	}
	s = strings.TrimSpace(s)
	if c, ok := currencySymbols[strings.ToUpper(s)]; ok {
		return c, ""
	}
	if len(s) != 3 {
		return nil, "not an ISO 4217 currency code"
	}
	code := strings.ToUpper(s)
	if !IsCurrency(code) {
		return nil, "not an ISO 4217 currency code"
	}
	return code, ""
}
