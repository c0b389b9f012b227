package schemamatch

import (
	"math"
	"testing"
)

// FuzzDetectors feeds arbitrary sample text to the value detectors: they
// must never panic, and what they accept must be sane (finite numbers,
// valid dates).
func FuzzDetectors(f *testing.F) {
	for _, s := range []string{"12.500.000,00", "1 250,00 €", "20%", "15.01.2024", "20240115", "00000000",
		"+49 30 1234567", "2024-0001", "1.2.3", "Deutschland", "$1,234.56", "1'250.50", "3/1/2024 10:00 am"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, _, ok := parseLocaleNumber(s); ok && (math.IsNaN(v) || math.IsInf(v, 0)) {
			t.Fatalf("parseLocaleNumber(%q) = %v", s, v)
		}
		_, _ = parseDateText(s)
		_ = looksLikePhone(s)
		_, _ = countryCode(s)
		_ = classify(s)
		_ = profileSamples([]any{s, s + "1", nil})
	})
}
