package canonical

import (
	"fmt"
	"time"
)

// CivilDate is a calendar date without a time of day or zone, the Go value
// of Date fields. Its text and JSON form is ISO 8601 YYYY-MM-DD.
type CivilDate struct {
	Year  int
	Month time.Month
	Day   int
}

// CivilDateOf returns the calendar date of t in t's own location.
func CivilDateOf(t time.Time) CivilDate {
	y, m, d := t.Date()
	return CivilDate{Year: y, Month: m, Day: d}
}

// ParseCivilDate parses YYYY-MM-DD. The error wraps ErrInvalidValue.
func ParseCivilDate(s string) (CivilDate, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return CivilDate{}, fmt.Errorf("%w: date %q: want YYYY-MM-DD", ErrInvalidValue, s)
	}
	return CivilDateOf(t), nil
}

// String returns the date as YYYY-MM-DD.
func (d CivilDate) String() string {
	return d.Time().Format(time.DateOnly)
}

// Time returns midnight UTC of the date.
func (d CivilDate) Time() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// IsZero reports whether d is the zero CivilDate.
func (d CivilDate) IsZero() bool { return d == CivilDate{} }

// MarshalText returns YYYY-MM-DD.
func (d CivilDate) MarshalText() ([]byte, error) {
	return []byte(d.String()), nil
}

// UnmarshalText parses YYYY-MM-DD; the error wraps ErrInvalidValue.
func (d *CivilDate) UnmarshalText(b []byte) error {
	v, err := ParseCivilDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
