package tenancy

import (
	"errors"
	"fmt"
)

// Errors of the tenancy package and of every adapter behind it; test with
// errors.Is. Adapters translate their backend's errors to these in one
// place.
var (
	// ErrInvalid: an argument failed validation (a bad tenant name, e-mail,
	// password, role, key or cursor).
	ErrInvalid = errors.New("tenancy: invalid argument")
	// ErrNotFound: the tenant, user or key does not exist for this tenant.
	ErrNotFound = errors.New("tenancy: not found")
	// ErrConflict: a unique name or e-mail is taken, or an idempotency key
	// is still in flight.
	ErrConflict = errors.New("tenancy: conflict")
	// ErrMismatch: an idempotency key was reused with a different request.
	ErrMismatch = errors.New("tenancy: idempotency key reused with a different request")
	// ErrUnauthorized: the credentials or the token are not valid. Its
	// message never says which part was wrong.
	ErrUnauthorized = errors.New("tenancy: unauthorized")
	// ErrForbidden: the caller's role does not allow the operation.
	ErrForbidden = errors.New("tenancy: forbidden")
	// ErrBusy: too many password hashes are queued; try again later.
	ErrBusy = errors.New("tenancy: busy")
	// ErrUnavailable: a backend the operation needs does not answer.
	ErrUnavailable = errors.New("tenancy: unavailable")
)

// Error is an error of a known kind (one of the sentinels above) with a
// message safe to show a client: it names no secret, SQL or internal
// detail. Wrap it further with %w; errors.As still finds it.
type Error struct {
	// Kind is the sentinel the error matches with errors.Is.
	Kind error
	// Message says what was wrong, for the client.
	Message string
}

// Error returns the kind's text and the message.
func (e *Error) Error() string { return e.Kind.Error() + ": " + e.Message }

// Unwrap returns the kind.
func (e *Error) Unwrap() error { return e.Kind }

// Errorf returns an *Error of kind with the formatted client message.
func Errorf(kind error, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// PublicMessage returns the client message of the first *Error in err's
// chain, or "" when there is none.
func PublicMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return ""
}

// invalidf returns an *Error of kind ErrInvalid.
func invalidf(format string, args ...any) error {
	return Errorf(ErrInvalid, format, args...)
}
