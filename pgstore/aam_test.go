package pgstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/aam/aamtest"
	"github.com/autonomos/autonomos/pgstore"
)

// newAAM returns the aam.Store of a fresh, migrated database.
func newAAM(t testing.TB) (*pgstore.AAM, *pgstore.Store) {
	t.Helper()
	store, _, _ := setup(t)
	a, err := pgstore.NewAAM(store)
	require.NoError(t, err)
	return a, store
}

// TestAAMConformance runs the aam.Store conformance suite. Its subtests
// share one fresh database: each works with tenants of its own, so they
// also show that isolation holds beside the other subtests' data (and the
// run costs one database, not one per subtest).
func TestAAMConformance(t *testing.T) {
	t.Parallel()
	a, _ := newAAM(t)
	aamtest.Run(t, func(t *testing.T) aam.Store { return a })
}

func TestNewAAMNilStore(t *testing.T) {
	t.Parallel()
	_, err := pgstore.NewAAM(nil)
	require.ErrorIs(t, err, pgstore.ErrInvalid)
}
