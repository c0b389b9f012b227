//go:build !unix

package duckstore

import (
	"fmt"
	"os"
)

// lockDir opens the lock file; outside Unix only DuckDB's own file lock
// guards the directory.
func lockDir(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("duckstore: open lock file: %w", err)
	}
	return f, nil
}
