package linkage

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// JaroWinkler returns the Jaro–Winkler similarity of a and b, in [0, 1]:
// 1 for equal strings, 0 when they share no character within the match
// window. The prefix bonus uses the standard scale 0.1 over at most four
// runes. Comparison is by rune.
func JaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	if isASCII(a) && isASCII(b) {
		return winkler([]byte(a), []byte(b))
	}
	return winkler([]rune(a), []rune(b))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func winkler[T byte | rune](ra, rb []T) float64 {
	j := jaro(ra, rb)
	if j == 0 {
		return 0
	}
	l := 0
	for l < len(ra) && l < len(rb) && l < 4 && ra[l] == rb[l] {
		l++
	}
	return j + float64(l)*0.1*(1-j)
}

func jaro[T byte | rune](a, b []T) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	window := len(b)/2 - 1
	if window < 0 {
		window = 0
	}
	var stackA, stackB [64]bool
	ma, mb := stackA[:0], stackB[:0]
	if len(a) <= 64 && len(b) <= 64 {
		ma, mb = stackA[:len(a)], stackB[:len(b)]
	} else {
		ma, mb = make([]bool, len(a)), make([]bool, len(b))
	}
	matches := 0
	for i, r := range a {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > len(b) {
			hi = len(b)
		}
		for k := lo; k < hi; k++ {
			if !mb[k] && b[k] == r {
				ma[i], mb[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t, k := 0, 0
	for i := range a {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(t)/2)/m) / 3
}

// fold lower-cases s and removes diacritics ("Café" -> "cafe").
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// tokenize splits folded text into runs of letters and digits. Apostrophes
// and periods inside a word are dropped without splitting ("o'neil" ->
// "oneil", "i.b.m." -> "ibm"); "&" becomes "and"; text in parentheses or
// brackets is dropped when dropParens is set.
func tokenize(s string, dropParens bool) []string {
	s = fold(s)
	out := make([]string, 0, 6)
	var cur strings.Builder
	depth := 0
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		if dropParens {
			switch r {
			case '(', '[':
				flush()
				depth++
				continue
			case ')', ']':
				flush()
				if depth > 0 {
					depth--
				}
				continue
			}
			if depth > 0 {
				continue
			}
		}
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			cur.WriteRune(r)
		case r == '\'' || r == '’' || r == '`' || r == '.':
		case r == '&' || r == '+':
			flush()
			out = append(out, "and")
		default:
			flush()
		}
	}
	flush()
	return out
}
