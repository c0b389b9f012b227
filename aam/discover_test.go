package aam_test

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

func TestDiscoverReturnsTheCatalog(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		e := setup(t, kind, nil)
		e.write("customers.csv", "Id,Name", "1,Acme", "2,Globex")
		conn := e.fileConnection(e.tenant)
		cat, err := e.mesh.Discover(e.ctx, e.tenant, conn.ID)
		require.NoError(t, err)
		obj, ok := cat.Object("customers")
		require.True(t, ok, "the file is an object of the catalog")
		_, ok = obj.Schema.Field("Name")
		require.True(t, ok)

		_, err = e.mesh.Discover(e.ctx, e.tenant, uuid.New())
		require.ErrorIs(t, err, aam.ErrNotFound, "an unknown connection is not found")
		_, err = e.mesh.Discover(e.ctx, e.newTenant(), conn.ID)
		require.ErrorIs(t, err, aam.ErrNotFound, "another tenant's connection is not found")
	})
}
