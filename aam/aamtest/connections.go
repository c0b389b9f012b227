package aamtest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
)

var connectionTests = []test{
	{"CreateAndRead", func(t *testing.T, f *fixture) {
		c := aam.Connection{
			ID:            uuid.New(),
			Name:          "crm",
			Type:          "salesforce",
			Config:        connectors.Config{"instance_url": "https://example.my.salesforce.com", "api_version": "v59.0"},
			SealedSecrets: []byte{0x00, 0x01, 0xfe, 0xff, 0x00},
		}
		require.NoError(t, f.s.CreateConnection(f.ctx, f.a.ID, c))
		got, err := f.s.Connection(f.ctx, f.a.ID, c.ID)
		require.NoError(t, err)
		require.Equal(t, c.ID, got.ID)
		require.Equal(t, f.a.ID, got.TenantID)
		require.Equal(t, "crm", got.Name)
		require.Equal(t, "salesforce", got.Type)
		require.Equal(t, c.Config, got.Config)
		require.Equal(t, c.SealedSecrets, got.SealedSecrets, "sealed secrets are kept as bytes")
		require.False(t, got.CreatedAt.IsZero())
		require.False(t, got.UpdatedAt.IsZero())

		plain := aam.Connection{ID: uuid.New(), Name: "files", Type: "filesource", Config: connectors.Config{}}
		require.NoError(t, f.s.CreateConnection(f.ctx, f.a.ID, plain))
		got, err = f.s.Connection(f.ctx, f.a.ID, plain.ID)
		require.NoError(t, err)
		require.Empty(t, got.SealedSecrets)
		require.Empty(t, got.Config)
	}},
	{"ListByName", func(t *testing.T, f *fixture) {
		list, err := f.s.Connections(f.ctx, f.a.ID)
		require.NoError(t, err)
		require.Empty(t, list)
		for _, name := range []string{"zeta", "alpha", "mid"} {
			f.conn(t, f.a.ID, name)
		}
		list, err = f.s.Connections(f.ctx, f.a.ID)
		require.NoError(t, err)
		var names []string
		for _, c := range list {
			names = append(names, c.Name)
			require.Equal(t, f.a.ID, c.TenantID)
			require.Equal(t, []byte{0x01, 0x00, 0xff, 0x7f, 'x'}, c.SealedSecrets)
			require.Equal(t, "/data/"+c.Name, c.Config["root"])
		}
		require.Equal(t, []string{"alpha", "mid", "zeta"}, names)
	}},
	{"DuplicateName", func(t *testing.T, f *fixture) {
		first := f.conn(t, f.a.ID, "crm")
		err := f.s.CreateConnection(f.ctx, f.a.ID, aam.Connection{ID: uuid.New(), Name: "crm", Type: "filesource"})
		requireIs(t, err, aam.ErrConflict)
		list, err := f.s.Connections(f.ctx, f.a.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, first.ID, list[0].ID)

		other := f.conn(t, f.a.ID, "other")
		other.Name = "crm"
		requireIs(t, f.s.UpdateConnection(f.ctx, f.a.ID, other), aam.ErrConflict, "rename onto a taken name")

		// Names are unique per tenant only.
		f.conn(t, f.b.ID, "crm")
	}},
	{"Update", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		c.Name = "crm-renamed"
		c.Config = connectors.Config{"root": "/elsewhere"}
		c.SealedSecrets = []byte("new sealed blob")
		require.NoError(t, f.s.UpdateConnection(f.ctx, f.a.ID, c))
		got, err := f.s.Connection(f.ctx, f.a.ID, c.ID)
		require.NoError(t, err)
		require.Equal(t, "crm-renamed", got.Name)
		require.Equal(t, connectors.Config{"root": "/elsewhere"}, got.Config)
		require.Equal(t, []byte("new sealed blob"), got.SealedSecrets)
		require.Equal(t, c.Type, got.Type)
		require.WithinDuration(t, c.CreatedAt, got.CreatedAt, 0, "created_at is kept")
		require.False(t, got.UpdatedAt.Before(c.UpdatedAt))

		c.SealedSecrets = nil
		require.NoError(t, f.s.UpdateConnection(f.ctx, f.a.ID, c))
		got, err = f.s.Connection(f.ctx, f.a.ID, c.ID)
		require.NoError(t, err)
		require.Empty(t, got.SealedSecrets, "secrets can be removed")
	}},
	{"Delete", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")
		keep := f.conn(t, f.a.ID, "keep")
		require.NoError(t, f.s.DeleteConnection(f.ctx, f.a.ID, c.ID))
		_, err := f.s.Connection(f.ctx, f.a.ID, c.ID)
		requireIs(t, err, aam.ErrNotFound)
		requireIs(t, f.s.DeleteConnection(f.ctx, f.a.ID, c.ID), aam.ErrNotFound)
		list, err := f.s.Connections(f.ctx, f.a.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Equal(t, keep.ID, list[0].ID)
		// The name is free again.
		f.conn(t, f.a.ID, "crm")
	}},
	{"NotFound", func(t *testing.T, f *fixture) {
		missing := uuid.New()
		_, err := f.s.Connection(f.ctx, f.a.ID, missing)
		requireIs(t, err, aam.ErrNotFound)
		err = f.s.UpdateConnection(f.ctx, f.a.ID, aam.Connection{ID: missing, Name: "x", Type: "filesource"})
		requireIs(t, err, aam.ErrNotFound)
		requireIs(t, f.s.DeleteConnection(f.ctx, f.a.ID, missing), aam.ErrNotFound)
	}},
	{"Invalid", func(t *testing.T, f *fixture) {
		requireIs(t, f.s.CreateConnection(f.ctx, f.a.ID, aam.Connection{Name: "x", Type: "filesource"}), aam.ErrInvalid, "nil id")
		requireIs(t, f.s.CreateConnection(f.ctx, f.a.ID, aam.Connection{ID: uuid.New(), Type: "filesource"}), aam.ErrInvalid, "empty name")
		requireIs(t, f.s.CreateConnection(f.ctx, uuid.Nil, aam.Connection{ID: uuid.New(), Name: "x", Type: "filesource"}), aam.ErrInvalid, "nil tenant")
		c := f.conn(t, f.a.ID, "crm")
		c.Name = ""
		requireIs(t, f.s.UpdateConnection(f.ctx, f.a.ID, c), aam.ErrInvalid, "update to an empty name")
		_, err := f.s.Connections(f.ctx, uuid.Nil)
		requireIs(t, err, aam.ErrInvalid, "nil tenant")
	}},
	{"Isolation", func(t *testing.T, f *fixture) {
		c := f.conn(t, f.a.ID, "crm")

		_, err := f.s.Connection(f.ctx, f.b.ID, c.ID)
		requireIs(t, err, aam.ErrNotFound, "B reads A's connection")
		list, err := f.s.Connections(f.ctx, f.b.ID)
		require.NoError(t, err)
		require.Empty(t, list, "B lists A's connections")

		hijack := c
		hijack.Name = "hijacked"
		hijack.SealedSecrets = []byte("attacker")
		requireIs(t, f.s.UpdateConnection(f.ctx, f.b.ID, hijack), aam.ErrNotFound, "B updates A's connection")
		requireIs(t, f.s.DeleteConnection(f.ctx, f.b.ID, c.ID), aam.ErrNotFound, "B deletes A's connection")

		got, err := f.s.Connection(f.ctx, f.a.ID, c.ID)
		require.NoError(t, err)
		require.Equal(t, "crm", got.Name)
		require.Equal(t, c.SealedSecrets, got.SealedSecrets)
	}},
}
