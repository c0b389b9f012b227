package pgsource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/autonomos/autonomos/connectors"
)

// maxCursorBytes bounds the cursor documents accepted; key values beyond it
// are not plausible.
const maxCursorBytes = 1 << 20

// position is the decoded form of a Cursor: the last row read, as the text
// form of its key values (and of its cursor-column value).
type position struct {
	// Table is the table the cursor belongs to.
	Table string `json:"t"`
	// Key holds the primary-key values as text, in key order.
	Key []string `json:"k"`
	// Column is the cursor column the position was made with; empty for
	// primary-key-only reads.
	Column string `json:"c,omitempty"`
	// Value is the cursor column's value as text; nil is SQL NULL.
	Value *string `json:"u,omitempty"`

	// Xmin and Xmax are the snapshot bounds (pg_snapshot_xmin and
	// pg_snapshot_xmax, as xid8) of the incremental read that made the
	// cursor; zero in key-only cursors. Together with Key and Value they
	// are this read's mark (see marks.go).
	Xmin uint64 `json:"n,omitempty"`
	Xmax uint64 `json:"x,omitempty"`
	// Marks are the marks of earlier incremental reads the next read may
	// still have to go back to, oldest first.
	Marks []mark `json:"m,omitempty"`

	// CDC is set in the cursors of change-data-capture reads (mode=cdc).
	CDC *cdcPosition `json:"l,omitempty"`
}

func (p position) encode() connectors.Cursor {
	b, _ := json.Marshal(p) // strings only: cannot fail
	return connectors.Cursor(b)
}

// decodeCursor parses a cursor made by encode. The error wraps
// connectors.ErrInvalidCursor.
func decodeCursor(c connectors.Cursor) (position, error) {
	var p position
	if len(c) > maxCursorBytes {
		return p, fmt.Errorf("%w: %s: cursor is %d bytes, more than %d", connectors.ErrInvalidCursor, Name, len(c), maxCursorBytes)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(c)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return position{}, fmt.Errorf("%w: %s: cursor is not a pgsource cursor: %v", connectors.ErrInvalidCursor, Name, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return position{}, fmt.Errorf("%w: %s: cursor has trailing data", connectors.ErrInvalidCursor, Name)
	}
	if p.Table == "" || (len(p.Key) == 0 && p.CDC == nil) {
		return position{}, fmt.Errorf("%w: %s: cursor names no table or key", connectors.ErrInvalidCursor, Name)
	}
	if p.Column == "" && (p.Value != nil || p.Xmax != 0 || len(p.Marks) > 0) {
		return position{}, fmt.Errorf("%w: %s: cursor has a value but no cursor column", connectors.ErrInvalidCursor, Name)
	}
	if p.Xmin > p.Xmax {
		return position{}, fmt.Errorf("%w: %s: cursor snapshot has xmin after xmax", connectors.ErrInvalidCursor, Name)
	}
	if len(p.Marks) > maxMarks {
		return position{}, fmt.Errorf("%w: %s: cursor has %d marks, more than %d", connectors.ErrInvalidCursor, Name, len(p.Marks), maxMarks)
	}
	for _, m := range p.Marks {
		if err := m.check(len(p.Key)); err != nil {
			return position{}, err
		}
	}
	if p.CDC != nil {
		if err := p.CDC.check(); err != nil {
			return position{}, err
		}
	}
	return p, nil
}

// check verifies that p was made for t read with cursor column col.
func (p position) check(t *table, col string) error {
	if p.Table != t.name {
		return fmt.Errorf("%w: %s: cursor is for table %q, not %q", connectors.ErrInvalidCursor, Name, p.Table, t.name)
	}
	if len(p.Key) != len(t.pk) {
		return fmt.Errorf("%w: %s: cursor has %d key values, table %q has %d key columns", connectors.ErrInvalidCursor, Name, len(p.Key), t.name, len(t.pk))
	}
	if p.Column != col {
		return fmt.Errorf("%w: %s: cursor follows column %q, the read follows %q (start over with an empty cursor)", connectors.ErrInvalidCursor, Name, p.Column, col)
	}
	return nil
}
