package pgvec_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/pgvec"
	"github.com/autonomos/autonomos/rag/ragtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const dim = 8

// extensionAvailable reports whether this server can run CREATE EXTENSION
// vector: whether the extension is packaged for it.
func extensionAvailable(t *testing.T, ctx context.Context, pool *pgxpool.Pool) bool {
	t.Helper()
	var ok bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector')`).Scan(&ok))
	return ok
}

// TestPgvector runs the conformance suite where the extension exists; where
// it does not, it asserts the clear ErrUnavailable that New reports, so the
// test checks real behaviour either way.
func TestPgvector(t *testing.T) {
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	if !extensionAvailable(t, ctx, pool) {
		t.Log("pgvec: the pgvector conformance run needs the vector extension " +
			"(CREATE EXTENSION vector), which this PostgreSQL server does not have; " +
			"asserting that New reports it as rag.ErrUnavailable instead")
		s, err := pgvec.New(ctx, pool, dim, nil)
		require.Nil(t, s)
		require.ErrorIs(t, err, rag.ErrUnavailable)
		require.ErrorContains(t, err, "pgvec: new: rag: unavailable: the pgvector extension is not installed (CREATE EXTENSION vector failed: ")
		var tables int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = $1`, pgvec.DefaultTable).Scan(&tables))
		require.Zero(t, tables, "nothing is created without the extension")
		return
	}
	t.Log("pgvec: the vector extension is available; running the conformance suite")
	ragtest.RunVectorStore(t, func(t *testing.T) rag.VectorStore {
		s, err := pgvec.New(testenv.Context(t), testenv.Postgres(t), dim, nil)
		require.NoError(t, err)
		return s
	}, dim)

	// With the extension: reopening checks the dimension, and the table is
	// under forced row-level security.
	s, err := pgvec.New(ctx, pool, dim, nil)
	require.NoError(t, err)
	require.Equal(t, dim, s.Dimension())
	_, err = pgvec.New(ctx, pool, dim+1, nil)
	require.ErrorIs(t, err, rag.ErrInvalid)
	var enabled, forced bool
	require.NoError(t, pool.QueryRow(ctx, `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = to_regclass($1)`,
		pgvec.DefaultTable).Scan(&enabled, &forced))
	require.True(t, enabled && forced)
}

func TestNewValidatesBeforeIO(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	_, err := pgvec.New(ctx, nil, dim, nil)
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorContains(t, err, "pool is nil")

	// A pool that cannot connect proves no I/O happens before validation.
	pool, err := pgxpool.New(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=1")
	require.NoError(t, err)
	defer pool.Close()
	for name, c := range map[string]struct {
		dim  int
		opts *pgvec.Options
		want string
	}{
		"zero dim":      {0, nil, "dim 0"},
		"huge dim":      {pgvec.MaxDimension + 1, nil, "dim 2001"},
		"bad table":     {dim, &pgvec.Options{Table: "x; DROP TABLE y"}, "Options.Table"},
		"upper table":   {dim, &pgvec.Options{Table: "Docs"}, "Options.Table"},
		"bad ef_search": {dim, &pgvec.Options{EfSearch: -1}, "Options.EfSearch"},
	} {
		_, err := pgvec.New(ctx, pool, c.dim, c.opts)
		require.ErrorIs(t, err, rag.ErrInvalid, name)
		require.ErrorContains(t, err, c.want, name)
	}
}
