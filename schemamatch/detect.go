package schemamatch

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/autonomos/autonomos/internal/namewords"
)

// Value detectors for text samples in the formats exports write: dates in
// European, US and SAP layouts, locale-formatted money and percentages.

var (
	reDMY      = regexp.MustCompile(`^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$`)
	reYMD      = regexp.MustCompile(`^(\d{4})[./-](\d{1,2})[./-](\d{1,2})$`)
	reCompact  = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)
	reTimePart = regexp.MustCompile(`^\d{1,2}:\d{2}(:\d{2}([.,]\d+)?)?(\s*([aApP][mM]))?(\s*(Z|[+-]\d{2}:?\d{2}))?$`)
	// European grouping: "12.500.000,00", "1 250,00", "1'250.00".
	reEUGroup = regexp.MustCompile(`^-?\d{1,3}([. '\x{00a0}\x{202f}]\d{3})+(,\d+)?$`)
	reUSGroup = regexp.MustCompile(`^-?\d{1,3}(,\d{3})+(\.\d+)?$`)
	// Swiss grouping: "1'250.50".
	reCHGroup = regexp.MustCompile(`^-?\d{1,3}('\d{3})+(\.\d+)?$`)
	reCommaDp = regexp.MustCompile(`^-?\d+,(\d{1,2}|\d{4,})$`)
	rePlain   = regexp.MustCompile(`^-?\d+(\.\d+)?$`)
	// currencySymbols are stripped around amounts.
	currencySymbols = strings.NewReplacer("€", "", "$", "", "£", "", "¥", "", "R$", "", "CHF", "", "EUR", "", "USD", "", "GBP", "", "kr", "")
)

// sapBlankDate is how SAP writes an empty date.
const sapBlankDate = "00000000"

func validDate(y, m, d int) bool {
	return y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 && d <= 31
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// parseDateText recognises a calendar date: ISO, day-first or month-first
// with dots, slashes or dashes, and YYYYMMDD. The date part may be followed
// by a time; hasTime says so.
func parseDateText(s string) (ok, hasTime bool) {
	date, rest, _ := strings.Cut(strings.TrimSpace(s), " ")
	if strings.Contains(date, "T") {
		date, rest, _ = strings.Cut(date, "T")
	}
	rest = strings.TrimSpace(rest)
	if rest != "" && !reTimePart.MatchString(rest) {
		return false, false
	}
	if m := reYMD.FindStringSubmatch(date); m != nil {
		return validDate(atoi(m[1]), atoi(m[2]), atoi(m[3])), rest != ""
	}
	if m := reDMY.FindStringSubmatch(date); m != nil {
		a, b, y := atoi(m[1]), atoi(m[2]), atoi(m[3])
		return validDate(y, b, a) || validDate(y, a, b), rest != ""
	}
	if m := reCompact.FindStringSubmatch(date); m != nil && rest == "" {
		return validDate(atoi(m[1]), atoi(m[2]), atoi(m[3])), false
	}
	return false, false
}

// parseLocaleNumber reads an amount written for people: with thousands
// separators of either convention, a decimal comma, a currency symbol or
// code. percent reports a trailing "%".
func parseLocaleNumber(s string) (f float64, percent, ok bool) {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "%") {
		percent = true
		s = strings.TrimSpace(strings.TrimSuffix(s, "%"))
	}
	t := strings.TrimSpace(currencySymbols.Replace(s))
	if t == "" || len(t) > 40 {
		return 0, false, false
	}
	switch {
	case rePlain.MatchString(t):
	case reCHGroup.MatchString(t):
		t = strings.ReplaceAll(t, "'", "")
	case reEUGroup.MatchString(t):
		t = strings.NewReplacer(".", "", " ", "", "'", "", "\u00a0", "", "\u202f", "", ",", ".").Replace(t)
	case reUSGroup.MatchString(t):
		t = strings.ReplaceAll(t, ",", "")
	case reCommaDp.MatchString(t):
		t = strings.ReplaceAll(t, ",", ".")
	default:
		return 0, false, false
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return 0, false, false
	}
	return f, percent, true
}

// looksLikePhone says whether s is written like a phone number rather than
// a document number: enough digits, only phone punctuation, and not a
// "year-sequence" number such as "2024-0001".
func looksLikePhone(s string) bool {
	if !rePhone.MatchString(s) || countDigits(s) < 7 || !strings.ContainsAny(s, " ()-+./") {
		return false
	}
	if strings.HasPrefix(s, "+") || strings.HasPrefix(s, "(") {
		return true
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' || r == ' ' })
	if len(parts) <= 3 && len(parts[0]) == 4 {
		if y := atoi(parts[0]); y >= 1900 && y <= 2100 {
			return false // 2024-0001, 2024-13-01: a numbering scheme or a broken date
		}
	}
	return true
}

// countryCode reads a country as ISO alpha-2, alpha-3 or a name in English
// or one of the vocabulary's languages.
func countryCode(s string) (string, bool) {
	if c, ok := builtin.countries[namewords.Fold(strings.TrimSpace(s))]; ok {
		return c, true
	}
	return canonicalCountry(s)
}

// shape is s with letters as "A" and digits as "9": "C-100231" is
// "A-999999".
func shape(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c >= '0' && c <= '9':
			b[i] = '9'
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			b[i] = 'A'
		}
	}
	return string(b)
}
