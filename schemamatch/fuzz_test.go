package schemamatch_test

import (
	"context"
	"testing"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

// FuzzMatch feeds arbitrary source-schema documents to Match: it must never
// panic, and every result must be one-to-one and consistent. Seeds live in
// testdata/fuzz/FuzzMatch.
func FuzzMatch(f *testing.F) {
	f.Add([]byte(`{"system":"s","object":"o","fields":[{"name":"Id","type":"string","samples":["001"]}]}`))
	reg, err := canonical.NewRegistry()
	if err != nil {
		f.Fatal(err)
	}
	m, err := schemamatch.NewMatcher(reg, &schemamatch.MatcherOptions{MaxFields: 200})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := canonical.ParseSourceSchema(data)
		if err != nil {
			return
		}
		res, err := m.Match(context.Background(), *s, nil)
		if err != nil {
			return
		}
		assertConsistent(t, *s, res)
	})
}
