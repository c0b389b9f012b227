package aam_test

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
)

// TestRetryLogsMaskSecrets: a transient Discover error quoting the DSN's
// password and the token is retried; the retry warnings, like the
// returned errors, never hold the secret.
func TestRetryLogsMaskSecrets(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind string) {
		h := &hooks{}
		logs := &syncBuffer{}
		e := setup(t, kind, &aam.Options{
			SecretKey: bytes.Repeat([]byte{7}, 32),
			Logger:    slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
			Retry:     aam.RetryOptions{MaxAttempts: 3, BaseDelay: 1e6, MaxDelay: 1e6},
		}, registerHooked(h))
		const token = "tok-9f8e7d6c5b4a"
		c, err := e.mesh.CreateConnection(e.ctx, e.tenant, "crm", hookedName, connectors.Config{"root": e.dir, "token": token})
		require.NoError(t, err)
		leak := fmt.Errorf("dial postgres://app:%s@db.internal:5432/crm: connection reset by peer", token)
		h.failDiscover.Store(&leak)

		_, err = e.mesh.Discover(e.ctx, e.tenant, c.ID)
		require.Error(t, err)
		require.NotContains(t, err.Error(), token)
		_, err = e.mesh.Observe(e.ctx, e.tenant, c.ID)
		require.Error(t, err)
		require.NotContains(t, err.Error(), token)

		out := logs.String()
		require.Contains(t, out, "transient source error, retrying", "the retries were logged")
		require.Contains(t, out, "[secret]")
		require.NotContains(t, out, token, "the retry log holds the secret")
	})
}
