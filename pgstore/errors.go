package pgstore

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
)

// Errors returned by this package; test with errors.Is. Backend errors are
// wrapped, not replaced, so errors.As still finds a *pgconn.PgError.
var (
	// ErrNotFound: the query matched no row (pgx.ErrNoRows).
	ErrNotFound = errors.New("pgstore: not found")
	// ErrConflict: a unique or exclusion constraint rejected the write.
	ErrConflict = errors.New("pgstore: conflict")
	// ErrInvalid: an argument or a value was rejected (nil tenant id, bad
	// options, not-null, check or foreign-key constraint, malformed value).
	ErrInvalid = errors.New("pgstore: invalid")
	// ErrForbidden: the database refused the operation for lack of
	// privilege, including a write outside the transaction's tenant
	// (row-level security WITH CHECK).
	ErrForbidden = errors.New("pgstore: forbidden")
	// ErrClosed: the Store or its pool is closed.
	ErrClosed = errors.New("pgstore: closed")
	// ErrMigrationChanged: an already-applied migration file no longer has
	// the checksum recorded when it was applied.
	ErrMigrationChanged = errors.New("pgstore: applied migration changed")
	// ErrUnprotected: CheckRLS found a tenant table or an application role
	// that breaks the isolation rules; the error is an *RLSError.
	ErrUnprotected = errors.New("pgstore: tenant isolation broken")
)

// SQLSTATE codes interpretError translates.
const (
	codeUniqueViolation       = "23505"
	codeExclusionViolation    = "23P01"
	codeNotNullViolation      = "23502"
	codeForeignKeyViolation   = "23503"
	codeCheckViolation        = "23514"
	codeInvalidTextRepr       = "22P02"
	codeStringTooLong         = "22001"
	codeNumericOutOfRange     = "22003"
	codeInvalidDatetimeFormat = "22007"
	codeDatetimeOverflow      = "22008"
	codeInsufficientPrivilege = "42501"
)

// interpretError is the one place backend errors become this package's
// sentinels. It wraps rather than replaces, returns errors it does not know
// unchanged, and leaves an already classified error alone.
func interpretError(err error) error {
	if err == nil {
		return nil
	}
	for _, s := range []error{ErrNotFound, ErrConflict, ErrInvalid, ErrForbidden, ErrClosed} {
		if errors.Is(err, s) {
			return err
		}
	}
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return fmt.Errorf("%w: %w", ErrNotFound, err)
	case errors.Is(err, puddle.ErrClosedPool):
		return fmt.Errorf("%w: %w", ErrClosed, err)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return err
	}
	switch pgErr.Code {
	case codeUniqueViolation, codeExclusionViolation:
		return fmt.Errorf("%w: %w", ErrConflict, err)
	case codeNotNullViolation, codeForeignKeyViolation, codeCheckViolation,
		codeInvalidTextRepr, codeStringTooLong, codeNumericOutOfRange,
		codeInvalidDatetimeFormat, codeDatetimeOverflow:
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	case codeInsufficientPrivilege:
		return fmt.Errorf("%w: %w", ErrForbidden, err)
	}
	return err
}
