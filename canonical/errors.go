package canonical

import "errors"

// Sentinel errors of the package; test with errors.Is. Every error returned
// by this package wraps exactly one of them (ErrInvalidSchema, for source
// schemas, is declared next to SourceSchema).
var (
	// ErrInvalidEntity: a custom entity given to NewRegistry is malformed or
	// clashes with another entity.
	ErrInvalidEntity = errors.New("canonical: invalid entity")
	// ErrUnknownEntity: no entity of that name is registered.
	ErrUnknownEntity = errors.New("canonical: unknown entity")
	// ErrInvalidMapping: a mapping does not fit its entity (unknown target,
	// two sources for one target, unknown transform, bad confidence ...).
	ErrInvalidMapping = errors.New("canonical: invalid mapping")
	// ErrInvalidValue: a value cannot be coerced to its canonical type.
	ErrInvalidValue = errors.New("canonical: invalid value")
	// ErrMissingRequired: a required canonical field has no value.
	ErrMissingRequired = errors.New("canonical: missing required field")
	// ErrInvalidEvent: an event does not fit the canonical schema.
	ErrInvalidEvent = errors.New("canonical: invalid event")
)
