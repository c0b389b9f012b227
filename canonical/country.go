package canonical

import (
	"strings"
	"sync"
	"unicode/utf8"
)

// countryEntry is one ISO 3166-1 country.
type countryEntry struct {
	alpha2, alpha3, name string
	aliases              []string
}

// countryIndex is the lookup form of countries, built on first use and
// read-only afterwards.
type countryIndex struct {
	alpha2 map[string]bool
	alpha3 map[string]string // alpha-3 -> alpha-2
	names  map[string]string // normalized name -> alpha-2
}

var countryLookup = sync.OnceValue(func() *countryIndex {
	ix := &countryIndex{
		alpha2: make(map[string]bool, len(countries)),
		alpha3: make(map[string]string, len(countries)),
		names:  make(map[string]string, 2*len(countries)),
	}
	for _, c := range countries {
		ix.alpha2[c.alpha2] = true
		ix.alpha3[c.alpha3] = c.alpha2
		ix.names[normalizeCountryName(c.name)] = c.alpha2
		for _, a := range c.aliases {
			ix.names[normalizeCountryName(a)] = c.alpha2
		}
	}
	return ix
})

// CountryCode returns the ISO 3166-1 alpha-2 code for a country code
// (alpha-2 or alpha-3, any case) or English name or common alias
// ("United States", "USA", "U.S.", "UK", "Deutschland"), and whether it was
// recognised. It is safe for concurrent use.
func CountryCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if len(s) > maxScalarLen {
		return "", false
	}
	ix := countryLookup()
	if len(s) == 2 || len(s) == 3 {
		code := strings.ToUpper(s)
		if len(code) == 2 && ix.alpha2[code] {
			return code, true
		}
		if a2, ok := ix.alpha3[code]; ok {
			return a2, true
		}
	}
	a2, ok := ix.names[normalizeCountryName(s)]
	return a2, ok
}

// IsCountry reports whether code is an assigned ISO 3166-1 alpha-2 code
// (exact, upper case).
func IsCountry(code string) bool { return countryLookup().alpha2[code] }

func coerceCountry(v any) (any, string) {
	s, ok := v.(string)
	if !ok {
		return nil, "not text"
	}
	if !utf8.ValidString(s) {
		return nil, reasonBadUTF8
	}
	s = strings.TrimSpace(s)
	if code, ok := CountryCode(s); ok {
		return code, ""
	}
	return s, "" // the canonical type keeps unrecognised text as given
}

// normalizeCountryName lower-cases s, folds accented Latin letters, drops
// dots and apostrophes, reads "&" as "and", turns other punctuation into
// spaces, collapses spaces, drops a leading "the" and reads "st" as
// "saint": "St. Kitts & Nevis" and "Saint Kitts and Nevis" compare equal.
func normalizeCountryName(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true // suppress leading and repeated spaces
	put := func(r rune) {
		if r == ' ' {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			return
		}
		b.WriteRune(r)
		space = false
	}
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			put(r)
		case r == '.' || r == '\'' || r == '’':
		case r == '&':
			put(' ')
			for _, c := range "and" {
				put(c)
			}
			put(' ')
		default:
			if f, ok := latinFold[r]; ok {
				for _, c := range f {
					put(c)
				}
			} else {
				put(' ')
			}
		}
	}
	out := strings.TrimSuffix(b.String(), " ")
	out = strings.TrimPrefix(out, "the ")
	if out == "st" || strings.HasPrefix(out, "st ") || strings.Contains(out, " st ") || strings.HasSuffix(out, " st") {
		words := strings.Fields(out)
		for i, w := range words {
			if w == "st" {
				words[i] = "saint"
			}
		}
		out = strings.Join(words, " ")
	}
	return out
}

// latinFold maps lower-case accented Latin letters to plain ones.
var latinFold = map[rune]string{
	'à': "a", 'á': "a", 'â': "a", 'ã': "a", 'ä': "a", 'å': "a", 'ā': "a", 'ă': "a", 'ą': "a",
	'æ': "ae", 'ç': "c", 'ć': "c", 'č': "c", 'ď': "d", 'đ': "d",
	'è': "e", 'é': "e", 'ê': "e", 'ë': "e", 'ē': "e", 'ė': "e", 'ę': "e", 'ě': "e",
	'ì': "i", 'í': "i", 'î': "i", 'ï': "i", 'ī': "i", 'į': "i", 'ı': "i",
	'ł': "l", 'ñ': "n", 'ń': "n", 'ň': "n",
	'ò': "o", 'ó': "o", 'ô': "o", 'õ': "o", 'ö': "o", 'ø': "o", 'ō': "o", 'ő': "o", 'œ': "oe",
	'ř': "r", 'ś': "s", 'š': "s", 'ş': "s", 'ș': "s", 'ß': "ss", 'ť': "t", 'ţ': "t", 'ț': "t",
	'ù': "u", 'ú': "u", 'û': "u", 'ü': "u", 'ū': "u", 'ů': "u", 'ű': "u",
	'ý': "y", 'ÿ': "y", 'ź': "z", 'ż': "z", 'ž': "z",
}
