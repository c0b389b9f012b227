package aamtest

import (
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
)

var tenantTests = []test{
	{"CreateAndFind", func(t *testing.T, f *fixture) {
		tn, err := f.s.CreateTenant(f.ctx, f.name("tenant-c"))
		require.NoError(t, err)
		require.NotEqual(t, uuid.Nil, tn.ID)
		require.Equal(t, f.name("tenant-c"), tn.Name)
		require.False(t, tn.CreatedAt.IsZero())
		require.NotEqual(t, f.a.ID, tn.ID)

		got, err := f.s.TenantByName(f.ctx, f.name("tenant-c"))
		require.NoError(t, err)
		require.Equal(t, tn.ID, got.ID)
		require.Equal(t, tn.Name, got.Name)
		require.WithinDuration(t, tn.CreatedAt, got.CreatedAt, time.Millisecond)

		got, err = f.s.TenantByName(f.ctx, f.a.Name)
		require.NoError(t, err)
		require.Equal(t, f.a.ID, got.ID)
	}},
	{"DuplicateName", func(t *testing.T, f *fixture) {
		_, err := f.s.CreateTenant(f.ctx, f.a.Name)
		requireIs(t, err, aam.ErrConflict)
		require.NotContains(t, strings.ToLower(err.Error()), "duplicate", "the conflict carries no backend text")
		got, err := f.s.TenantByName(f.ctx, f.a.Name)
		require.NoError(t, err)
		require.Equal(t, f.a.ID, got.ID, "the first tenant keeps its name")
	}},
	{"List", func(t *testing.T, f *fixture) {
		got, err := f.s.Tenants(f.ctx)
		require.NoError(t, err)
		byID := map[uuid.UUID]aam.Tenant{}
		for i, tn := range got {
			byID[tn.ID] = tn
			if i > 0 {
				require.LessOrEqual(t, got[i-1].Name, tn.Name, "ordered by name")
			}
		}
		require.Equal(t, f.a.Name, byID[f.a.ID].Name)
		require.Equal(t, f.b.Name, byID[f.b.ID].Name)
	}},
	{"NotFound", func(t *testing.T, f *fixture) {
		_, err := f.s.TenantByName(f.ctx, f.name("no-such-tenant"))
		requireIs(t, err, aam.ErrNotFound)
	}},
	{"Invalid", func(t *testing.T, f *fixture) {
		for _, name := range []string{"", "../evil", "/abs", strings.Repeat("x", 5000), "a b"} {
			_, err := f.s.CreateTenant(f.ctx, name)
			requireIs(t, err, aam.ErrInvalid)
		}
	}},
}
