package connectors

import "fmt"

// ChangeModel states how a connector's reads of one object reflect the
// changes made at the source: what a sync can learn from a read, and what
// the platform must do to turn it into inserts, updates and deletes.
type ChangeModel string

// The change models.
const (
	// ChangeSnapshot: every read from the empty cursor returns the object's
	// full current set of records. Changed records are found by content
	// (the stream keeps a record's latest version) and deleted ones by
	// comparing a completed pass's record ids with the previous pass.
	ChangeSnapshot ChangeModel = "snapshot"
	// ChangeIncremental: a read from a cursor returns the records inserted
	// or updated after it (a monotonic updated-at column, a modstamp).
	// Deletes are only seen when the connector emits them as Deleted
	// records, or by a full snapshot pass from the empty cursor.
	ChangeIncremental ChangeModel = "incremental"
	// ChangeCDC: reads return every insert, update and delete in commit
	// order from a change log (e.g. PostgreSQL logical replication); deletes
	// arrive as Deleted records.
	ChangeCDC ChangeModel = "cdc"
)

// Valid reports whether m is one of the declared change models.
func (m ChangeModel) Valid() bool {
	switch m {
	case ChangeSnapshot, ChangeIncremental, ChangeCDC:
		return true
	}
	return false
}

// ParseChangeModel parses a change model name; the empty string is
// ChangeSnapshot, the model every connector can honour.
func ParseChangeModel(s string) (ChangeModel, error) {
	if s == "" {
		return ChangeSnapshot, nil
	}
	m := ChangeModel(s)
	if !m.Valid() {
		return "", fmt.Errorf("%w: unknown change model %q (want snapshot, incremental or cdc)", ErrInvalidConfig, s)
	}
	return m, nil
}
