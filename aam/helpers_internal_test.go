package aam

import (
	"errors"
	"fmt"
	"testing"

	"github.com/autonomos/autonomos/canonical"
)

func errFmt(format string, args ...any) error { return fmt.Errorf(format, args...) }

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// nopStore satisfies Store for tests of construction and pure helpers,
// which never reach the store; any call would panic on the nil interface.
type nopStore struct{ Store }

func mustRegistry(t testing.TB) *canonical.Registry {
	t.Helper()
	r, err := canonical.NewRegistry()
	if err != nil {
		t.Fatal(err)
	}
	return r
}
