package schemamatch

import "strings"

// lexicon is the compiled vocabulary of all phrases.
type lexicon struct {
	phrases []string
}

func (l *lexicon) words() []string {
	var out []string
	for _, p := range l.phrases {
		out = append(out, strings.Fields(strings.TrimPrefix(p, "~"))...)
	}
	return out
}

func builtinLexicon() *lexicon {
	l := &lexicon{}
	for _, ps := range builtin.generic {
		l.phrases = append(l.phrases, ps...)
	}
	for _, fs := range builtin.fields {
		for _, ps := range fs {
			l.phrases = append(l.phrases, ps...)
		}
	}
	for _, ps := range builtin.objects {
		l.phrases = append(l.phrases, ps...)
	}
	return l
}
