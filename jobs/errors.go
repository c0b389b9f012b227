package jobs

import "errors"

// Sentinel errors returned (wrapped) by Queue, Workers and drivers. Test for
// them with errors.Is.
var (
	// ErrInvalid reports an invalid argument: a bad tenant ID, an empty job
	// type, a negative option.
	ErrInvalid = errors.New("jobs: invalid argument")
	// ErrNotFound reports a job that does not exist (or no longer exists
	// after its retention ended).
	ErrNotFound = errors.New("jobs: job not found")
	// ErrDuplicate reports an Enqueue whose unique key is held by a job that
	// has not finished yet; the existing job is returned with it.
	ErrDuplicate = errors.New("jobs: duplicate unique key")
	// ErrState reports an operation not allowed in the job's current state,
	// such as cancelling a completed job or re-queueing a running one.
	ErrState = errors.New("jobs: operation not allowed in job state")
	// ErrClosed reports use of stopped workers.
	ErrClosed = errors.New("jobs: closed")
	// ErrUnavailable reports that the backend is unavailable and the call
	// was not attempted (the request-path guard, such as a circuit breaker,
	// is open). Nothing was stored; retry later.
	ErrUnavailable = errors.New("jobs: backend unavailable")
)

// permanentError marks a handler error that must not be retried.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that the worker marks the job failed at once instead
// of retrying it. Permanent(nil) returns nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err was wrapped by Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
