package canonical

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// FieldType is a source field's declared type, normalized to the small set of
// the source-schema document format.
type FieldType string

// The source field types of the source-schema document format.
const (
	TypeString   FieldType = "string"
	TypeInteger  FieldType = "integer"
	TypeNumber   FieldType = "number"
	TypeBoolean  FieldType = "boolean"
	TypeDate     FieldType = "date"
	TypeDatetime FieldType = "datetime"
	TypeObject   FieldType = "object"
	TypeArray    FieldType = "array"
	TypeUnknown  FieldType = "unknown"
)

// Valid reports whether t is one of the source field types.
func (t FieldType) Valid() bool {
	switch t {
	case TypeString, TypeInteger, TypeNumber, TypeBoolean, TypeDate, TypeDatetime, TypeObject, TypeArray, TypeUnknown:
		return true
	}
	return false
}

// Limits on source-schema documents; a document beyond them is invalid.
const (
	// MaxSchemaBytes is the largest source-schema document accepted (8 MiB).
	MaxSchemaBytes = 8 << 20
	// MaxSchemaFields is the largest number of fields in one document.
	MaxSchemaFields = 10000
	// MaxSamples is the largest number of sample values kept per field.
	MaxSamples = 20
)

// SourceField is one field of a source object.
type SourceField struct {
	// Name is the field's name exactly as the source spells it.
	Name string `json:"name"`
	// Type is the declared type; empty is read as TypeUnknown.
	Type FieldType `json:"type"`
	// Samples holds up to MaxSamples example values, JSON-typed.
	Samples []any `json:"samples,omitempty"`
}

// SourceSchema describes one source object (a table, API object or file) as
// a connector discovers it. Its JSON form is the source-schema document. It
// is a plain value: safe for concurrent reads, not for concurrent writes
// (Validate writes default types).
type SourceSchema struct {
	// System is the source system's kind in lower case, e.g. "salesforce";
	// free text.
	System string `json:"system"`
	// Object is the object, table or file name as the source spells it.
	Object string `json:"object"`
	// Fields lists the object's fields; names are unique.
	Fields []SourceField `json:"fields"`
}

// ErrInvalidSchema is wrapped by every error that rejects a source-schema
// document.
var ErrInvalidSchema = errors.New("canonical: invalid source schema")

// ParseSourceSchema decodes and validates a source-schema document (see
// Validate for the rules). Unknown keys are ignored. Numbers in samples
// become int64 when they are integers that fit, float64 otherwise. Documents
// over MaxSchemaBytes, malformed JSON and trailing data are rejected too. The
// error wraps ErrInvalidSchema and says what is wrong. It is safe for
// concurrent use.
func ParseSourceSchema(data []byte) (*SourceSchema, error) {
	if len(data) > MaxSchemaBytes {
		return nil, fmt.Errorf("%w: document is %d bytes, larger than the %d-byte limit", ErrInvalidSchema, len(data), MaxSchemaBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var s SourceSchema
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSchema, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data after the document", ErrInvalidSchema)
	}
	for i := range s.Fields {
		for j, v := range s.Fields[i].Samples {
			s.Fields[i].Samples[j] = NormalizeJSONNumbers(v)
		}
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks the rules of the source-schema format: at least one field,
// every field named, no two fields with the same name, known types, at most
// MaxSamples samples. Empty types are set to TypeUnknown. The error wraps
// ErrInvalidSchema.
func (s *SourceSchema) Validate() error {
	if len(s.Fields) == 0 {
		return fmt.Errorf("%w: no fields", ErrInvalidSchema)
	}
	if len(s.Fields) > MaxSchemaFields {
		return fmt.Errorf("%w: %d fields, more than the limit of %d", ErrInvalidSchema, len(s.Fields), MaxSchemaFields)
	}
	seen := make(map[string]int, len(s.Fields))
	for i := range s.Fields {
		f := &s.Fields[i]
		if strings.TrimSpace(f.Name) == "" {
			return fmt.Errorf("%w: field %d has no name", ErrInvalidSchema, i)
		}
		if j, dup := seen[f.Name]; dup {
			return fmt.Errorf("%w: field %q appears twice (fields %d and %d)", ErrInvalidSchema, f.Name, j, i)
		}
		seen[f.Name] = i
		if f.Type == "" {
			f.Type = TypeUnknown
		}
		if !f.Type.Valid() {
			return fmt.Errorf("%w: field %q has unknown type %q", ErrInvalidSchema, f.Name, f.Type)
		}
		if len(f.Samples) > MaxSamples {
			return fmt.Errorf("%w: field %q has %d samples, more than %d", ErrInvalidSchema, f.Name, len(f.Samples), MaxSamples)
		}
	}
	return nil
}

// Field returns the field named name (exact match), if present.
func (s *SourceSchema) Field(name string) (SourceField, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return SourceField{}, false
}
