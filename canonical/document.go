package canonical

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Document is the canonical schema document, the JSON form of a Registry:
//
//	{"version": 1,
//	 "types": {"string": "...", ...},
//	 "entities": {"account": {"description": "...",
//	     "fields": {"account_id": {"type": "string", "required": true, "ref": "...", "description": "..."}}}},
//	 "event": {"description": "...", "fields": {"event_id": "...", ...}}}
//
// Objects keep their order both ways: marshaling writes types, entities and
// fields in slice order, unmarshaling fills the slices in document order.
// Absent "required" means false; empty "ref" and "description" are omitted.
type Document struct {
	Version  int        `json:"version"`
	Types    TypeDocs   `json:"types"`
	Entities EntityDocs `json:"entities"`
	Event    *EventDoc  `json:"event,omitempty"`
}

// TypeDoc describes one canonical type.
type TypeDoc struct {
	Name        Type
	Description string
}

// TypeDocs is an ordered JSON object: type name -> description.
type TypeDocs []TypeDoc

// EntityDoc describes one entity; Name is its key in the entities object.
type EntityDoc struct {
	Name        string    `json:"-"`
	Description string    `json:"description,omitempty"`
	Fields      FieldDocs `json:"fields"`
}

// EntityDocs is an ordered JSON object: entity name -> EntityDoc.
type EntityDocs []EntityDoc

// FieldDoc describes one field; Name is its key in the fields object.
type FieldDoc struct {
	Name        string `json:"-"`
	Type        Type   `json:"type"`
	Required    bool   `json:"required,omitempty"`
	Ref         string `json:"ref,omitempty"`
	Description string `json:"description,omitempty"`
}

// FieldDocs is an ordered JSON object: field name -> FieldDoc.
type FieldDocs []FieldDoc

// EventDoc describes the canonical event.
type EventDoc struct {
	Description string         `json:"description,omitempty"`
	Fields      EventFieldDocs `json:"fields"`
}

// EventFieldDoc describes one top-level key of the canonical event.
type EventFieldDoc struct {
	Name        string
	Description string
}

// EventFieldDocs is an ordered JSON object: event key -> description.
type EventFieldDocs []EventFieldDoc

// MarshalJSON writes the types as one object, in order.
func (d TypeDocs) MarshalJSON() ([]byte, error) {
	return marshalOrdered(len(d), func(i int) (string, any) { return string(d[i].Name), d[i].Description })
}

// UnmarshalJSON reads an object of type name -> description, keeping order.
// The error names a duplicate key or a non-string description.
func (d *TypeDocs) UnmarshalJSON(data []byte) error {
	*d = nil
	return unmarshalOrdered(data, "types", func(key string, raw json.RawMessage) error {
		var desc string
		if err := json.Unmarshal(raw, &desc); err != nil {
			return err
		}
		*d = append(*d, TypeDoc{Name: Type(key), Description: desc})
		return nil
	})
}

// MarshalJSON writes the entities as one object, in order.
func (d EntityDocs) MarshalJSON() ([]byte, error) {
	return marshalOrdered(len(d), func(i int) (string, any) { return d[i].Name, d[i] })
}

// UnmarshalJSON reads an object of entity name -> entity, keeping order.
func (d *EntityDocs) UnmarshalJSON(data []byte) error {
	*d = nil
	return unmarshalOrdered(data, "entities", func(key string, raw json.RawMessage) error {
		var e EntityDoc
		if err := json.Unmarshal(raw, &e); err != nil {
			return err
		}
		e.Name = key
		*d = append(*d, e)
		return nil
	})
}

// MarshalJSON writes the fields as one object, in order.
func (d FieldDocs) MarshalJSON() ([]byte, error) {
	return marshalOrdered(len(d), func(i int) (string, any) { return d[i].Name, d[i] })
}

// UnmarshalJSON reads an object of field name -> field, keeping order.
func (d *FieldDocs) UnmarshalJSON(data []byte) error {
	*d = nil
	return unmarshalOrdered(data, "fields", func(key string, raw json.RawMessage) error {
		var f FieldDoc
		if err := json.Unmarshal(raw, &f); err != nil {
			return err
		}
		f.Name = key
		*d = append(*d, f)
		return nil
	})
}

// MarshalJSON writes the event keys as one object, in order.
func (d EventFieldDocs) MarshalJSON() ([]byte, error) {
	return marshalOrdered(len(d), func(i int) (string, any) { return d[i].Name, d[i].Description })
}

// UnmarshalJSON reads an object of event key -> description, keeping order.
func (d *EventFieldDocs) UnmarshalJSON(data []byte) error {
	*d = nil
	return unmarshalOrdered(data, "event fields", func(key string, raw json.RawMessage) error {
		var desc string
		if err := json.Unmarshal(raw, &desc); err != nil {
			return err
		}
		*d = append(*d, EventFieldDoc{Name: key, Description: desc})
		return nil
	})
}

// Entity converts the document entity back into an Entity, for example to
// register custom entities kept as JSON with NewRegistry.
func (d EntityDoc) Entity() Entity {
	e := Entity{Name: d.Name, Description: d.Description, Fields: make([]Field, len(d.Fields))}
	for i, f := range d.Fields {
		e.Fields[i] = Field(f)
	}
	return e
}

// marshalOrdered writes n key/value pairs as one JSON object, in order.
func marshalOrdered(n int, pair func(i int) (string, any)) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i := range n {
		k, v := pair(i)
		if i > 0 {
			buf.WriteByte(',')
		}
		kb, err := json.Marshal(k)
		if err != nil {
			return nil, err
		}
		vb, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(vb)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// unmarshalOrdered calls each for every key of the JSON object in data, in
// document order. null is an empty object; duplicate keys are an error.
func unmarshalOrdered(data []byte, what string, each func(key string, raw json.RawMessage) error) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return fmt.Errorf("canonical: %s: %w", what, err)
	}
	if tok != json.Delim('{') {
		return fmt.Errorf("canonical: %s: want a JSON object", what)
	}
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("canonical: %s: %w", what, err)
		}
		key := tok.(string) // object keys are always strings
		if seen[key] {
			return fmt.Errorf("canonical: %s: key %q appears twice", what, key)
		}
		seen[key] = true
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("canonical: %s: %q: %w", what, key, err)
		}
		if err := each(key, raw); err != nil {
			return fmt.Errorf("canonical: %s: %q: %w", what, key, err)
		}
	}
	return nil
}
