package duckstore_test

import (
	"context"
	"testing"

	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/stretchr/testify/require"
)

func TestOpenMigratesAndSurvivesRestart(t *testing.T) {
	t.Parallel()
	dir := testenv.DataDir(t)
	ctx := testenv.Context(t)

	s, err := duckstore.Open(ctx, dir)
	require.NoError(t, err)
	_, err = s.DB().ExecContext(ctx, `INSERT INTO tenants (id, name) VALUES ('6f1c1f5e-1b7e-4a57-9a43-1e4c1d9b7a10', 'acme')`)
	require.NoError(t, err)
	require.NoError(t, s.Close())

	s, err = duckstore.Open(ctx, dir)
	require.NoError(t, err)
	defer s.Close()
	var name string
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT name FROM tenants`).Scan(&name))
	require.Equal(t, "acme", name, "rows must survive a close and reopen")
	var n int
	require.NoError(t, s.DB().QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations`).Scan(&n))
	require.Positive(t, n)
}

func TestOpenRejectsEmptyDir(t *testing.T) {
	t.Parallel()
	_, err := duckstore.Open(context.Background(), "")
	require.ErrorContains(t, err, "data directory is empty")
}

func TestOpenRefusesASecondStoreOnTheSameDirectory(t *testing.T) {
	t.Parallel()
	dir := testenv.DataDir(t)
	ctx := testenv.Context(t)
	s, err := duckstore.Open(ctx, dir)
	require.NoError(t, err)
	_, err = duckstore.Open(ctx, dir)
	require.ErrorIs(t, err, duckstore.ErrLocked)
	require.NoError(t, s.Close())
	s, err = duckstore.Open(ctx, dir)
	require.NoError(t, err, "the directory is free again after Close")
	require.NoError(t, s.Close())
}
