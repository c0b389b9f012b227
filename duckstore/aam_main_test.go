package duckstore_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no test leaves a goroutine behind (Append encodes
// JSON on a goroutine of its own).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
