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
	// Unit declares the column's unit (unix_s, unix_ms for dates and
	// timestamps; fraction, percent for percents); optional. Without it
	// the Mapper decides from the column's profile (MapperOptions.Profile)
	// when it can, once per column.
	Unit Unit `json:"unit,omitempty"`
	// DecimalMark declares the column's decimal separator for numbers
	// written as text: "." or ","; optional (default: the mapping's
	// DecimalMark, else the column's profile, else per value when only one
	// reading is possible).
	DecimalMark string `json:"decimal_mark,omitempty"`
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
	// DerivedID, when set, gives a canonical field (usually the entity's
	// identifier) a deterministic hash of named source fields, for
	// sources without an id of their own; it is also the record's id.
	DerivedID *DerivedID `json:"derived_id,omitempty"`
	// NullValues lists the texts read as a missing value (compared after
	// trimming white space). Nil means DefaultNullValues; empty text is
	// always missing.
	NullValues []string `json:"null_values,omitempty"`
	// DecimalMark is the default decimal separator of the object's text
	// numbers, "." or ","; optional (see FieldMapping.DecimalMark).
	DecimalMark string `json:"decimal_mark,omitempty"`
}

// DerivedID declares a canonical field computed as a deterministic hash of
// source fields (see DeriveID).
type DerivedID struct {
	// Field is the canonical field that receives the id.
	Field string `json:"field"`
	// From lists the source fields (paths) hashed, in this order.
	From []string `json:"from"`
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
	c.NullValues = slices.Clone(m.NullValues)
	if m.DerivedID != nil {
		d := *m.DerivedID
		d.From = slices.Clone(d.From)
		c.DerivedID = &d
	}
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
	if len(m.Fields) == 0 && m.DerivedID == nil {
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
		field, _ := info.field(f.Target)
		if !f.Unit.Valid() {
			bad("field mapping %d (target %q): unknown unit %q", i, f.Target, f.Unit)
		} else if field.Name != "" && !f.Unit.fits(field.Type) {
			bad("field mapping %d (target %q): unit %q does not apply to a %s field", i, f.Target, f.Unit, field.Type)
		}
		if !validMark(f.DecimalMark) {
			bad("field mapping %d (target %q): decimal_mark %q must be \".\" or \",\"", i, f.Target, f.DecimalMark)
		}
		if f.Transform == TransformMinorUnits {
			if field.Name != "" && field.Type != Decimal {
				bad("field mapping %d (target %q): minor_units needs a decimal field, not %s", i, f.Target, field.Type)
			}
			if info.currencyField() == "" {
				bad("field mapping %d (target %q): minor_units needs a currency field in the entity", i, f.Target)
			}
		}
	}
	if !validMark(m.DecimalMark) {
		bad("decimal_mark %q must be \".\" or \",\"", m.DecimalMark)
	}
	if d := m.DerivedID; d != nil {
		if _, ok := info.field(d.Field); !ok {
			bad("derived_id: field %q is not a field of the entity", d.Field)
		} else if _, dup := targets[d.Field]; dup {
			bad("derived_id: field %q is also the target of a field mapping", d.Field)
		}
		if len(d.From) == 0 {
			bad("derived_id: from lists no source fields")
		}
		seen := map[string]bool{}
		for _, src := range d.From {
			if src == "" || seen[src] {
				bad("derived_id: source field %q is empty or listed twice", src)
			}
			seen[src] = true
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
		if _, ok := m.Field(f.Name); f.Required && !ok && (m.DerivedID == nil || m.DerivedID.Field != f.Name) {
			out = append(out, f.Name)
		}
	}
	return out, nil
}
