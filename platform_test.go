package autonomos_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestOpenLocalMode(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	dir := testenv.DataDir(t)
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: quiet()})
	require.NoError(t, err)
	require.Equal(t, autonomos.ModeLocal, p.Mode())
	require.NoError(t, p.Ready(ctx))

	_, err = autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: quiet()})
	require.Error(t, err, "a second platform on the same data directory must be refused while the first holds it")

	require.NoError(t, p.Close())
	require.NoError(t, p.Close(), "Close is idempotent")

	p, err = autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: quiet()})
	require.NoError(t, err, "the data directory reopens after Close")
	require.NoError(t, p.Close())
}

func TestOpenProductionMode(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	p, err := autonomos.Open(ctx, autonomos.Config{
		DataDir:     testenv.DataDir(t),
		DatabaseURL: testenv.PostgresURL(t),
		RedisURL:    testenv.RedisURL(),
		JWTSecret:   strings.Repeat("s", 32),
		Logger:      quiet(),
	})
	require.NoError(t, err)
	defer p.Close()
	require.Equal(t, autonomos.ModeProduction, p.Mode())
	require.NoError(t, p.Ready(ctx))
}

func TestOpenRejectsBadConfig(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	secret := strings.Repeat("s", 32)
	cases := map[string]struct {
		cfg  autonomos.Config
		want string
	}{
		"redis without database": {autonomos.Config{RedisURL: "redis://127.0.0.1:6379", JWTSecret: secret}, "DATABASE_URL is required"},
		"database without redis": {autonomos.Config{DatabaseURL: "postgres://root@127.0.0.1/x", JWTSecret: secret}, "REDIS_URL is required"},
		"short jwt secret":       {autonomos.Config{DatabaseURL: "postgres://root@127.0.0.1/x", RedisURL: "redis://127.0.0.1:6379", JWTSecret: "short"}, "AOS_JWT_SECRET"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			tc.cfg.DataDir = t.TempDir()
			tc.cfg.Logger = quiet()
			_, err := autonomos.Open(ctx, tc.cfg)
			require.ErrorIs(t, err, autonomos.ErrInvalidConfig)
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestOpenNamesUnreachableServices(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	_, err := autonomos.Open(ctx, autonomos.Config{
		DataDir:     testenv.DataDir(t),
		DatabaseURL: "postgres://root:hunter2@127.0.0.1:1/nope?sslmode=disable&connect_timeout=2",
		RedisURL:    testenv.RedisURL(),
		JWTSecret:   strings.Repeat("s", 32),
		Logger:      quiet(),
	})
	require.ErrorContains(t, err, "PostgreSQL at postgres://root:xxxxx@127.0.0.1:1")
	require.NotContains(t, err.Error(), "hunter2", "credentials must never appear in errors")

	_, err = autonomos.Open(ctx, autonomos.Config{
		DataDir:     testenv.DataDir(t),
		DatabaseURL: testenv.PostgresURL(t),
		RedisURL:    "redis://:sekrit@127.0.0.1:1/0",
		JWTSecret:   strings.Repeat("s", 32),
		Logger:      quiet(),
	})
	require.ErrorContains(t, err, "Redis at redis://:xxxxx@127.0.0.1:1/0 is not reachable")
	require.NotContains(t, err.Error(), "sekrit")
}

func TestLocalJobsSurviveRestart(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	dir := testenv.DataDir(t)
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: quiet()})
	require.NoError(t, err)
	tenant := "6f1c1f5e-1b7e-4a57-9a43-1e4c1d9b7a10"
	job, err := p.Jobs().Enqueue(ctx, jobs.Job{Tenant: tenant, Type: jobs.TypeTest})
	require.NoError(t, err)
	require.NoError(t, p.Close())

	p, err = autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: quiet()})
	require.NoError(t, err)
	defer p.Close()
	got, err := p.Jobs().Get(ctx, tenant, job.ID)
	require.NoError(t, err)
	require.Equal(t, jobs.StateQueued, got.State, "a queued job must still be queued after a restart")

	families, err := p.Metrics().Gather()
	require.NoError(t, err)
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	require.Contains(t, strings.Join(names, " "), "aos_jobs", "the job queue's metrics are on the platform registry")
	require.Contains(t, names, "aam_source_metrics_errors", "the connections' source metrics are on the platform registry")
}

