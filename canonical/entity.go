package canonical

import (
	"fmt"
	"slices"
)

// Field is one field of a canonical entity.
type Field struct {
	// Name is the field's snake_case name, unique within its entity.
	Name string
	// Type is the field's canonical value type.
	Type Type
	// Required marks fields every upsert event must carry.
	Required bool
	// Ref names the entity a Ref-typed field points to; empty for other
	// types.
	Ref string
	// Description says what the field holds; optional.
	Description string
}

// Entity is a canonical entity: a named set of typed fields. The first field
// is the entity's identifier (account_id, contact_id ...) and is required.
type Entity struct {
	// Name is the entity's snake_case name, unique within a Registry.
	Name string
	// Description says what the entity represents; optional.
	Description string
	// Fields lists the entity's fields, identifier first.
	Fields []Field
}

// Field returns the field named name, if the entity has one.
func (e Entity) Field(name string) (Field, bool) {
	for _, f := range e.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// IDField returns the entity's identifier field (its first field), or the
// zero Field for an entity without fields.
func (e Entity) IDField() Field {
	if len(e.Fields) == 0 {
		return Field{}
	}
	return e.Fields[0]
}

// RequiredFields returns the names of the required fields, in field order.
func (e Entity) RequiredFields() []string {
	var out []string
	for _, f := range e.Fields {
		if f.Required {
			out = append(out, f.Name)
		}
	}
	return out
}

// clone returns a copy of e that shares no memory with it.
func (e Entity) clone() Entity {
	e.Fields = slices.Clone(e.Fields)
	return e
}

// maxNameLen bounds entity and field names.
const maxNameLen = 64

// validName reports whether s is a snake_case identifier: a lower-case
// letter, then lower-case letters, digits and underscores.
func validName(s string) bool {
	if s == "" || len(s) > maxNameLen || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

// validateEntity checks e on its own; refs are checked by the registry, which
// knows every entity. known says whether an entity name is taken.
func validateEntity(e Entity, known func(string) bool) error {
	if !validName(e.Name) {
		return fmt.Errorf("%w: name %q is not a snake_case identifier of at most %d bytes", ErrInvalidEntity, e.Name, maxNameLen)
	}
	if known(e.Name) {
		return fmt.Errorf("%w: entity %q is already registered", ErrInvalidEntity, e.Name)
	}
	if len(e.Fields) == 0 {
		return fmt.Errorf("%w: entity %q has no fields", ErrInvalidEntity, e.Name)
	}
	if !e.Fields[0].Required {
		return fmt.Errorf("%w: entity %q: identifier field %q (the first field) must be required", ErrInvalidEntity, e.Name, e.Fields[0].Name)
	}
	seen := make(map[string]bool, len(e.Fields))
	for i, f := range e.Fields {
		if !validName(f.Name) {
			return fmt.Errorf("%w: entity %q: field %d: name %q is not a snake_case identifier of at most %d bytes", ErrInvalidEntity, e.Name, i, f.Name, maxNameLen)
		}
		if seen[f.Name] {
			return fmt.Errorf("%w: entity %q: field %q appears twice", ErrInvalidEntity, e.Name, f.Name)
		}
		seen[f.Name] = true
		if !f.Type.Valid() {
			return fmt.Errorf("%w: entity %q: field %q has unknown type %q", ErrInvalidEntity, e.Name, f.Name, f.Type)
		}
		if f.Type == Ref && f.Ref == "" {
			return fmt.Errorf("%w: entity %q: field %q of type ref names no entity in Ref", ErrInvalidEntity, e.Name, f.Name)
		}
		if f.Type != Ref && f.Ref != "" {
			return fmt.Errorf("%w: entity %q: field %q has Ref %q but type %q, not ref", ErrInvalidEntity, e.Name, f.Name, f.Ref, f.Type)
		}
	}
	return nil
}
