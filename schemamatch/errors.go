package schemamatch

import "errors"

// Errors of the schemamatch package; test with errors.Is.
var (
	// ErrInvalid: an argument failed validation (a malformed schema, an
	// unknown entity or field, a bad option or threshold).
	ErrInvalid = errors.New("schemamatch: invalid argument")
	// ErrUnavailable: an optional ability is not configured or its backend
	// cannot be used right now (Remember without a vector store, a store
	// that is down).
	ErrUnavailable = errors.New("schemamatch: unavailable")
)
