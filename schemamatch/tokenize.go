package schemamatch

import (
	"strings"

	"github.com/autonomos/autonomos/internal/namewords"
)

func weight(tok string) float64 {
	if w, ok := builtin.weights[tok]; ok {
		return w
	}
	return 1
}

// stripVendor removes namespace prefixes and custom-field suffixes that
// carry no meaning, as long as something remains.
func stripVendor(name string) string {
	s := strings.TrimSpace(name)
	for changed := true; changed; {
		changed = false
		low := strings.ReplaceAll(strings.ToLower(s), "-", "_")
		for _, p := range builtin.prefixes {
			if strings.HasPrefix(low, p) && len(s) > len(p) {
				s, changed = s[len(p):], true
				break
			}
		}
	}
	low := strings.ToLower(s)
	for _, suf := range builtin.suffixes {
		if strings.HasSuffix(low, suf) && len(s) > len(suf)+1 {
			s = s[:len(s)-len(suf)]
			break
		}
	}
	// Dynamics lookup columns are written "_parentaccountid_value".
	return strings.Trim(s, "_")
}

// stem normalizes one lower-case word.
func stem(w string) string {
	if s, ok := builtin.stems[w]; ok {
		return s
	}
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}

// normalizeWords expands builtin.terms, segments run-together words and
// stems each word; currency codes are dropped unless nothing else is left.
func (v *vocabulary) normalizeWords(words []string) []string {
	out := v.expandWords(words)
	kept := out[:0:0]
	for _, w := range out {
		if !builtin.units[w] {
			kept = append(kept, w)
		}
	}
	if len(kept) > 0 {
		return kept
	}
	return out
}

func (v *vocabulary) expandWords(words []string) []string {
	var out []string
	for _, w := range words {
		if exp, ok := builtin.terms[w]; ok {
			for _, e := range exp {
				out = append(out, stem(e))
			}
			continue
		}
		st := stem(w)
		if v.has(st) || len(w) < 5 {
			out = append(out, st)
			continue
		}
		if parts := v.segment(w); parts != nil {
			for _, p := range parts {
				if exp, ok := builtin.terms[p]; ok {
					for _, e := range exp {
						out = append(out, stem(e))
					}
					continue
				}
				out = append(out, stem(p))
			}
			continue
		}
		out = append(out, st)
	}
	return out
}

// vocabulary is the set of words the segmenter may split run-together
// names into ("numberofemployees" -> number of employees).
type vocabulary struct {
	words map[string]bool
}

func (v *vocabulary) add(words ...string) {
	for _, w := range words {
		if len(w) >= 2 {
			v.words[w] = true
		}
	}
}

func (v *vocabulary) has(w string) bool { return v.words[w] }

// segment splits w into the fewest vocabulary words covering it exactly,
// or returns nil. Single letters are never words; two-letter words only
// when they are common connectors.
func (v *vocabulary) segment(w string) []string {
	n := len(w)
	if n > 64 {
		return nil
	}
	const inf = 1 << 30
	best := make([]int, n+1)
	prev := make([]int, n+1)
	for i := 1; i <= n; i++ {
		best[i] = inf
	}
	for i := 1; i <= n; i++ {
		for j := 0; j < i; j++ {
			if best[j] == inf || i-j < 2 {
				continue
			}
			if !v.words[w[j:i]] {
				continue
			}
			if c := best[j] + 1; c < best[i] {
				best[i], prev[i] = c, j
			}
		}
	}
	if best[n] == inf || best[n] < 2 {
		return nil
	}
	var parts []string
	for i := n; i > 0; i = prev[i] {
		parts = append(parts, w[prev[i]:i])
	}
	for l, r := 0, len(parts)-1; l < r; l, r = l+1, r-1 {
		parts[l], parts[r] = parts[r], parts[l]
	}
	return parts
}

// tokenize turns a source field name into normalized tokens.
func (v *vocabulary) tokenize(name string) []string {
	return v.normalizeWords(namewords.Split(stripVendor(name)))
}

func newVocabulary(lex *lexicon) *vocabulary {
	v := &vocabulary{words: make(map[string]bool)}
	v.add(builtin.common...)
	for w := range builtin.terms {
		if len(w) >= 3 {
			v.add(w)
		}
	}
	for _, w := range lex.words() {
		v.add(w)
	}
	return v
}
