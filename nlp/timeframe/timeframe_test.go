package timeframe

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func d(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

type tc struct {
	asOf, text, start, end string
}

func check(t *testing.T, p *Parser, cases []tc) {
	t.Helper()
	for _, c := range cases {
		r, ok := p.Find(c.text, d(c.asOf))
		if c.start == "" {
			require.False(t, ok, "%q as of %s: want no timeframe, got %v", c.text, c.asOf, r)
			continue
		}
		require.True(t, ok, "%q as of %s: no timeframe found", c.text, c.asOf)
		require.Equal(t, c.start+".."+c.end, r.Start.Format(time.DateOnly)+".."+r.End.Format(time.DateOnly), "%q as of %s (%s)", c.text, c.asOf, r.Label)
	}
}

// The issue's examples, as of Thursday 2025-02-20.
func TestIssueExamples(t *testing.T) {
	t.Parallel()
	p, err := New(nil)
	require.NoError(t, err)
	const thu = "2025-02-20"
	check(t, p, []tc{
		{thu, "this month", "2025-02-01", "2025-03-01"},
		{thu, "MTD", "2025-02-01", "2025-02-21"},
		{thu, "month to date", "2025-02-01", "2025-02-21"},
		{thu, "last week", "2025-02-10", "2025-02-17"},
		{thu, "Q4 2024", "2024-10-01", "2025-01-01"},
		{thu, "last 30 days", "2025-01-22", "2025-02-21"},
		{thu, "today", "2025-02-20", "2025-02-21"},
		{thu, "yesterday", "2025-02-19", "2025-02-20"},
		{thu, "this week", "2025-02-17", "2025-02-24"},
		{thu, "next week", "2025-02-24", "2025-03-03"},
		{thu, "last month", "2025-01-01", "2025-02-01"},
		{thu, "next month", "2025-03-01", "2025-04-01"},
		{thu, "this quarter", "2025-01-01", "2025-04-01"},
		{thu, "last quarter", "2024-10-01", "2025-01-01"},
		{thu, "next quarter", "2025-04-01", "2025-07-01"},
		{thu, "this year", "2025-01-01", "2026-01-01"},
		{thu, "last year", "2024-01-01", "2025-01-01"},
		{thu, "next year", "2026-01-01", "2027-01-01"},
		{thu, "QTD", "2025-01-01", "2025-02-21"},
		{thu, "YTD", "2025-01-01", "2025-02-21"},
		{thu, "since January 15", "2025-01-15", "2025-02-21"},
		{thu, "between Feb 1 and Feb 10", "2025-02-01", "2025-02-11"},
		{thu, "in 2024", "2024-01-01", "2025-01-01"},
		{thu, "in March", "2024-03-01", "2024-04-01"},
		{thu, "January", "2025-01-01", "2025-02-01"},
		{thu, "for December", "2024-12-01", "2025-01-01"},
		{thu, "March 2024", "2024-03-01", "2024-04-01"},
		{thu, "Q1", "2025-01-01", "2025-04-01"},
		{thu, "Q3", "2024-07-01", "2024-10-01"},
		{thu, "the fourth quarter of 2023", "2023-10-01", "2024-01-01"},
		{thu, "last 2 weeks", "2025-02-07", "2025-02-21"},
		{thu, "last 3 months", "2024-11-21", "2025-02-21"},
		{thu, "past 7 days", "2025-02-14", "2025-02-21"},
		{thu, "last seven days", "2025-02-14", "2025-02-21"},
		{thu, "since 2024-12-01", "2024-12-01", "2025-02-21"},
		{thu, "from 2025-01-01 to 2025-01-31", "2025-01-01", "2025-02-01"},
		{thu, "2025-01-01 to 2025-01-31", "2025-01-01", "2025-02-01"},
		{thu, "on 2025-02-03", "2025-02-03", "2025-02-04"},
		{thu, "H2 2024", "2024-07-01", "2025-01-01"},
		{thu, "what's our cloud spend rn", "", ""},
		{thu, "how many deals did we close", "", ""},
		{thu, "top 5 services", "", ""},
		{thu, "we may need it", "", ""},
		{thu, "spend in may", "2024-05-01", "2024-06-01"},
	})
}

// Boundaries: Jan/Dec, leap years, week starts, quarter ends.
func TestBoundaries(t *testing.T) {
	t.Parallel()
	p, err := New(nil)
	require.NoError(t, err)
	check(t, p, []tc{
		// January: last month and last quarter are in the previous year.
		{"2025-01-01", "last month", "2024-12-01", "2025-01-01"},
		{"2025-01-01", "last quarter", "2024-10-01", "2025-01-01"},
		{"2025-01-01", "yesterday", "2024-12-31", "2025-01-01"},
		{"2025-01-01", "YTD", "2025-01-01", "2025-01-02"},
		{"2025-01-01", "this week", "2024-12-30", "2025-01-06"},
		{"2025-01-05", "last week", "2024-12-23", "2024-12-30"},
		// December: next month and next quarter roll into the next year.
		{"2024-12-31", "next month", "2025-01-01", "2025-02-01"},
		{"2024-12-31", "next quarter", "2025-01-01", "2025-04-01"},
		{"2024-12-31", "this quarter", "2024-10-01", "2025-01-01"},
		{"2024-12-31", "QTD", "2024-10-01", "2025-01-01"},
		{"2024-12-31", "December", "2024-12-01", "2025-01-01"},
		// Leap years.
		{"2024-02-29", "this month", "2024-02-01", "2024-03-01"},
		{"2024-02-29", "MTD", "2024-02-01", "2024-03-01"},
		{"2024-03-01", "yesterday", "2024-02-29", "2024-03-01"},
		{"2024-03-01", "last 30 days", "2024-02-01", "2024-03-02"},
		{"2024-03-31", "last month", "2024-02-01", "2024-03-01"},
		{"2025-03-01", "since Feb 29", "2024-02-29", "2025-03-02"},
		{"2024-03-10", "between Feb 28 and Mar 1", "2024-02-28", "2024-03-02"},
		{"2025-03-10", "between Feb 28 and Mar 1", "2025-02-28", "2025-03-02"},
		{"2024-05-31", "last 3 months", "2024-03-01", "2024-06-01"},
		// Week starts: a Monday and a Sunday as-of date.
		{"2025-02-17", "this week", "2025-02-17", "2025-02-24"},
		{"2025-02-17", "last week", "2025-02-10", "2025-02-17"},
		{"2025-02-23", "this week", "2025-02-17", "2025-02-24"},
		{"2025-02-23", "week to date", "2025-02-17", "2025-02-24"},
		// Quarter ends and starts.
		{"2025-03-31", "this quarter", "2025-01-01", "2025-04-01"},
		{"2025-04-01", "this quarter", "2025-04-01", "2025-07-01"},
		{"2025-04-01", "last quarter", "2025-01-01", "2025-04-01"},
		{"2025-04-01", "QTD", "2025-04-01", "2025-04-02"},
		{"2025-09-30", "Q3 2025", "2025-07-01", "2025-10-01"},
		{"2025-02-20", "Q2", "2024-04-01", "2024-07-01"},
		{"2025-02-20", "between Dec 15 and Jan 10", "2024-12-15", "2025-01-11"},
	})
}

func TestFiscalYearAndWeekStart(t *testing.T) {
	t.Parallel()
	// Fiscal year starting in April, named by its ending year (FY2025 =
	// 2024-04-01..2025-04-01).
	fy, err := New(&Options{FiscalYearStart: time.April})
	require.NoError(t, err)
	check(t, fy, []tc{
		{"2025-02-20", "this year", "2024-04-01", "2025-04-01"},
		{"2025-02-20", "this fiscal year", "2024-04-01", "2025-04-01"},
		{"2025-02-20", "last fiscal year", "2023-04-01", "2024-04-01"},
		{"2025-02-20", "YTD", "2024-04-01", "2025-02-21"},
		{"2025-02-20", "this quarter", "2025-01-01", "2025-04-01"},
		{"2025-04-01", "this quarter", "2025-04-01", "2025-07-01"},
		{"2025-04-01", "YTD", "2025-04-01", "2025-04-02"},
		{"2025-03-31", "next quarter", "2025-04-01", "2025-07-01"},
		{"2025-02-20", "FY2025", "2024-04-01", "2025-04-01"},
		{"2025-02-20", "FY24", "2023-04-01", "2024-04-01"},
		{"2025-02-20", "Q1 FY2025", "2024-04-01", "2024-07-01"},
		{"2025-02-20", "Q4 2024", "2024-10-01", "2025-01-01"}, // calendar quarter
		{"2025-02-20", "in 2024", "2024-01-01", "2025-01-01"}, // calendar year
	})
	// A fiscal year starting in October: quarters cross calendar years.
	oct, err := New(&Options{FiscalYearStart: time.October})
	require.NoError(t, err)
	check(t, oct, []tc{
		{"2025-02-20", "this quarter", "2025-01-01", "2025-04-01"},
		{"2024-12-31", "this quarter", "2024-10-01", "2025-01-01"},
		{"2024-12-31", "this year", "2024-10-01", "2025-10-01"},
		{"2024-09-30", "next year", "2024-10-01", "2025-10-01"},
		{"2024-10-01", "QTD", "2024-10-01", "2024-10-02"},
	})
	// Weeks starting on Sunday.
	sun, err := New(&Options{WeekStartSunday: true})
	require.NoError(t, err)
	check(t, sun, []tc{
		{"2025-02-20", "this week", "2025-02-16", "2025-02-23"},
		{"2025-02-20", "last week", "2025-02-09", "2025-02-16"},
		{"2025-02-16", "this week", "2025-02-16", "2025-02-23"},
		{"2025-02-15", "this week", "2025-02-09", "2025-02-16"},
	})
	_, err = New(&Options{FiscalYearStart: 13})
	require.ErrorIs(t, err, ErrInvalid)
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	require.Equal(t, []string{"whats", "q4", "'24", "spend", "since", "2024-12-01", "%"}, Tokenize("What's Q4 '24 spend since 2024-12-01?%"))
}

func ExampleParser_Find() {
	p, _ := New(nil)
	asOf := time.Date(2025, 2, 20, 0, 0, 0, 0, time.UTC)
	r, _ := p.Find("cloud spend last week", asOf)
	fmt.Println(r)
	r, _ = p.Find("revenue in Q4 2024", asOf)
	fmt.Println(r)
	// Output:
	// 2025-02-10..2025-02-17 (last week)
	// 2024-10-01..2025-01-01 (Q4 2024)
}
