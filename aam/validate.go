package aam

import (
	"fmt"
	"math"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/tenancy"
)

// invalidf returns an error wrapping ErrInvalid with the formatted reason.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Validate reports the first reason a store must refuse to write the
// proposal: a nil connection id, an empty object, target or entity, an
// unknown kind or status, a confidence outside 0..1, or a negative base
// version. The error wraps ErrInvalid. Store adapters call it so they all
// accept the same proposals.
func (p Proposal) Validate() error {
	switch {
	case p.ConnectionID == uuid.Nil:
		return invalidf("connection id is the nil uuid")
	case p.Object == "":
		return invalidf("object is empty")
	case p.Target == "":
		return invalidf("target is empty")
	case p.Entity == "":
		return invalidf("entity is empty")
	case !p.Kind.Valid():
		return invalidf("kind %q is not repair or bulk", p.Kind)
	case !p.Status.Valid():
		return invalidf("status %q is not valid", p.Status)
	case math.IsNaN(p.Confidence) || p.Confidence < 0 || p.Confidence > 1:
		return invalidf("confidence %v is not within 0..1", p.Confidence)
	case p.BaseVersion < 0:
		return invalidf("base version %d is negative", p.BaseVersion)
	}
	return nil
}

// Validate reports the first reason a store must refuse to write the
// snapshot: a nil connection id, an empty object or fingerprint. The error
// wraps ErrInvalid.
func (s SchemaSnapshot) Validate() error {
	switch {
	case s.ConnectionID == uuid.Nil:
		return invalidf("connection id is the nil uuid")
	case s.Object == "":
		return invalidf("object is empty")
	case s.Fingerprint == "":
		return invalidf("fingerprint is empty")
	}
	return nil
}

// Validate reports the first reason a store must refuse to write the drift
// event: a nil connection id or an empty object. The error wraps
// ErrInvalid.
func (d DriftEvent) Validate() error {
	switch {
	case d.ConnectionID == uuid.Nil:
		return invalidf("drift event: connection id is the nil uuid")
	case d.Object == "":
		return invalidf("drift event: object is empty")
	}
	return nil
}

// Validate reports the first reason a mapping key is unusable: a nil
// connection id or an empty object. The error wraps ErrInvalid.
func (k MappingKey) Validate() error {
	switch {
	case k.ConnectionID == uuid.Nil:
		return invalidf("connection id is the nil uuid")
	case k.Object == "":
		return invalidf("object is empty")
	}
	return nil
}

// Validate reports the first reason a store must refuse the request: an
// invalid key, a negative expected version, an empty mapping entity or an
// empty author. The error wraps ErrInvalid.
func (r PutMapping) Validate() error {
	if err := r.MappingKey.Validate(); err != nil {
		return err
	}
	switch {
	case r.ExpectedVersion < 0:
		return invalidf("expected version %d is negative", r.ExpectedVersion)
	case r.Mapping.Entity == "":
		return invalidf("mapping entity is empty")
	case r.Author == "":
		return invalidf("author is empty")
	}
	return nil
}

// Validate reports a checkpoint without a connection id or an object. The
// error wraps ErrInvalid.
func (c Checkpoint) Validate() error {
	if c.ConnectionID == uuid.Nil || c.Object == "" {
		return invalidf("checkpoint needs a connection id and an object")
	}
	return nil
}

// ValidateTenantName reports why name cannot name a new tenant, by the
// tenancy rule (1 to 63 letters, digits, '-' or '_'; see
// tenancy.ValidateTenantName). The error wraps ErrInvalid. Store adapters
// call it in CreateTenant, so the aam and tenancy layers accept the same
// names.
func ValidateTenantName(name string) error {
	if err := tenancy.ValidateTenantName(name); err != nil {
		return invalidf("%s", tenancy.PublicMessage(err))
	}
	return nil
}
