package dcl

import (
	"context"
	"database/sql"
	"fmt"
)

// widenDecimals moves a view's decimal columns made by an older version
// (DECIMAL(38,6), which rounded 0.0000008 to 0.000001) to decimalSQL. The
// values they hold were already rounded; the next rebuild of the views
// from the stream brings them back exact. Widening the scale keeps every
// value that fits; one that does not is an error, not a silent change.
func widenDecimals(ctx context.Context, db *sql.DB, v *View) error {
	rows, err := db.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_name = ? AND data_type LIKE 'DECIMAL(%' AND data_type <> ?`, v.Name, decimalSQL)
	if err != nil {
		return fmt.Errorf("%w: inspect view %q: %v", ErrStorage, v.Name, err)
	}
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return fmt.Errorf("%w: inspect view %q: %v", ErrStorage, v.Name, err)
		}
		cols = append(cols, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%w: inspect view %q: %v", ErrStorage, v.Name, err)
	}
	for _, c := range cols {
		q := "ALTER TABLE " + quoteIdent(v.Name) + " ALTER COLUMN " + quoteIdent(c) + " TYPE " + decimalSQL
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%w: widen view %q column %q to %s: %v", ErrStorage, v.Name, c, decimalSQL, err)
		}
	}
	return nil
}
