// Package namewords splits field and object names into lower-case words,
// folding case and diacritics: "AnnualRevenue", "annual_revenue" and
// "Straße" become ["annual" "revenue"] and ["strasse"]. The schema matcher
// and the local embedder share it.
package namewords

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Split splits a field name on punctuation, camelCase, acronyms and
// letter-digit boundaries, and lower-cases the words. Digit-only words are
// dropped: "address1_city" is about an address and a city.
func Split(s string) []string {
	rs := []rune(s)
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, Fold(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			switch r {
			case '#':
				words = append(words, "number")
			case '%':
				words = append(words, "percent")
			}
			continue
		}
		if len(cur) > 0 {
			prev := rs[i-1]
			switch {
			case unicode.IsLower(prev) && unicode.IsUpper(r):
				flush()
			case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				flush()
			case unicode.IsDigit(prev) != unicode.IsDigit(r):
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	out := words[:0]
	for _, w := range words {
		if strings.Trim(w, "0123456789") == "" {
			continue
		}
		out = append(out, w)
	}
	return out
}

// Fold lower-cases s and removes diacritics: "Fälligkeitsdatum" becomes
// "falligkeitsdatum", "Straße" "strasse", "Número" "numero".
func Fold(s string) string {
	s = strings.ToLower(s)
	if isASCII(s) {
		return s
	}
	s = strings.NewReplacer("ß", "ss", "æ", "ae", "œ", "oe", "ø", "o", "ł", "l", "đ", "d").Replace(s)
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
