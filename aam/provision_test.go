package aam_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

// provisioned records what a provisioning connector was asked to do at its
// source, keyed by the connection-unique "slot" value it was made with.
type provisioned struct {
	mu        sync.Mutex
	live      map[string]bool
	failUp    error
	failDown  error
	provision int
}

type provFiles struct {
	*filesource.Source
	p    *provisioned
	slot string
}

func (c *provFiles) Provision(context.Context) error {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	c.p.provision++
	if c.p.failUp != nil {
		return c.p.failUp
	}
	c.p.live[c.slot] = true
	return nil
}

func (c *provFiles) Deprovision(context.Context) error {
	c.p.mu.Lock()
	defer c.p.mu.Unlock()
	if c.p.failDown != nil {
		return c.p.failDown
	}
	delete(c.p.live, c.slot)
	return nil
}

const provName = "provfiles"

// registerProvisioned registers provfiles: a filesource with a
// connection-unique "slot" parameter whose connectors keep a resource per
// slot in p, as a CDC connector keeps a replication slot.
func registerProvisioned(p *provisioned) func(*connectors.Registry) {
	return func(reg *connectors.Registry) {
		spec := filesource.Spec()
		spec.Name = provName
		spec.Params = append(spec.Params, connectors.Param{Name: "slot", Type: connectors.ParamString, ConnectionUnique: true})
		err := reg.Register(spec, func(cfg connectors.Config) (connectors.Connector, error) {
			files := connectors.Config{}
			for k, v := range cfg {
				if k != "slot" {
					files[k] = v
				}
			}
			s, err := filesource.New(files)
			if err != nil {
				return nil, err
			}
			return &provFiles{Source: s, p: p, slot: cfg["slot"]}, nil
		})
		if err != nil {
			panic(err)
		}
	}
}

// TestConnectionLifecycleProvisionsTheSource: creating a connection whose
// connector keeps resources at the source makes them, under a value unique
// to the connection; deleting it removes them; a failure on either side is
// reported and leaves no half-made state behind.
func TestConnectionLifecycleProvisionsTheSource(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		p := &provisioned{live: map[string]bool{}}
		e := setup(t, kind, nil, registerProvisioned(p))

		a, err := e.mesh.CreateConnection(e.ctx, e.tenant, "a", provName, connectors.Config{"root": e.dir})
		require.NoError(t, err)
		b, err := e.mesh.CreateConnection(e.ctx, e.tenant, "b", provName, connectors.Config{"root": e.dir})
		require.NoError(t, err)
		require.Regexp(t, `^aos_[0-9a-f]{12}$`, a.Config["slot"])
		require.NotEqual(t, a.Config["slot"], b.Config["slot"], "each connection gets its own slot")
		require.Equal(t, map[string]bool{a.Config["slot"]: true, b.Config["slot"]: true}, p.live)

		named, err := e.mesh.CreateConnection(e.ctx, e.tenant, "named", provName, connectors.Config{"root": e.dir, "slot": "mine"})
		require.NoError(t, err)
		require.Equal(t, "mine", named.Config["slot"], "a value the caller gives is kept")

		// A failed Provision: the connection is not kept.
		p.failUp = errors.New("replication slots are full")
		_, err = e.mesh.CreateConnection(e.ctx, e.tenant, "c", provName, connectors.Config{"root": e.dir})
		require.ErrorContains(t, err, "replication slots are full")
		conns, err := e.mesh.Connections(e.ctx, e.tenant)
		require.NoError(t, err)
		require.Len(t, conns, 3, "the half-created connection was removed")
		p.failUp = nil

		// A failed Deprovision: the connection stays, so it can be retried.
		p.failDown = errors.New("slot is active")
		err = e.mesh.DeleteConnection(e.ctx, e.tenant, a.ID)
		require.ErrorContains(t, err, "slot is active")
		_, err = e.mesh.Connection(e.ctx, e.tenant, a.ID)
		require.NoError(t, err)
		require.True(t, p.live[a.Config["slot"]])
		p.failDown = nil

		require.NoError(t, e.mesh.DeleteConnection(e.ctx, e.tenant, a.ID))
		_, err = e.mesh.Connection(e.ctx, e.tenant, a.ID)
		require.ErrorIs(t, err, aam.ErrNotFound)
		require.False(t, p.live[a.Config["slot"]], "the source's resource is gone with the connection")
		require.True(t, p.live[b.Config["slot"]])
	})
}
