package duckstore_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/tenancytest"
)

func TestTenancyConformance(t *testing.T) {
	t.Parallel()
	s, err := duckstore.Open(testenv.Context(t), testenv.DataDir(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	tn, err := duckstore.NewTenancy(s)
	require.NoError(t, err)
	tenancytest.RunStore(t, func(t *testing.T) tenancy.Store { return tn })
}
