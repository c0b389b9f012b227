// Package timeframe parses the time expressions of executives' questions
// ("this month", "last week", "Q4 2024", "last 30 days", "MTD", "since
// January 15", "between Feb 1 and Feb 10", "in 2024") into date ranges.
//
// A Range is a half-open interval of calendar dates: Start inclusive, End
// exclusive, both ISO dates (YYYY-MM-DD). "This/last/next" periods are
// whole calendar periods (this month as of 2025-02-20 is 2025-02-01 to
// 2025-03-01); "to date" periods and "last N days/weeks/months" end with
// the as-of day (last 30 days is the 30 days ending today, today included).
// Weeks start on Monday unless Options.WeekStart says otherwise. Relative
// years and quarters (this/last/next year or quarter, YTD, QTD) and fiscal
// years (FY2025, "fiscal 2025") follow the configured fiscal year, named
// by the calendar year in which it ends; named quarters and years ("Q4
// 2024", "in 2024") are calendar ones unless written with FY.
//
// # Concurrency
//
// A Parser is immutable and safe for concurrent use.
package timeframe

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ErrInvalid wraps invalid options.
var ErrInvalid = errors.New("timeframe: invalid argument")

// Range is a half-open date range [Start, End) with a label naming it.
type Range struct {
	// Start is the first day, inclusive (UTC midnight).
	Start time.Time
	// End is the day after the last, exclusive (UTC midnight).
	End time.Time
	// Label names the range ("this month", "Q4 2024", "last 30 days").
	Label string
}

// Days returns the number of days in the range.
func (r Range) Days() int { return int(r.End.Sub(r.Start).Hours()/24 + 0.5) }

// String returns "START..END (LABEL)".
func (r Range) String() string {
	return fmt.Sprintf("%s..%s (%s)", r.Start.Format(time.DateOnly), r.End.Format(time.DateOnly), r.Label)
}

// Options configures a Parser; the zero value (or nil) means the defaults.
type Options struct {
	// WeekStart is the first day of a week: default Monday. Use
	// WeekStartSunday for Sunday, since the zero Weekday is Sunday.
	WeekStart time.Weekday
	// WeekStartSunday makes weeks start on Sunday.
	WeekStartSunday bool
	// FiscalYearStart is the first month of the fiscal year: default
	// January.
	FiscalYearStart time.Month
}

// Parser finds time expressions in text. Build it with New.
type Parser struct {
	weekStart time.Weekday
	fyStart   time.Month
}

// New returns a Parser. A FiscalYearStart outside 1..12 wraps ErrInvalid.
func New(opts *Options) (*Parser, error) {
	p := &Parser{weekStart: time.Monday, fyStart: time.January}
	if opts != nil {
		if opts.WeekStartSunday {
			p.weekStart = time.Sunday
		} else if opts.WeekStart != time.Sunday {
			if opts.WeekStart < time.Sunday || opts.WeekStart > time.Saturday {
				return nil, fmt.Errorf("%w: Options.WeekStart %d", ErrInvalid, opts.WeekStart)
			}
			p.weekStart = opts.WeekStart
		}
		if opts.FiscalYearStart != 0 {
			if opts.FiscalYearStart < time.January || opts.FiscalYearStart > time.December {
				return nil, fmt.Errorf("%w: Options.FiscalYearStart %d is outside 1..12", ErrInvalid, opts.FiscalYearStart)
			}
			p.fyStart = opts.FiscalYearStart
		}
	}
	return p, nil
}

// Match is a time expression found among tokens: tokens[From:To] produced
// Range.
type Match struct {
	Range
	From, To int
}

// Find tokenizes text and returns its first time expression as of the
// date of asOf (UTC).
func (p *Parser) Find(text string, asOf time.Time) (Range, bool) {
	m, ok := p.FindTokens(Tokenize(text), asOf)
	return m.Range, ok
}

// FindTokens returns the first (then longest) time expression among
// tokens, as produced by Tokenize.
func (p *Parser) FindTokens(tokens []string, asOf time.Time) (Match, bool) {
	if len(tokens) > MaxTokens {
		tokens = tokens[:MaxTokens]
	}
	today := day(asOf)
	s := &scan{p: p, t: tokens, today: today}
	for i := range tokens {
		if r, j, ok := s.at(i); ok {
			return Match{Range: r, From: i, To: j}, true
		}
	}
	return Match{}, false
}

