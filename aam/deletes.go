package aam

import (
	"time"

	"github.com/autonomos/autonomos/canonical"
)

// DeleteEvent returns the OpDelete event that removes one source record
// (meta.ConnectionID, meta.Object, meta.RecordID) from entity: empty data,
// an empty record hash, and an event id derived from the record's identity
// and that empty hash, so deleting the same record twice in a row is one
// event (the stream keeps a record's latest version, see EventLog.Append).
// meta.Op is ignored; a zero meta.EmittedAt is stamped with at.
func DeleteEvent(entity string, mappingVersion int, meta canonical.RecordMeta, at time.Time) canonical.Event {
	emitted := meta.EmittedAt
	if emitted.IsZero() {
		emitted = at
	}
	return canonical.Event{
		EventID: canonical.EventID(meta.TenantID, meta.ConnectionID, meta.Object, meta.RecordID, ""),
		Entity:  entity,
		Op:      canonical.OpDelete,
		Data:    map[string]any{},
		Meta: canonical.EventMeta{
			TenantID:       meta.TenantID,
			TraceID:        meta.TraceID,
			MappingVersion: mappingVersion,
			SchemaVersion:  canonical.SchemaVersion,
			EmittedAt:      emitted.UTC(),
		},
		Source: canonical.EventSource{
			System:       meta.System,
			ConnectionID: meta.ConnectionID,
			Object:       meta.Object,
			RecordID:     meta.RecordID,
		},
	}
}

// RecordKey identifies a source record within a tenant's stream.
type RecordKey struct {
	ConnectionID string
	Object       string
	RecordID     string
}

// KeyOf returns the record key of an event.
func KeyOf(e *canonical.Event) RecordKey {
	return RecordKey{ConnectionID: e.Source.ConnectionID, Object: e.Source.Object, RecordID: e.Source.RecordID}
}

// SameVersion reports whether two events of one record set it to the same
// version: both delete it, or both upsert the same content (record hash).
func SameVersion(a, b *canonical.Event) bool {
	return a.Op == b.Op && (a.Op == canonical.OpDelete || a.Source.RecordHash == b.Source.RecordHash)
}

// BatchPlace says where an event stands among its record's events in one
// batch; storage adapters use it to keep a record's latest version.
type BatchPlace struct {
	// Repeat is true when the event sets the same version as the record's
	// previous event in the batch: it is not new and is dropped.
	Repeat bool
	// First is true for the record's first event in the batch: it is new
	// only if it differs from the record's latest version in the stream
	// (an upsert: no latest version, a deleted one, or other content; a
	// delete: a latest version that is not deleted). Every later kept event
	// differs from the one before it and is new.
	First bool
	// Last is true for the record's last kept event in the batch: the
	// record's latest version after the batch, if the event is new.
	Last bool
}

// PlaceEvents classifies a batch's events by record, in batch order.
func PlaceEvents(events []canonical.Event) []BatchPlace {
	places := make([]BatchPlace, len(events))
	prev := make(map[RecordKey]int, len(events))
	for i := range events {
		k := KeyOf(&events[i])
		j, seen := prev[k]
		switch {
		case !seen:
			places[i].First = true
		case SameVersion(&events[j], &events[i]):
			places[i].Repeat = true
			continue
		default:
			places[j].Last = false
		}
		places[i].Last = true
		prev[k] = i
	}
	return places
}
