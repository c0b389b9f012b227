package dcl

import (
	"strings"
	"unicode"

	"github.com/autonomos/autonomos/dcl/linkage"
)

// legalSuffixes are the company-form words dropped from the end of an
// account name before comparison ("Acme, Inc." and "ACME Inc" both become
// "acme").
var legalSuffixes = map[string]bool{
	"inc": true, "incorporated": true, "llc": true, "llp": true, "lp": true,
	"ltd": true, "limited": true, "gmbh": true, "mbh": true, "corp": true,
	"corporation": true, "co": true, "company": true, "sa": true, "sas": true,
	"sarl": true, "ag": true, "kg": true, "plc": true, "bv": true, "nv": true,
	"srl": true, "spa": true, "pty": true, "oy": true, "ab": true, "as": true,
	"aps": true, "kk": true, "pte": true, "pvt": true, "ug": true, "se": true,
}

// words splits s into lower-case runs of letters and digits; every other
// rune (punctuation, spaces, symbols) separates words. Apostrophes and
// periods inside a word are dropped without splitting ("o'neil" -> "oneil",
// "i.b.m." -> "ibm").
func words(s string) []string {
	var out []string
	var cur strings.Builder
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(unicode.ToLower(r))
		case r == '\'' || r == '’' || r == '.':
			// joined: "i.b.m." is one word
		case r == '&':
			flush()
			out = append(out, "and")
		default:
			flush()
		}
	}
	flush()
	return out
}

// NormalizeName returns the comparison key of an organisation name: lower
// case, punctuation removed, words separated by one space, and trailing
// legal-form words (inc, llc, ltd, gmbh, corp, co, sa, ag, plc ...)
// dropped. A name made only of such words keeps them. It is safe for
// concurrent use.
func NormalizeName(name string) string {
	ws := words(name)
	end := len(ws)
	for end > 1 && legalSuffixes[ws[end-1]] {
		end--
	}
	return strings.Join(ws[:end], " ")
}

// NormalizePerson returns the comparison key of a person's name: first and
// last name, lower case, punctuation removed.
func NormalizePerson(first, last string) string {
	ws := append(words(first), words(last)...)
	return strings.Join(ws, " ")
}

// NormalizeDomain returns the host of a website or bare domain, lower case,
// without scheme, "www.", port, path, query or trailing dot; empty when
// the text holds no dotted host. It is safe for concurrent use.
func NormalizeDomain(website string) string { return linkage.Domain(website) }

// NormalizePhone returns the digits of a phone number; empty when fewer
// than 7 digits remain, which is too little to identify anyone.
// Unification does not compare these digits: it compares
// linkage.ParsePhone forms, in which "+1 415-555-0100" and
// "(415) 555-0100" are the same phone.
func NormalizePhone(phone string) string {
	var b strings.Builder
	for _, r := range phone {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() < 7 {
		return ""
	}
	return b.String()
}

// NormalizeEmail returns an e-mail address trimmed and lower case; empty
// when it has no "@".
func NormalizeEmail(email string) string { return linkage.Email(email) }
