package dcl

import (
	"fmt"
	"path/filepath"

	"github.com/google/uuid"
)

// fileNamePrefix and fileNameSuffix frame the tenant UUID in the name of a
// tenant's DuckDB file.
const (
	fileNamePrefix = "registry_"
	fileNameSuffix = ".duckdb"
)

// ParseTenantID parses a tenant id given as text (a flag, a URL segment).
// Only the canonical 36-character UUID form is accepted, so text such as
// "../x", a path or a braced or URN form never reaches a file name.
// The error wraps ErrInvalid.
func ParseTenantID(s string) (uuid.UUID, error) {
	if len(s) != 36 {
		return uuid.Nil, fmt.Errorf("%w: tenant id %q is not a uuid", ErrInvalid, s)
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return uuid.Nil, fmt.Errorf("%w: tenant id %q is not a uuid", ErrInvalid, s)
	}
	if id == uuid.Nil {
		return uuid.Nil, fmt.Errorf("%w: tenant id is the nil uuid", ErrInvalid)
	}
	return id, nil
}

// TenantFile returns the path of a tenant's DuckDB file under dataDir:
// dataDir/registry_{tenant}.duckdb. The name is built only from the UUID's
// canonical text, so it never leaves dataDir. The nil UUID is refused with
// ErrInvalid.
func TenantFile(dataDir string, tenant uuid.UUID) (string, error) {
	if tenant == uuid.Nil {
		return "", fmt.Errorf("%w: tenant id is the nil uuid", ErrInvalid)
	}
	if dataDir == "" {
		return "", fmt.Errorf("%w: data directory is empty", ErrInvalid)
	}
	return filepath.Join(dataDir, fileNamePrefix+tenant.String()+fileNameSuffix), nil
}
