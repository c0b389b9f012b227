package pgstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

// AAM is the PostgreSQL implementation of aam.Store: tenants, connections,
// versioned mappings, the canonical stream with its checkpoints and
// quarantine, schema snapshots and drift events, in the tables of migration
// 0002_aam. Tenant-scoped methods run in WithTenant, so row-level security
// confines every statement to the given tenant; tenant creation and lookup
// run in WithSystem.
//
// Errors wrap aam.ErrNotFound, aam.ErrConflict and aam.ErrInvalid as the
// aam.Store contract says, next to this package's own sentinels (ErrClosed
// after the Store is closed). An AAM is safe for concurrent use.
type AAM struct {
	s *Store
}

var _ aam.Store = (*AAM)(nil)

// NewAAM returns the aam.Store of s. The store must be migrated (Open does
// it; after New, call Migrate). It fails with ErrInvalid if s is nil; it does
// no I/O.
func NewAAM(s *Store) (*AAM, error) {
	if s == nil {
		return nil, fmt.Errorf("pgstore: new aam: %w: store is nil", ErrInvalid)
	}
	return &AAM{s: s}, nil
}

// aamError wraps an error of a store operation once, adding the aam
// sentinel that matches this package's (already interpreted) sentinel, so
// callers of aam.Store can test with aam's errors and still find ours.
func aamError(op string, err error) error {
	if err == nil {
		return nil
	}
	for _, m := range [...]struct{ ours, theirs error }{
		{ErrNotFound, aam.ErrNotFound},
		{ErrConflict, aam.ErrConflict},
		{ErrInvalid, aam.ErrInvalid},
	} {
		if errors.Is(err, m.ours) && !errors.Is(err, m.theirs) {
			return fmt.Errorf("pgstore: %s: %w: %w", op, m.theirs, err)
		}
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// invalid returns an argument error of op wrapping aam.ErrInvalid.
func invalid(op, format string, args ...any) error {
	return fmt.Errorf("pgstore: %s: %w: %s", op, aam.ErrInvalid, fmt.Sprintf(format, args...))
}

// checkTenant rejects the nil tenant id before any I/O.
func checkTenant(op string, tenant uuid.UUID) error {
	if tenant == uuid.Nil {
		return invalid(op, "tenant id is the nil uuid")
	}
	return nil
}

// marshalJSON encodes v for a jsonb column; a nil map, slice or raw message
// becomes SQL NULL.
func marshalJSON(v any) ([]byte, error) {
	switch x := v.(type) {
	case json.RawMessage:
		if len(x) == 0 {
			return nil, nil
		}
		if !json.Valid(x) {
			return nil, errors.New("not valid JSON")
		}
		return replaceNUL(bytes.Clone(x)), nil
	case map[string]any:
		if x == nil {
			return nil, nil
		}
	}
	return jsonbValue(v)
}

// jsonbValue encodes v as JSON for a jsonb column. PostgreSQL cannot keep
// the NUL character in jsonb text, and a source value holding one would
// otherwise fail its whole batch forever; it is stored as U+FFFD instead.
func jsonbValue(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return replaceNUL(b), nil
}

// replaceNUL rewrites the JSON escape \u0000 (and only real escapes, not an
// escaped backslash followed by "u0000") as \ufffd, in place.
func replaceNUL(b []byte) []byte {
	if !bytes.Contains(b, []byte(`\u0000`)) {
		return b
	}
	for i := 0; i < len(b)-1; i++ {
		if b[i] != '\\' {
			continue
		}
		if b[i+1] == 'u' && i+6 <= len(b) && string(b[i+2:i+6]) == "0000" {
			copy(b[i+2:i+6], "fffd")
		}
		i++ // skip the escaped character
	}
	return b
}

// rawJSON returns a jsonb column's bytes as a json.RawMessage (nil for
// NULL), copied so it does not alias the driver's buffer.
func rawJSON(b []byte) json.RawMessage {
	if b == nil {
		return nil
	}
	return json.RawMessage(bytes.Clone(b))
}

// decodeJSON decodes a jsonb column into v, turning JSON numbers inside
// untyped values (any, map[string]any, []any) into int64 when integral and
// float64 otherwise — the Go values canonical.Registry.DecodeEvent gives —
// instead of float64 for everything, so large integers survive. NULL leaves
// v untouched.
func decodeJSON(b []byte, v any) error {
	if b == nil {
		return nil
	}
	return canonical.DecodeJSON(b, v)
}
