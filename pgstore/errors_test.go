package pgstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
	"github.com/stretchr/testify/require"
)

func TestInterpretError(t *testing.T) {
	t.Parallel()
	pgErr := func(code string) error { return &pgconn.PgError{Code: code, Message: "m"} }
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"no rows", pgx.ErrNoRows, ErrNotFound},
		{"wrapped no rows", fmt.Errorf("scan: %w", pgx.ErrNoRows), ErrNotFound},
		{"closed pool", puddle.ErrClosedPool, ErrClosed},
		{"unique", pgErr(codeUniqueViolation), ErrConflict},
		{"exclusion", pgErr(codeExclusionViolation), ErrConflict},
		{"not null", pgErr(codeNotNullViolation), ErrInvalid},
		{"foreign key", pgErr(codeForeignKeyViolation), ErrInvalid},
		{"check", pgErr(codeCheckViolation), ErrInvalid},
		{"bad uuid text", pgErr(codeInvalidTextRepr), ErrInvalid},
		{"privilege / rls", pgErr(codeInsufficientPrivilege), ErrForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := interpretError(c.err)
			require.ErrorIs(t, got, c.want)
			require.ErrorIs(t, got, c.err, "the backend error stays wrapped")
			require.Same(t, got, interpretError(got), "a classified error is not wrapped again")
		})
	}

	require.NoError(t, interpretError(nil))
	other := errors.New("other")
	require.Same(t, other, interpretError(other))
	syntax := pgErr("42601")
	require.Same(t, syntax, interpretError(syntax))
}
