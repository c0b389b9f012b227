package drift

import (
	"strings"
	"unicode"
)

// maxNameRunes bounds the names NameSimilarity compares, keeping the edit
// distance cheap on hostile input.
const maxNameRunes = 64

// NameSimilarity scores how alike two field names are, 0..1: the larger of
// the Jaccard similarity of their word tokens (split at case changes,
// digits and punctuation, lower-cased: "AccountName" and "account_name"
// both give account, name) and one minus their normalized edit distance,
// case and punctuation ignored. It is safe for concurrent use.
func NameSimilarity(a, b string) float64 {
	ta, tb := nameTokens(a), nameTokens(b)
	best := jaccardTokens(ta, tb)
	sa, sb := []rune(strings.Join(ta, "")), []rune(strings.Join(tb, ""))
	if len(sa) > maxNameRunes {
		sa = sa[:maxNameRunes]
	}
	if len(sb) > maxNameRunes {
		sb = sb[:maxNameRunes]
	}
	if n := max(len(sa), len(sb)); n > 0 {
		if s := 1 - float64(levenshtein(sa, sb))/float64(n); s > best {
			best = s
		}
	}
	return round3(best)
}

// nameTokens splits a name into lower-case words.
func nameTokens(name string) []string {
	var tokens []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			tokens = append(tokens, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	if len(rs) > 4*maxNameRunes {
		rs = rs[:4*maxNameRunes]
	}
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if i > 0 && len(cur) > 0 {
			prev := rs[i-1]
			switch {
			case unicode.IsLower(prev) && unicode.IsUpper(r),
				unicode.IsDigit(prev) != unicode.IsDigit(r):
				flush()
			case unicode.IsUpper(prev) && unicode.IsUpper(r) && i+1 < len(rs) && unicode.IsLower(rs[i+1]):
				// "HTTPServer": the last capital starts the next word.
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return tokens
}

// jaccardTokens is the Jaccard similarity of two token sets.
func jaccardTokens(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	sa := make(map[string]bool, len(a))
	for _, t := range a {
		sa[t] = true
	}
	sb := make(map[string]bool, len(b))
	inter := 0
	for _, t := range b {
		if sb[t] {
			continue
		}
		sb[t] = true
		if sa[t] {
			inter++
		}
	}
	return float64(inter) / float64(len(sa)+len(sb)-inter)
}

// EditDistance is the Levenshtein distance of a and b, counted in runes.
// It is safe for concurrent use.
func EditDistance(a, b string) int { return levenshtein([]rune(a), []rune(b)) }

// levenshtein is the edit distance of two rune strings.
func levenshtein(a, b []rune) int {
	if len(a) == 0 {
		return len(b)
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
