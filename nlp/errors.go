package nlp

import "errors"

// Errors of the nlp package; test with errors.Is.
var (
	// ErrInvalid: an argument failed validation (empty or oversized
	// question, bad as-of date, bad catalog entry, bad document).
	ErrInvalid = errors.New("nlp: invalid argument")
	// ErrNotFound: the document or tenant does not exist.
	ErrNotFound = errors.New("nlp: not found")
	// ErrUnavailable: a backend the answer needs (views, platform store,
	// knowledge base) is not configured or failed.
	ErrUnavailable = errors.New("nlp: unavailable")
)