func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// scan holds one parse.
type scan struct {
	p     *Parser
	t     []string
	today time.Time
}

func (s *scan) tok(i int) string {
	if i < 0 || i >= len(s.t) {
		return ""
	}
	return s.t[i]
}

// is reports whether the tokens from i are words (each may list
// alternatives separated by "|").
func (s *scan) is(i int, words ...string) bool {
	for k, w := range words {
		ok := false
		for _, alt := range strings.Split(w, "|") {
			if s.tok(i+k) == alt {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Period boundaries.

func (s *scan) weekStart(d time.Time) time.Time {
	off := (int(d.Weekday()) - int(s.p.weekStart) + 7) % 7
	return d.AddDate(0, 0, -off)
}

func monthStart(d time.Time) time.Time { return date(d.Year(), d.Month(), 1) }

// fiscalYearStart returns the start of the fiscal year containing d.
func (s *scan) fiscalYearStart(d time.Time) time.Time {
	y := d.Year()
	if d.Month() < s.p.fyStart {
		y--
	}
	return date(y, s.p.fyStart, 1)
}

// fiscalQuarterStart returns the start of the fiscal quarter containing d.
func (s *scan) fiscalQuarterStart(d time.Time) time.Time {
	fy := s.fiscalYearStart(d)
	months := (d.Year()-fy.Year())*12 + int(d.Month()) - int(fy.Month())
	return fy.AddDate(0, months/3*3, 0)
}

// fiscalYear returns the fiscal year named by its ending calendar year.
func (s *scan) fiscalYear(y int) Range {
	if s.p.fyStart == time.January {
		return Range{Start: date(y, 1, 1), End: date(y+1, 1, 1), Label: "FY" + strconv.Itoa(y)}
	}
	start := date(y-1, s.p.fyStart, 1)
	return Range{Start: start, End: start.AddDate(1, 0, 0), Label: "FY" + strconv.Itoa(y)}
}

// unitPeriod returns the whole period of unit containing d.
func (s *scan) unitPeriod(unit string, d time.Time) (time.Time, time.Time) {
	switch unit {
	case "day":
		return d, d.AddDate(0, 0, 1)
	case "week":
		w := s.weekStart(d)
		return w, w.AddDate(0, 0, 7)
	case "month":
		m := monthStart(d)
		return m, m.AddDate(0, 1, 0)
	case "quarter":
		q := s.fiscalQuarterStart(d)
		return q, q.AddDate(0, 3, 0)
	case "half":
		y := s.fiscalYearStart(d)
		months := (d.Year()-y.Year())*12 + int(d.Month()) - int(y.Month())
		h := y.AddDate(0, months/6*6, 0)
		return h, h.AddDate(0, 6, 0)
	default: // year
		y := s.fiscalYearStart(d)
		return y, y.AddDate(1, 0, 0)
	}
}

// shift moves d by n units.
func shift(unit string, d time.Time, n int) time.Time {
	switch unit {
	case "day":
		return d.AddDate(0, 0, n)
	case "week":
		return d.AddDate(0, 0, 7*n)
	case "month":
		return d.AddDate(0, n, 0)
	case "quarter":
		return d.AddDate(0, 3*n, 0)
	case "half":
		return d.AddDate(0, 6*n, 0)
	default:
		return d.AddDate(n, 0, 0)
	}
}

// unitOf maps a unit word to its unit.
func unitOf(w string) (string, bool) {
	switch w {
	case "day", "days", "d":
		return "day", true
	case "week", "weeks", "wk", "wks", "w":
		return "week", true
	case "month", "months", "mo", "mos", "mth", "mths", "m":
		return "month", true
	case "quarter", "quarters", "qtr", "qtrs", "q":
		return "quarter", true
	case "year", "years", "yr", "yrs", "y":
		return "year", true
	case "half":
		return "half", true
	}
	return "", false
}

// The rules, tried at each token position.

func (s *scan) at(i int) (Range, int, bool) {
	rules := []func(int) (Range, int, bool){
		s.toDate, s.relativeDay, s.lastN, s.relativePeriod, s.since, s.between, s.quarterName,
		s.halfName, s.fiscalYearName, s.monthName, s.yearOnly, s.isoDay,
	}
	for _, r := range rules {
		if rg, j, ok := r(i); ok {
			return rg, j, true
		}
	}
	return Range{}, 0, false
}

// toDate: MTD, QTD, YTD, WTD, "month to date", "so far this month".
func (s *scan) toDate(i int) (Range, int, bool) {
	abbr := map[string]string{"mtd": "month", "qtd": "quarter", "ytd": "year", "wtd": "week", "fytd": "year"}
	unit, j := "", i
	if u, ok := abbr[s.tok(i)]; ok {
		unit, j = u, i+1
	} else if u, ok := unitOf(s.tok(i)); ok && u != "day" && u != "half" && s.is(i+1, "to", "date") {
		unit, j = u, i+3
	} else if s.is(i, "so", "far", "this") {
		if u, ok := unitOf(s.tok(i + 3)); ok && u != "day" {
			unit, j = u, i+4
		}
	} else if s.is(i, "this|the") {
		if u, ok := unitOf(s.tok(i + 1)); ok && u != "day" && s.is(i+2, "so", "far") {
			unit, j = u, i+4
		}
	}
	if unit == "" {
		return Range{}, 0, false
	}
	start, _ := s.unitPeriod(unit, s.today)
	return Range{Start: start, End: s.today.AddDate(0, 0, 1), Label: unit + " to date"}, j, true
}

// relativeDay: today, yesterday, tomorrow, "the day before yesterday".
func (s *scan) relativeDay(i int) (Range, int, bool) {
	switch {
	case s.is(i, "day", "before", "yesterday"):
		d := s.today.AddDate(0, 0, -2)
		return Range{Start: d, End: d.AddDate(0, 0, 1), Label: d.Format(time.DateOnly)}, i + 3, true
	case s.is(i, "today|tdy"):
		return Range{Start: s.today, End: s.today.AddDate(0, 0, 1), Label: "today"}, i + 1, true
	case s.is(i, "yesterday|yday|yest"):
		d := s.today.AddDate(0, 0, -1)
		return Range{Start: d, End: s.today, Label: "yesterday"}, i + 1, true
	case s.is(i, "tomorrow"):
		d := s.today.AddDate(0, 0, 1)
		return Range{Start: d, End: d.AddDate(0, 0, 1), Label: "tomorrow"}, i + 1, true
	}
	return Range{}, 0, false
}

var numberWords = map[string]int{"one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
	"eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "fifteen": 15, "eighteen": 18,
	"twenty": 20, "thirty": 30, "sixty": 60, "ninety": 90, "couple": 2}

// count parses a small count at i: digits (1..3660) or a number word.
func (s *scan) count(i int) (int, int, bool) {
	w := s.tok(i)
	if allDigits(w) && len(w) <= 4 {
		n, _ := strconv.Atoi(w)
		if n >= 1 && n <= 3660 {
			return n, i + 1, true
		}
		return 0, 0, false
	}
	if w == "couple" && s.is(i+1, "of") {
		return 2, i + 2, true
	}
	if n, ok := numberWords[w]; ok && w != "a" {
		return n, i + 1, true
	}
	return 0, 0, false
}

// lastN: "last|past|previous|trailing|rolling N days|weeks|months|quarters|years",
// "N days", TTM/LTM. The range ends with today.
func (s *scan) lastN(i int) (Range, int, bool) {
	if s.is(i, "ttm|ltm|l12m|t12m") {
		return s.rolling("month", 12, i+1)
	}
	if !s.is(i, "last|past|previous|prior|trailing|rolling|recent") {
		return Range{}, 0, false
	}
	j := i + 1
	if s.is(j, "the") {
		j++
	}
	n, k, ok := s.count(j)
	if !ok {
		// "past week", "past month", "rolling month": rolling one unit.
		if s.is(i, "past|trailing|rolling") {
			if u, ok := unitOf(s.tok(j)); ok && u != "half" && len(s.tok(j)) > 1 {
				return s.rolling(u, 1, j+1)
			}
		}
		return Range{}, 0, false
	}
	u, ok := unitOf(s.tok(k))
	if !ok || u == "half" {
		return Range{}, 0, false
	}
	return s.rolling(u, n, k+1)
}

func (s *scan) rolling(unit string, n, next int) (Range, int, bool) {
	end := s.today.AddDate(0, 0, 1)
	var start time.Time
	switch unit {
	case "day":
		start = end.AddDate(0, 0, -n)
	case "week":
		start = end.AddDate(0, 0, -7*n)
	case "month":
		start = end.AddDate(0, -n, 0)
	case "quarter":
		start = end.AddDate(0, -3*n, 0)
	default:
		start = end.AddDate(-n, 0, 0)
	}
	label := fmt.Sprintf("last %d %ss", n, unit)
	if n == 1 {
		label = "last " + unit
	}
	return Range{Start: start, End: end, Label: label}, next, true
}

// relativePeriod: this|current|last|previous|prior|next (fiscal) week|month|quarter|year,
// "the current quarter", "this fiscal year".
func (s *scan) relativePeriod(i int) (Range, int, bool) {
	var off int
	var word string
	switch s.tok(i) {
	case "this", "current", "curr", "present":
		off, word = 0, "this"
	case "last", "previous", "prev", "prior", "past":
		off, word = -1, "last"
	case "next", "upcoming", "coming", "following":
		off, word = 1, "next"
	default:
		return Range{}, 0, false
	}
	j := i + 1
	fiscal := false
	if s.is(j, "fiscal|financial|fy") {
		fiscal = true
		j++
	}
	u, ok := unitOf(s.tok(j))
	if !ok || len(s.tok(j)) == 1 {
		return Range{}, 0, false
	}
	if fiscal && u != "year" && u != "quarter" && u != "half" {
		return Range{}, 0, false
	}
	start, _ := s.unitPeriod(u, s.today)
	start = shift(u, start, off)
	end := shift(u, start, 1)
	label := word + " " + u
	if fiscal {
		label = word + " fiscal " + u
	}
	return Range{Start: start, End: end, Label: label}, j + 1, true
}

var months = map[string]time.Month{"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3,
	"april": 4, "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
	"september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12}

// year parses a year at i: 4 digits 1970..2199, or '24.
func (s *scan) year(i int) (int, int, bool) {
	w := s.tok(i)
	if len(w) == 4 && allDigits(w) {
		y, _ := strconv.Atoi(w)
		if y >= 1970 && y <= 2199 {
			return y, i + 1, true
		}
	}
	if len(w) == 3 && w[0] == '\'' && allDigits(w[1:]) {
		y, _ := strconv.Atoi(w[1:])
		return 2000 + y, i + 1, true
	}
	return 0, 0, false
}

// dayOfMonth parses 1..31 with an optional ordinal suffix.
func dayOfMonth(w string) (int, bool) {
	for _, suf := range []string{"st", "nd", "rd", "th"} {
		if strings.HasSuffix(w, suf) && len(w) > 2 {
			w = strings.TrimSuffix(w, suf)
			break
		}
	}
	if !allDigits(w) || len(w) > 2 {
		return 0, false
	}
	d, _ := strconv.Atoi(w)
	return d, d >= 1 && d <= 31
}

// dateAt parses one calendar date at i: ISO; "Jan 15 [2025]"; "15 Jan
// [2025]"; "the 15th of January [2025]". Without a year it is the latest
// such date not after today. It also reports whether a year was given.
func (s *scan) dateAt(i int) (time.Time, int, bool) {
	w := s.tok(i)
	if t, err := time.Parse(time.DateOnly, w); err == nil {
		return t, i + 1, true
	}
	valid := func(y int, m time.Month, d int) bool { return date(y, m, d).Day() == d }
	withYear := func(m time.Month, d, j int) (time.Time, int, bool) {
		if s.is(j, "of") {
			if y, k, ok := s.year(j + 1); ok && valid(y, m, d) {
				return date(y, m, d), k, true
			}
		}
		if y, k, ok := s.year(j); ok {
			if !valid(y, m, d) {
				return time.Time{}, 0, false
			}
			return date(y, m, d), k, true
		}
		y := s.today.Year()
		if !valid(y, m, d) || date(y, m, d).After(s.today) {
			y--
		}
		for k := 0; k < 8 && !valid(y, m, d); k++ { // Feb 29: the latest leap year
			y--
		}
		if !valid(y, m, d) {
			return time.Time{}, 0, false
		}
		return date(y, m, d), j, true
	}
	if m, ok := months[w]; ok {
		if d, ok := dayOfMonth(s.tok(i + 1)); ok {
			return withYear(m, d, i+2)
		}
		return time.Time{}, 0, false
	}
	j := i
	if s.is(j, "the") {
		j++
	}
	if d, ok := dayOfMonth(s.tok(j)); ok {
		k := j + 1
		if s.is(k, "of") {
			k++
		}
		if m, ok := months[s.tok(k)]; ok {
			return withYear(m, d, k+1)
		}
	}
	return time.Time{}, 0, false
}

// monthAt parses "March [2024]" or "March of 2024" at i; without a year it
// is the latest such month that has started.
func (s *scan) monthAt(i int) (Range, int, bool) {
	m, ok := months[s.tok(i)]
	if !ok {
		return Range{}, 0, false
	}
	j := i + 1
	if s.is(j, "of") {
		if _, _, ok := s.year(j + 1); ok {
			j++
		}
	}
	y, k, ok := s.year(j)
	if !ok {
		y, k = s.today.Year(), i+1
		if m > s.today.Month() {
			y--
		}
	}
	start := date(y, m, 1)
	return Range{Start: start, End: start.AddDate(0, 1, 0), Label: start.Format("January 2006")}, k, true
}

// since: "since <date|month|quarter|year|period>" to today inclusive.
func (s *scan) since(i int) (Range, int, bool) {
	if !s.is(i, "since") && !(s.is(i, "from") && !s.hasAhead(i+1, "to", "until", "through", "thru", "till")) {
		return Range{}, 0, false
	}
	end := s.today.AddDate(0, 0, 1)
	start, j, ok := s.startAt(i + 1)
	if !ok || !start.Before(end) {
		return Range{}, 0, false
	}
	return Range{Start: start, End: end, Label: "since " + start.Format(time.DateOnly)}, j, true
}

// hasAhead reports whether one of words occurs within 6 tokens after i.
func (s *scan) hasAhead(i int, words ...string) bool {
	for k := i; k < i+6 && k < len(s.t); k++ {
		for _, w := range words {
			if s.t[k] == w {
				return true
			}
		}
	}
	return false
}

// startAt parses the start of an anchor: a date, a month, a named quarter
// or year, or a relative period.
func (s *scan) startAt(i int) (time.Time, int, bool) {
	if d, j, ok := s.dateAt(i); ok {
		return d, j, true
	}
	j := i
	if s.is(j, "the") {
		j++
	}
	for _, r := range []func(int) (Range, int, bool){s.monthAt, s.quarterName, s.halfName, s.fiscalYearName, s.relativeDay, s.relativePeriod, s.bareYear} {
		if rg, k, ok := r(j); ok {
			return rg.Start, k, true
		}
	}
	return time.Time{}, 0, false
}

// endAt parses the end anchor of "between X and Y": the exclusive end.
func (s *scan) endAt(i int) (time.Time, int, bool) {
	if d, j, ok := s.dateAt(i); ok {
		return d.AddDate(0, 0, 1), j, true
	}
	for _, r := range []func(int) (Range, int, bool){s.monthAt, s.quarterName, s.halfName, s.fiscalYearName, s.relativeDay, s.relativePeriod, s.bareYear} {
		if rg, k, ok := r(i); ok {
			return rg.End, k, true
		}
	}
	if s.is(i, "now|today") {
		return s.today.AddDate(0, 0, 1), i + 1, true
	}
	return time.Time{}, 0, false
}

// between: "between X and Y", "from X to|until|through Y", "X to Y" with
// ISO dates, end day inclusive in speech, so End is the day after.
func (s *scan) between(i int) (Range, int, bool) {
	j := i
	if s.is(i, "between|from") {
		j++
	} else if _, err := time.Parse(time.DateOnly, s.tok(i)); err != nil {
		return Range{}, 0, false
	}
	start, k, ok := s.startAt(j)
	if !ok {
		return Range{}, 0, false
	}
	if !s.is(k, "and|to|until|through|thru|till") {
		return Range{}, 0, false
	}
	// "Feb 1 and 10": the month carries over.
	end, e, ok := s.endAt(k + 1)
	if !ok {
		if d, ok2 := dayOfMonth(s.tok(k + 1)); ok2 {
			t := date(start.Year(), start.Month(), d)
			if t.Day() == d {
				end, e, ok = t.AddDate(0, 0, 1), k+2, true
			}
		}
	}
	if !ok {
		return Range{}, 0, false
	}
	if !end.After(start) {
		// "between Dec 15 and Jan 10" without years: the end is next year.
		if end.AddDate(1, 0, 0).After(start) {
			end = end.AddDate(1, 0, 0)
		} else {
			return Range{}, 0, false
		}
	}
	return Range{Start: start, End: end, Label: start.Format(time.DateOnly) + " to " + end.AddDate(0, 0, -1).Format(time.DateOnly)}, e, true
}

var ordinals = map[string]int{"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": 4, "final": 4}

// quarterName: "Q4 2024", "Q4 '24", "2024 Q4", "Q4 FY2025", "Q4" (the
// latest that has started), "fourth quarter of 2024", "the first quarter".
func (s *scan) quarterName(i int) (Range, int, bool) {
	w := s.tok(i)
	q, j := 0, 0
	yearFirst := 0
	if y, k, ok := s.year(i); ok && len(s.tok(k)) == 2 && s.tok(k)[0] == 'q' {
		yearFirst, i, w = y, k, s.tok(k)
	}
	switch {
	case len(w) == 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4':
		q, j = int(w[1]-'0'), i+1
	case len(w) > 2 && w[0] == 'q' && w[1] >= '1' && w[1] <= '4' && allDigits(w[2:]) && (len(w) == 4 || len(w) == 6):
		// q424, q42024
		q = int(w[1] - '0')
		y, _ := strconv.Atoi(w[2:])
		if y < 100 {
			y += 2000
		}
		return s.quarterOf(q, y, false, i+1)
	default:
		n, ok := ordinals[w]
		if !ok || w == "last" || !s.is(i+1, "quarter|qtr") {
			if s.is(i, "the") {
				if n2, ok2 := ordinals[s.tok(i+1)]; ok2 && s.tok(i+1) != "last" && s.is(i+2, "quarter|qtr") {
					n, ok, i = n2, true, i+1
				}
			}
			if !ok || !s.is(i+1, "quarter|qtr") {
				return Range{}, 0, false
			}
		}
		q, j = n, i+2
		if s.is(j, "of") {
			j++
		}
	}
	if yearFirst != 0 {
		return s.quarterOf(q, yearFirst, false, j)
	}
	fiscal := false
	k := j
	if s.is(k, "fy|fiscal") {
		fiscal = true
		k++
	} else if w2 := s.tok(k); strings.HasPrefix(w2, "fy") && allDigits(w2[2:]) && len(w2) > 2 {
		y, _ := strconv.Atoi(w2[2:])
		if y < 100 {
			y += 2000
		}
		return s.quarterOf(q, y, true, k+1)
	}
	if y, e, ok := s.year(k); ok {
		return s.quarterOf(q, y, fiscal, e)
	}
	if fiscal {
		return Range{}, 0, false
	}
	// No year: the latest calendar quarter q that has started.
	y := s.today.Year()
	if date(y, time.Month(3*q-2), 1).After(s.today) {
		y--
	}
	return s.quarterOf(q, y, false, j)
}

func (s *scan) quarterOf(q, y int, fiscal bool, next int) (Range, int, bool) {
	if q < 1 || q > 4 {
		return Range{}, 0, false
	}
	if fiscal {
		fy := s.fiscalYear(y)
		start := fy.Start.AddDate(0, 3*(q-1), 0)
		return Range{Start: start, End: start.AddDate(0, 3, 0), Label: fmt.Sprintf("Q%d FY%d", q, y)}, next, true
	}
	start := date(y, time.Month(3*q-2), 1)
	return Range{Start: start, End: start.AddDate(0, 3, 0), Label: fmt.Sprintf("Q%d %d", q, y)}, next, true
}

// halfName: "H1 2024", "H2", "first half of 2024", "second half".
func (s *scan) halfName(i int) (Range, int, bool) {
	h, j := 0, 0
	switch {
	case s.is(i, "h1"):
		h, j = 1, i+1
	case s.is(i, "h2"):
		h, j = 2, i+1
	case s.is(i, "first|1st", "half"):
		h, j = 1, i+2
	case s.is(i, "second|2nd", "half"):
		h, j = 2, i+2
	case s.is(i, "the", "first|1st", "half"):
		h, j = 1, i+3
	case s.is(i, "the", "second|2nd", "half"):
		h, j = 2, i+3
	default:
		return Range{}, 0, false
	}
	if s.is(j, "of") {
		j++
	}
	y, k, ok := s.year(j)
	if !ok {
		y, k = s.today.Year(), j
		if date(y, time.Month(6*h-5), 1).After(s.today) {
			y--
		}
	}
	start := date(y, time.Month(6*h-5), 1)
	return Range{Start: start, End: start.AddDate(0, 6, 0), Label: fmt.Sprintf("H%d %d", h, y)}, k, true
}

// fiscalYearName: "FY2025", "FY25", "FY 2025", "fiscal 2025", "fiscal year 2025".
func (s *scan) fiscalYearName(i int) (Range, int, bool) {
	w := s.tok(i)
	if strings.HasPrefix(w, "fy") && len(w) > 2 && allDigits(w[2:]) && (len(w) == 4 || len(w) == 6) {
		y, _ := strconv.Atoi(w[2:])
		if y < 100 {
			y += 2000
		}
		return s.fiscalYear(y), i + 1, true
	}
	j := i
	switch {
	case s.is(i, "fy"):
		j = i + 1
	case s.is(i, "fiscal|financial", "year"):
		j = i + 2
	case s.is(i, "fiscal|financial"):
		j = i + 1
	default:
		return Range{}, 0, false
	}
	if y, k, ok := s.year(j); ok {
		return s.fiscalYear(y), k, true
	}
	if len(s.tok(j)) == 2 && allDigits(s.tok(j)) && s.is(i, "fy") {
		y, _ := strconv.Atoi(s.tok(j))
		return s.fiscalYear(2000 + y), j + 1, true
	}
	return Range{}, 0, false
}

// monthName: "in March", "March 2024", "for december", "the month of May".
// "may" alone needs a year or a preposition before it, being also a verb.
func (s *scan) monthName(i int) (Range, int, bool) {
	j := i
	if s.is(i, "the", "month", "of") {
		j = i + 3
	}
	w := s.tok(j)
	if _, ok := months[w]; !ok {
		return Range{}, 0, false
	}
	if w == "may" || w == "mar" || w == "jun" || w == "dec" {
		// Verb or abbreviation collisions: need a year or a preposition.
		prev := s.tok(i - 1)
		if _, _, ok := s.year(j + 1); !ok && j == i && prev != "in" && prev != "for" && prev != "during" && prev != "of" && prev != "since" {
			return Range{}, 0, false
		}
	}
	return s.monthAt(j)
}

// yearOnly: "in 2024", "for 2024", "during 2024", "2024" alone, "calendar
// year 2024", "CY2024".
func (s *scan) yearOnly(i int) (Range, int, bool) {
	j := i
	if s.is(i, "calendar", "year") {
		j = i + 2
	} else if w := s.tok(i); strings.HasPrefix(w, "cy") && len(w) == 6 && allDigits(w[2:]) {
		y, _ := strconv.Atoi(w[2:])
		return s.calendarYear(y), i + 1, true
	}
	return s.bareYearAt(j)
}

func (s *scan) bareYear(i int) (Range, int, bool) { return s.bareYearAt(i) }

func (s *scan) bareYearAt(i int) (Range, int, bool) {
	w := s.tok(i)
	if len(w) != 4 {
		return Range{}, 0, false
	}
	y, k, ok := s.year(i)
	if !ok {
		return Range{}, 0, false
	}
	return s.calendarYear(y), k, true
}

func (s *scan) calendarYear(y int) Range {
	return Range{Start: date(y, 1, 1), End: date(y+1, 1, 1), Label: strconv.Itoa(y)}
}

// isoDay: one date alone ("on 2025-02-03", "on Feb 3").
func (s *scan) isoDay(i int) (Range, int, bool) {
	d, j, ok := s.dateAt(i)
	if !ok {
		return Range{}, 0, false
	}
	return Range{Start: d, End: d.AddDate(0, 0, 1), Label: d.Format(time.DateOnly)}, j, true
}
