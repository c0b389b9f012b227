package timeframe

import (
	"testing"
	"time"
)

// FuzzFind: no panics, and every range found is non-empty.
func FuzzFind(f *testing.F) {
	for _, s := range []string{"last 30 days", "between Feb 1 and Feb 10", "Q4 '24", "since Feb 29", "FY25", "3660 days"} {
		f.Add(s)
	}
	p, err := New(&Options{FiscalYearStart: time.October})
	if err != nil {
		f.Fatal(err)
	}
	asOf := time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if r, ok := p.Find(s, asOf); ok && !r.Start.Before(r.End) {
			t.Fatalf("%q: empty range %v", s, r)
		}
	})
}
