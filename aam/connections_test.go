package aam_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

const secretToken = "tok-9f8e7d6c5b4a-SECRET"

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestConnectionSecretsAreSealedAndNeverShown(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		h := &hooks{}
		logs := &syncBuffer{}
		key := bytes.Repeat([]byte{42}, 32)
		e := setup(t, kind, &aam.Options{
			SecretKey: key,
			Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Retry:     aam.RetryOptions{MaxAttempts: 2, BaseDelay: 1e6, MaxDelay: 1e6},
		}, registerHooked(h))
		e.write("contacts.csv", append([]string{contactHeader}, contactRows(1, 3)...)...)
		flow, stop, err := e.mesh.Subscribe(e.ctx, e.tenant)
		require.NoError(t, err)
		defer stop()

		c, err := e.mesh.CreateConnection(e.ctx, e.tenant, "crm", hookedName, connectors.Config{"root": e.dir, "token": secretToken})
		require.NoError(t, err)
		require.Equal(t, connectors.Config{"root": e.dir}, c.Config, "secret params are not returned")
		require.Nil(t, c.SealedSecrets)
		require.Equal(t, []string{"token"}, e.mesh.SecretParams(hookedName))

		// At rest: sealed, not in clear.
		stored, err := e.store.Connection(e.ctx, e.tenant, c.ID)
		require.NoError(t, err)
		require.NotContains(t, stored.Config, "token")
		require.NotEmpty(t, stored.SealedSecrets)
		require.False(t, bytes.Contains(stored.SealedSecrets, []byte(secretToken)))

		read, err := e.mesh.Connection(e.ctx, e.tenant, c.ID)
		require.NoError(t, err)
		require.Nil(t, read.SealedSecrets)
		require.NotContains(t, read.Config, "token")
		list, err := e.mesh.Connections(e.ctx, e.tenant)
		require.NoError(t, err)
		require.Len(t, list, 1)
		require.Nil(t, list[0].SealedSecrets)

		// Opening unseals in memory: the connector gets the token.
		require.NoError(t, e.mesh.CheckConnection(e.ctx, e.tenant, c.ID))
		require.Equal(t, secretToken, h.config()["token"])

		// Updating without the secret keeps it; the name changes.
		up, err := e.mesh.UpdateConnection(e.ctx, e.tenant, c.ID, "crm2", read.Config)
		require.NoError(t, err)
		require.Equal(t, "crm2", up.Name)
		require.NoError(t, e.mesh.CheckConnection(e.ctx, e.tenant, c.ID))
		require.Equal(t, secretToken, h.config()["token"])

		// A source error quoting the secret is masked everywhere.
		e.putMapping(e.tenant, c.ID, "contacts", 0, contactMapping(true))
		h.set(nil, func() error { return fmt.Errorf("auth with token %s refused by upstream", secretToken) })
		rep, err := e.mesh.Sync(e.ctx, e.tenant, c.ID)
		require.Error(t, err)
		require.NotContains(t, err.Error(), secretToken)
		require.Contains(t, err.Error(), "[secret]")
		require.NotContains(t, strings.Join(rep.Total().Errors, " "), secretToken)
		for _, f := range drain(flow) {
			require.NotContains(t, f.Message, secretToken)
		}
		_, err = e.mesh.Observe(e.ctx, e.tenant, c.ID)
		require.NoError(t, err, "discover does not fail; the sample read's error is only logged")

		// A sealed blob moved to another connection does not open there.
		other, err := e.mesh.CreateConnection(e.ctx, e.tenant, "other", hookedName, connectors.Config{"root": e.dir, "token": "another-token"})
		require.NoError(t, err)
		moved, err := e.store.Connection(e.ctx, e.tenant, other.ID)
		require.NoError(t, err)
		moved.SealedSecrets = stored.SealedSecrets
		require.NoError(t, e.store.UpdateConnection(e.ctx, e.tenant, moved))
		err = e.mesh.CheckConnection(e.ctx, e.tenant, other.ID)
		require.Error(t, err)
		require.NotContains(t, err.Error(), secretToken)

		require.NotContains(t, logs.String(), secretToken, "logs never hold the secret")
		require.NotContains(t, logs.String(), "another-token")
		require.Contains(t, logs.String(), "connection created")

		require.NoError(t, e.mesh.DeleteConnection(e.ctx, e.tenant, c.ID))
		_, err = e.mesh.Connection(e.ctx, e.tenant, c.ID)
		require.ErrorIs(t, err, aam.ErrNotFound)
		require.ErrorIs(t, e.mesh.DeleteConnection(e.ctx, e.tenant, c.ID), aam.ErrNotFound)
	})
}

func TestCreateConnectionValidates(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		h := &hooks{}
		e := setup(t, kind, nil, registerHooked(h)) // no SecretKey
		_, err := e.mesh.CreateConnection(e.ctx, e.tenant, "x", "nosuchtype", connectors.Config{})
		require.ErrorIs(t, err, aam.ErrInvalid)
		_, err = e.mesh.CreateConnection(e.ctx, e.tenant, "x", filesource.Name, connectors.Config{})
		require.ErrorIs(t, err, aam.ErrInvalid)
		require.ErrorIs(t, err, connectors.ErrInvalidConfig)
		_, err = e.mesh.CreateConnection(e.ctx, e.tenant, "", filesource.Name, connectors.Config{"root": e.dir})
		require.ErrorIs(t, err, aam.ErrInvalid)
		_, err = e.mesh.CreateConnection(e.ctx, uuid.Nil, "x", filesource.Name, connectors.Config{"root": e.dir})
		require.ErrorIs(t, err, aam.ErrInvalid)
		_, err = e.mesh.CreateConnection(e.ctx, e.tenant, "x", hookedName, connectors.Config{"root": e.dir, "token": secretToken})
		require.ErrorIs(t, err, aam.ErrInvalid, "secrets need a key")
		require.NotContains(t, err.Error(), secretToken)
		// Without secret values no key is needed.
		_, err = e.mesh.CreateConnection(e.ctx, e.tenant, "x", hookedName, connectors.Config{"root": e.dir})
		require.NoError(t, err)
		_, err = e.mesh.CreateConnection(e.ctx, e.tenant, "x", filesource.Name, connectors.Config{"root": e.dir})
		require.ErrorIs(t, err, aam.ErrConflict, "names are unique per tenant")
		require.True(t, errors.Is(err, aam.ErrConflict))
	})
}

func (h *hooks) config() connectors.Config {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastConfig
}
