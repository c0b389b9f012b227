package dcl

import (
	"context"
	"database/sql"
	"strings"
	"time"
)

// LatestDate returns the latest calendar date in the tenant's data: the
// greatest value of any date or timestamp field of any view (bookkeeping
// columns such as _updated_at, the time of materialization, excluded).
// ok is false when the views hold no date at all. Agents run on
// historical exports use it as their default as-of date, so that a
// month-to-date is the data's month, not today's empty one.
func (e *Engine) LatestDate(ctx context.Context) (day time.Time, ok bool, err error) {
	var parts []string
	for _, v := range e.views {
		for _, c := range v.Columns {
			if strings.HasPrefix(c.Name, "_") || (c.kind != kindDate && c.kind != kindTimestamp) {
				continue
			}
			parts = append(parts, "SELECT max(CAST("+quoteIdent(c.Name)+" AS DATE)) AS d FROM "+quoteIdent(v.Name))
		}
	}
	if len(parts) == 0 {
		return time.Time{}, false, nil
	}
	var latest sql.NullTime
	err = e.queryAll(ctx, "SELECT max(d) FROM ("+strings.Join(parts, " UNION ALL ")+")", nil, func(scan func(...any) error) error {
		return scan(&latest)
	})
	if err != nil || !latest.Valid {
		return time.Time{}, false, err
	}
	return latest.Time.UTC(), true, nil
}
