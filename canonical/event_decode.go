package canonical

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"
)

// ValidateEvent checks an event against the registry: a UUID event id, a
// registered entity, a valid op, data keys that are fields of the entity
// holding the Go value of their type (see Coerce), and, for upserts, every
// required field present. It reports every problem, joined; each wraps
// ErrInvalidEvent. It is safe for concurrent use.
func (r *Registry) ValidateEvent(e *Event) error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: event %q: "+format, append([]any{ErrInvalidEvent, e.EventID}, args...)...))
	}
	if _, err := uuid.Parse(e.EventID); err != nil {
		bad("event_id is not a UUID")
	}
	if !e.Op.Valid() {
		bad("unknown op %q", e.Op)
	}
	info, err := r.lookup(e.Entity)
	if err != nil {
		bad("%v", err)
		return errors.Join(errs...)
	}
	for k, v := range e.Data {
		f, ok := info.field(k)
		if !ok {
			bad("data key %q is not a field of entity %q", k, e.Entity)
			continue
		}
		if !hasGoType(f.Type, v) {
			bad("field %q: %T is not the Go value of type %s", k, v, f.Type)
		}
	}
	if e.Op == OpUpsert {
		for _, f := range info.entity.Fields {
			if _, ok := e.Data[f.Name]; f.Required && !ok {
				bad("required field %q is missing", f.Name)
			}
		}
	}
	return errors.Join(errs...)
}

// hasGoType reports whether v is the normalized Go value of type t.
func hasGoType(t Type, v any) bool {
	switch v.(type) {
	case string:
		switch t {
		case String, Email, URL, Phone, Currency, Country, Ref:
			return true
		}
	case int64:
		return t == Integer
	case decimal.Decimal:
		return t == Decimal || t == Percent
	case bool:
		return t == Boolean
	case CivilDate:
		return t == Date
	case time.Time:
		return t == Timestamp
	}
	return false
}

// DecodeEvent parses an event's JSON and turns its data back into the
// normalized Go values of the fields' types, then validates it (see
// ValidateEvent). Numbers in extras become int64 when integral, else
// float64. Errors wrap ErrInvalidEvent. It is safe for concurrent use.
func (r *Registry) DecodeEvent(b []byte) (Event, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var e Event
	if err := dec.Decode(&e); err != nil {
		return Event{}, fmt.Errorf("%w: %v", ErrInvalidEvent, err)
	}
	info, err := r.lookup(e.Entity)
	if err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrInvalidEvent, err)
	}
	for k, v := range e.Data {
		f, ok := info.field(k)
		if !ok {
			continue // reported by ValidateEvent
		}
		var out any
		var reason string
		if f.Type == Percent {
			// Stored percents are already on the 0..100 scale.
			out, reason = toDecimal(v)
		} else {
			out, reason = coerce(f.Type, v, colFormat{mark: '.', stored: true})
		}
		if reason != "" {
			return Event{}, fmt.Errorf("%w: event %q: field %q: %s", ErrInvalidEvent, e.EventID, k, reason)
		}
		if out == nil {
			delete(e.Data, k)
			continue
		}
		e.Data[k] = out
	}
	for k, v := range e.Extras {
		e.Extras[k] = NormalizeJSONNumbers(v)
	}
	if err := r.ValidateEvent(&e); err != nil {
		return Event{}, err
	}
	return e, nil
}
