package pgsource

import (
	"database/sql/driver"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"
)

// recordValue turns a value decoded by pgx into the Record.Fields form
// described in the package documentation.
func recordValue(v any) any {
	switch x := v.(type) {
	case nil, string, bool, int64, float64, time.Time, []byte, map[string]any:
		return x
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int8:
		return int64(x)
	case int:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case [16]byte:
		return uuid.UUID(x).String()
	case pgtype.Numeric:
		return numericText(x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = recordValue(x[i])
		}
		return out
	case driver.Valuer:
		dv, err := x.Value()
		if err == nil {
			return recordValue(dv)
		}
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v)
}

func numericText(n pgtype.Numeric) any {
	if !n.Valid {
		return nil
	}
	v, err := n.Value()
	if err != nil {
		return fmt.Sprint(n)
	}
	return v
}

// sampleValue turns a value decoded by pgx into a JSON-typed sample:
// string, int64, float64, bool, map[string]any or []any. Dates are
// formatted as YYYY-MM-DD when isDate, times as RFC 3339.
func sampleValue(v any, isDate bool) any {
	switch x := recordValue(v).(type) {
	case time.Time:
		if isDate {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case []any:
		for i := range x {
			x[i] = sampleValue(x[i], isDate)
		}
		return x
	default:
		return x
	}
}
