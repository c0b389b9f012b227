package canonical

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/text/currency"
	"golang.org/x/text/language"
)

// The country table is ISO 3166-1: 249 entries whose alpha-2 and alpha-3
// codes agree with the CLDR region data of golang.org/x/text.
func TestCountryTableIsISO3166(t *testing.T) {
	t.Parallel()
	require.Len(t, countries, 249)
	seen2, seen3 := map[string]bool{}, map[string]bool{}
	for _, c := range countries {
		require.False(t, seen2[c.alpha2], c.alpha2)
		require.False(t, seen3[c.alpha3], c.alpha3)
		seen2[c.alpha2], seen3[c.alpha3] = true, true

		r, err := language.ParseRegion(c.alpha2)
		require.NoError(t, err, c.alpha2)
		require.Equal(t, c.alpha3, r.ISO3(), c.alpha2)
		require.True(t, r.IsCountry(), c.alpha2)

		for _, in := range append([]string{c.alpha2, strings.ToLower(c.alpha2), c.alpha3, strings.ToLower(c.alpha3), c.name, strings.ToUpper(c.name)}, c.aliases...) {
			got, ok := CountryCode(in)
			require.True(t, ok, "%q", in)
			require.Equal(t, c.alpha2, got, "%q", in)
		}
	}
}

func TestCountryCodeUnknown(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "Atlantis", "XK", "EU", "ZZ", "Nigeri", strings.Repeat("a", 300)} {
		_, ok := CountryCode(in)
		require.False(t, ok, "%q", in)
	}
	require.True(t, IsCountry("US"))
	require.False(t, IsCountry("us"))
}

func TestNormalizeCountryName(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"St. Kitts & Nevis":      "saint kitts and nevis",
		"  The  Gambia ":         "gambia",
		"Côte d’Ivoire":          "cote divoire",
		"Korea, Republic of":     "korea republic of",
		"Guinea-Bissau":          "guinea bissau",
		"U.S.A.":                 "usa",
		"Åland Islands":          "aland islands",
		"São Tomé and Príncipe":  "sao tome and principe",
		"Saint Helena (U.K.)":    "saint helena uk",
		"Bosnia & Herzegovina  ": "bosnia and herzegovina",
	}
	for in, want := range cases {
		require.Equal(t, want, normalizeCountryName(in), in)
	}
}

// Every accepted currency code is a well-formed ISO 4217 code; those that
// golang.org/x/text knows (it predates a few recent codes) it recognises.
func TestCurrencyCodes(t *testing.T) {
	t.Parallel()
	newer := map[string]bool{"MRU": true, "SLE": true, "VES": true, "VED": true, "UYW": true, "XCG": true, "ZWG": true}
	active := strings.Fields(activeCurrencies)
	require.GreaterOrEqual(t, len(active), 175)
	for _, list := range []string{activeCurrencies, withdrawnCurrencies} {
		for _, c := range strings.Fields(list) {
			require.Len(t, c, 3)
			require.Equal(t, strings.ToUpper(c), c)
			require.True(t, IsCurrency(c))
			if newer[c] {
				continue
			}
			u, err := currency.ParseISO(c)
			require.NoError(t, err, c)
			require.Equal(t, c, u.String())
		}
	}
	require.False(t, IsCurrency("usd"))
	require.False(t, IsCurrency("ABC"))
}
