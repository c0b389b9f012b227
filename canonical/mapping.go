package canonical

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// Origin says who made a field mapping.
type Origin string

// The origins of field mappings.
const (
	// OriginManual: written by a person.
	OriginManual Origin = "manual"
	// OriginAuto: proposed by the matcher and applied automatically.
	OriginAuto Origin = "auto"
	// OriginReviewed: proposed by the matcher and approved by a person.
	OriginReviewed Origin = "reviewed"
	// OriginLLM: proposed or confirmed by a language model.
	OriginLLM Origin = "llm"
)

// Valid reports whether o is a known origin. Empty is valid and means
// OriginManual.
func (o Origin) Valid() bool {
	switch o {
	case "", OriginManual, OriginAuto, OriginReviewed, OriginLLM:
		return true
	}
	return false
}

// FieldMapping maps one source field to one canonical field.
type FieldMapping struct {
	// Source is the source field's name, or a dotted path into nested
	// objects ("Owner.id", "MetaData.CreateTime", "Lines.0.Amount"). A
	// key that itself contains dots matches as a whole first.
	Source string `json:"source"`
	// Target is the canonical field of the mapping's entity.
	Target string `json:"target"`
	// Transform is applied to the source value before coercion; optional.
	Transform Transform `json:"transform,omitempty"`
	// Confidence is how sure the mapping's maker is, 0..1.
	Confidence float64 `json:"confidence"`
	// Origin says who made the mapping; empty means OriginManual.
	Origin Origin `json:"origin,omitempty"`
}

// Mapping maps the fields of one source object to one canonical entity. It
// is plain data (JSON-ready); NewMapper compiles it for use.
type Mapping struct {
	// Entity is the canonical entity the records become.
	Entity string `json:"entity"`
	// System is the source system's kind, e.g. "salesforce"; optional.
	System string `json:"system,omitempty"`
	// Object is the source object, e.g. "Account"; optional.
	Object string `json:"object,omitempty"`
	// Version is the mapping's version, 0 or more; each applied change
	// makes a new version.
	Version int `json:"version"`
	// Fields lists the field mappings, at most one per target.
	Fields []FieldMapping `json:"fields"`
}

// Field returns the field mapping whose target is target, if any.
func (m *Mapping) Field(target string) (FieldMapping, bool) {
	for _, f := range m.Fields {
		if f.Target == target {
			return f, true
		}
	}
	return FieldMapping{}, false
}

// Clone returns a deep copy of m.
func (m *Mapping) Clone() Mapping {
	c := *m
	c.Fields = slices.Clone(m.Fields)
	return c
}

// Validate checks m against the registry: the entity exists, the version is
// not negative, there is at least one field mapping, and every field mapping
// has a source, a target that is a field of the entity and no other
// mapping's target, a known transform, a confidence in 0..1 and a known
// origin. It reports every problem, joined; each wraps ErrInvalidMapping
// (and ErrUnknownEntity for an unknown entity).
func (m *Mapping) Validate(reg *Registry) error {
	if reg == nil {
		return fmt.Errorf("%w: registry is nil", ErrInvalidMapping)
	}
	info, err := reg.lookup(m.Entity)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidMapping, err)
	}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: entity %q: "+format, append([]any{ErrInvalidMapping, m.Entity}, args...)...))
	}
	if m.Version < 0 {
		bad("version %d is negative", m.Version)
	}
	if len(m.Fields) == 0 {
		bad("no field mappings")
	}
	targets := make(map[string]int, len(m.Fields))
	for i, f := range m.Fields {
		if f.Source == "" {
			bad("field mapping %d (target %q) has no source", i, f.Target)
		}
		if _, ok := info.field(f.Target); !ok {
			bad("field mapping %d (source %q): target %q is not a field of the entity", i, f.Source, f.Target)
		} else if j, dup := targets[f.Target]; dup {
			bad("target %q is mapped twice (field mappings %d and %d)", f.Target, j, i)
		} else {
			targets[f.Target] = i
		}
		if !f.Transform.Valid() {
			bad("field mapping %d (target %q): unknown transform %q", i, f.Target, f.Transform)
		}
		if math.IsNaN(f.Confidence) || f.Confidence < 0 || f.Confidence > 1 {
			bad("field mapping %d (target %q): confidence %v is outside 0..1", i, f.Target, f.Confidence)
		}
		if !f.Origin.Valid() {
			bad("field mapping %d (target %q): unknown origin %q", i, f.Target, f.Origin)
		}
	}
	return errors.Join(errs...)
}

// MissingRequired returns the required fields of the mapping's entity that
// no field mapping targets, in field order. The error wraps
// ErrUnknownEntity.
func (m *Mapping) MissingRequired(reg *Registry) ([]string, error) {
	if reg == nil {
		return nil, fmt.Errorf("%w: registry is nil", ErrInvalidMapping)
	}
	info, err := reg.lookup(m.Entity)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range info.entity.Fields {
		if _, ok := m.Field(f.Name); f.Required && !ok {
			out = append(out, f.Name)
		}
	}
	return out, nil
}
