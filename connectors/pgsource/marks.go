package pgsource

import (
	"fmt"

	"github.com/autonomos/autonomos/connectors"
)

// Commit-safe incremental reads.
//
// An incremental read returns the rows whose cursor column is at or after
// a resume point. Rows committed out of order are the danger: a transaction
// T writes updated_at = 10, another writes 11 and commits, a read sees 11
// and moves on, then T commits its 10, behind the cursor.
//
// Each read records a mark: the bounds of its snapshot (xmin, the oldest
// transaction still running, and xmax, the first transaction id not yet
// assigned) and the position it read up to. A transaction that was running
// during read k (xmin_k <= xid < xmax_k) got its id, so made its first
// write, after the snapshot of every earlier read j with xmax_j <= xmin_k;
// with a cursor column that grows with write time, everything it writes
// lies after what read j saw. So the next read resumes at the position of
// the latest such read j (or of read k itself when nothing was running),
// and from the start of the table when there is none. A value set at
// transaction start (now()) can be older than the transaction's first
// write; the look-back window (parameter "lookback", for date and time
// columns) covers that gap. The pipeline keeps the latest version of each
// record, so rows read again change nothing.

// maxMarks bounds the marks a cursor carries. A transaction that stays open
// across this many reads makes the next read start over from the start of
// the table, which is always safe.
const maxMarks = 32

// mark is what one incremental read covered: every row visible in its
// snapshot whose position is at or before (Value, Key) was emitted.
type mark struct {
	// Start marks the start of the table: nothing read yet.
	Start bool `json:"s,omitempty"`
	// Xmin and Xmax are the read's snapshot bounds (xid8).
	Xmin uint64 `json:"n,omitempty"`
	Xmax uint64 `json:"x,omitempty"`
	// Key and Value are the position read up to, as in position.
	Key   []string `json:"k,omitempty"`
	Value *string  `json:"u,omitempty"`
}

func (m mark) check(keys int) error {
	switch {
	case m.Start && (m.Xmin != 0 || m.Xmax != 0 || m.Key != nil || m.Value != nil):
		return fmt.Errorf("%w: %s: cursor has a malformed start mark", connectors.ErrInvalidCursor, Name)
	case !m.Start && len(m.Key) != keys:
		return fmt.Errorf("%w: %s: cursor mark has %d key values, want %d", connectors.ErrInvalidCursor, Name, len(m.Key), keys)
	case m.Xmin > m.Xmax:
		return fmt.Errorf("%w: %s: cursor mark has xmin after xmax", connectors.ErrInvalidCursor, Name)
	}
	return nil
}

// rewind is where an incremental read starts.
type rewind struct {
	// full: read the whole table (from the start, NULL cursor values
	// first).
	full bool
	// values: otherwise start at the least of these cursor-column values
	// (as text), minus the look-back window.
	values []string
	// marks: the earlier marks the cursors of this read carry.
	marks []mark
}

// resumeFrom computes where the read after cursor p starts. An empty
// cursor, or one made before marks existed, reads the whole table.
func resumeFrom(p *position) rewind {
	start := []mark{{Start: true}}
	if p == nil || p.Xmax == 0 {
		return rewind{full: true, marks: start}
	}
	all := append(append([]mark(nil), p.Marks...), mark{Xmin: p.Xmin, Xmax: p.Xmax, Key: p.Key, Value: p.Value})
	i := -1
	for j := len(all) - 1; j >= 0; j-- {
		if all[j].Start || all[j].Xmax <= p.Xmin {
			i = j
			break
		}
	}
	if i < 0 || all[i].Start {
		return rewind{full: true, marks: keepMarks(all)}
	}
	kept := all[i:]
	r := rewind{marks: keepMarks(kept)}
	for _, m := range kept {
		if m.Value == nil { // inside the NULL rows, which come first
			return rewind{full: true, marks: r.marks}
		}
		r.values = append(r.values, *m.Value)
	}
	return r
}

// keepMarks bounds the marks carried on; past maxMarks the next read starts
// from the start of the table.
func keepMarks(ms []mark) []mark {
	if len(ms) >= maxMarks {
		return []mark{{Start: true}}
	}
	return ms
}