func TestFileConnectionsStayUnderTheFileSourceRoot(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	root := t.TempDir()
	inside := filepath.Join(root, "crm")
	require.NoError(t, os.MkdirAll(inside, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(inside, "accounts.csv"), []byte("Id,Name\n1,Acme\n"), 0o644))
	outside := t.TempDir()
	require.NoError(t, os.Symlink(outside, filepath.Join(root, "escape")))

	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: testenv.DataDir(t), FileSourceRoot: root, Logger: quiet()})
	require.NoError(t, err)
	defer p.Close()
	tenant, err := p.Store().CreateTenant(ctx, "acme")
	require.NoError(t, err)

	ok, err := p.Mesh().CreateConnection(ctx, tenant.ID, "crm", "filesource", connectors.Config{"root": inside})
	require.NoError(t, err)
	cat, err := p.Mesh().Discover(ctx, tenant.ID, ok.ID)
	require.NoError(t, err)
	require.Len(t, cat.Objects, 1)

	for name, dir := range map[string]string{"absolute outside": outside, "dot-dot": filepath.Join(root, ".."), "symlink out": filepath.Join(root, "escape")} {
		c, err := p.Mesh().CreateConnection(ctx, tenant.ID, "bad-"+strings.ReplaceAll(name, " ", "-"), "filesource", connectors.Config{"root": dir})
		if err == nil {
			_, err = p.Mesh().Discover(ctx, tenant.ID, c.ID)
		}
		require.ErrorIs(t, err, connectors.ErrInvalidConfig, name)
		require.ErrorContains(t, err, "AOS_FILESOURCE_ROOT", name)
	}
}

func TestLocalModeKeepsItsSecretKey(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	dir := testenv.DataDir(t)
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: quiet()})
	require.NoError(t, err)
	tenant, err := p.Store().CreateTenant(ctx, "acme")
	require.NoError(t, err)
	c, err := p.Mesh().CreateConnection(ctx, tenant.ID, "pg", "pgsource", connectors.Config{"url": "postgres://u:topsecret@127.0.0.1:1/x"})
	require.NoError(t, err)
	require.NotContains(t, c.Config, "url", "secrets are never returned")
	require.NoError(t, p.Close())
	info, err := os.Stat(filepath.Join(dir, "secret.key"))
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// After a restart the same key unseals the secret: the connector sees
	// the URL (and fails to connect to port 1, naming no password).
	p, err = autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: quiet()})
	require.NoError(t, err)
	defer p.Close()
	err = p.Mesh().CheckConnection(ctx, tenant.ID, c.ID)
	require.Error(t, err)
	require.NotContains(t, err.Error(), "topsecret")
	require.NotContains(t, err.Error(), "cannot open connection secrets", "the key must survive the restart")
}

// TestClosedOrNilPlatformReturnsErrClosed: Ready after Close, and Close or
// Ready on a nil *Platform, return ErrClosed instead of dereferencing nil.
func TestClosedOrNilPlatformReturnsErrClosed(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: testenv.DataDir(t), Logger: quiet()})
	require.NoError(t, err)
	require.NoError(t, p.Close())
	require.ErrorIs(t, p.Ready(ctx), autonomos.ErrClosed)
	require.NoError(t, p.Close(), "Close stays idempotent")

	var none *autonomos.Platform
	require.ErrorIs(t, none.Close(), autonomos.ErrClosed)
	require.ErrorIs(t, none.Ready(ctx), autonomos.ErrClosed)
}
