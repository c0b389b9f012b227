package dcl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/internal/testenv"
)

func TestParseTenantIDRefusesCraftedIDs(t *testing.T) {
	t.Parallel()
	for _, s := range []string{
		"../x", "", "x", "..", "/etc/passwd", "00000000-0000-0000-0000-000000000000",
		"{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", "urn:uuid:6ba7b810-9dad-11d1-80b4-00c04fd430c8",
		"6ba7b8109dad11d180b400c04fd430c8", "../6ba7b810-9dad-11d1-80b4-00c04fd430",
	} {
		_, err := dcl.ParseTenantID(s)
		require.ErrorIs(t, err, dcl.ErrInvalid, "%q", s)
	}
	id, err := dcl.ParseTenantID("6BA7B810-9DAD-11D1-80B4-00C04FD430C8")
	require.NoError(t, err)
	p, err := dcl.TenantFile("/data", id)
	require.NoError(t, err)
	require.Equal(t, filepath.Join("/data", "registry_6ba7b810-9dad-11d1-80b4-00c04fd430c8.duckdb"), p)
	_, err = dcl.TenantFile("/data", uuid.Nil)
	require.ErrorIs(t, err, dcl.ErrInvalid)
	_, err = dcl.Open(testenv.Context(t), t.TempDir(), uuid.Nil, nil)
	require.ErrorIs(t, err, dcl.ErrInvalid)
}

func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	dir := testenv.DataDir(t)
	a, b := uuid.New(), uuid.New()
	engA, err := dcl.Open(ctx, dir, a, nil)
	require.NoError(t, err)
	engB, err := dcl.Open(ctx, dir, b, nil)
	require.NoError(t, err)
	require.NotEqual(t, engA.Path(), engB.Path())
	require.Equal(t, dir, filepath.Dir(engA.Path()))

	fa := &fixture{tenant: a}
	_, err = engA.Materialize(ctx, oppBatch(fa, 1, 5, 1, 0))
	require.NoError(t, err)
	// B's engine reads B's file only
	p, err := engB.Query(ctx, "opportunities", dcl.QueryOptions{})
	require.NoError(t, err)
	require.Empty(t, p.Rows)
	p, err = engA.Query(ctx, "opportunities", dcl.QueryOptions{})
	require.NoError(t, err)
	require.Len(t, p.Rows, 5)

	// events of tenant A are refused by B's engine
	_, err = engB.Materialize(ctx, oppBatch(fa, 1, 1, 1, 0))
	require.ErrorIs(t, err, dcl.ErrInvalid)
	_, err = engB.Materialize(ctx, []aam.StoredEvent{})
	require.NoError(t, err)

	// a file of A put in B's place is refused when B opens it
	require.NoError(t, engA.Close())
	require.NoError(t, engB.Close())
	data, err := os.ReadFile(engA.Path())
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(engB.Path(), data, 0o600))
	_ = os.Remove(engB.Path() + ".wal")
	_, err = dcl.Open(ctx, dir, b, nil)
	require.ErrorIs(t, err, dcl.ErrInvalid)

	// a closed engine refuses work
	_, err = engA.Query(ctx, "opportunities", dcl.QueryOptions{})
	require.ErrorIs(t, err, dcl.ErrClosed)
	_, err = engA.Materialize(ctx, oppBatch(fa, 6, 1, 1, 10))
	require.ErrorIs(t, err, dcl.ErrClosed)
	require.NoError(t, engA.Close())
}
