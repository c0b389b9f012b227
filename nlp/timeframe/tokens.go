package timeframe

import (
	"strings"
	"unicode"
)

// MaxTokens bounds the tokens Tokenize returns; the rest of a longer text is
// ignored, which keeps parsing time bounded on any input.
const MaxTokens = 200

// Tokenize lower-cases text and splits it into tokens: words and numbers,
// ISO dates (2025-02-20) kept whole, a leading apostrophe kept on a two-digit
// year ('24), and "%", "#" and "$" as tokens of their own. Apostrophes inside
// words are dropped ("what's" → "whats"); other punctuation separates.
func Tokenize(text string) []string {
	var out []string
	rs := []rune(strings.ToLower(text))
	n := len(rs)
	isAlnum := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	for i := 0; i < n && len(out) < MaxTokens; {
		r := rs[i]
		switch {
		case r == '%' || r == '#' || r == '$':
			out = append(out, string(r))
			i++
		case r == '\'' || r == '’':
			// '24 → a two-digit year; otherwise skip.
			if i+2 < n+0 && i+2 <= n-1 && unicode.IsDigit(rs[i+1]) && unicode.IsDigit(rs[i+2]) && (i+3 == n || !isAlnum(rs[i+3])) {
				out = append(out, "'"+string(rs[i+1:i+3]))
				i += 3
				continue
			}
			i++
		case isAlnum(r):
			j := i
			var b strings.Builder
			for j < n {
				c := rs[j]
				if isAlnum(c) {
					b.WriteRune(c)
					j++
					continue
				}
				// Apostrophe inside a word: drop it.
				if (c == '\'' || c == '’') && j+1 < n && unicode.IsLetter(rs[j+1]) && b.Len() > 0 {
					j++
					continue
				}
				break
			}
			tok := b.String()
			// An ISO date: 4 digits - 2 digits - 2 digits.
			if len(tok) == 4 && allDigits(tok) && j+5 < n+0 && j+5 <= n-1 && rs[j] == '-' && isDigits(rs[j+1:j+3]) && rs[j+3] == '-' && isDigits(rs[j+4:j+6]) && (j+6 == n || !isAlnum(rs[j+6])) {
				tok = string(rs[i : j+6])
				j += 6
			}
			out = append(out, tok)
			i = j
		default:
			i++
		}
	}
	return out
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func isDigits(rs []rune) bool {
	for _, c := range rs {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(rs) > 0
}
