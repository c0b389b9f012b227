package dcl

import "errors"

// Sentinel errors of the dcl package and of every GraphStore adapter; test
// with errors.Is. Every error returned by this package wraps one of them, or
// the context's error.
var (
	// ErrInvalid: an argument failed validation (a tenant id that is not a
	// UUID, an unknown view, field, operator or aggregate, a malformed page
	// token, an event of another tenant ...).
	ErrInvalid = errors.New("dcl: invalid argument")
	// ErrNotFound: the node, unified entity or view does not exist.
	ErrNotFound = errors.New("dcl: not found")
	// ErrClosed: the engine or store has been closed.
	ErrClosed = errors.New("dcl: closed")
	// ErrStorage: the DuckDB engine failed (disk, corruption, conflict).
	ErrStorage = errors.New("dcl: storage error")
)
