package duckvec_test

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/duckvec"
	"github.com/autonomos/autonomos/rag/ragtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", filepath.Join(testenv.DataDir(t), "vectors.duckdb"))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, db.Close()) })
	return db
}

func setup(t testing.TB, dim int) *duckvec.Store {
	t.Helper()
	s, err := duckvec.New(testenv.Context(t), openDB(t), dim, nil)
	require.NoError(t, err)
	return s
}

func TestConformance(t *testing.T) {
	for _, dim := range []int{2, 16} {
		t.Run("dim"+map[int]string{2: "2", 16: "16"}[dim], func(t *testing.T) {
			ragtest.RunVectorStore(t, func(t *testing.T) rag.VectorStore { return setup(t, dim) }, dim)
		})
	}
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	db := openDB(t)
	_, err := duckvec.New(ctx, nil, 8, nil)
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorContains(t, err, "db is nil")
	for _, dim := range []int{0, -3, duckvec.MaxDimension + 1} {
		_, err = duckvec.New(ctx, db, dim, nil)
		require.ErrorIs(t, err, rag.ErrInvalid)
		require.ErrorContains(t, err, "dim")
	}
	for _, table := range []string{"Docs", "docs; DROP TABLE x", "1docs", "a-b"} {
		_, err = duckvec.New(ctx, db, 8, &duckvec.Options{Table: table})
		require.ErrorIs(t, err, rag.ErrInvalid)
		require.ErrorContains(t, err, "Options.Table")
	}
}

func TestReopenChecksDimension(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	db := openDB(t)
	s, err := duckvec.New(ctx, db, 4, &duckvec.Options{Table: "vecs"})
	require.NoError(t, err)
	require.Equal(t, 4, s.Dimension())
	require.NoError(t, s.Upsert(ctx, "t1", []rag.Document{{ID: "a", Collection: "c", Text: "a", Vector: []float32{1, 0, 0, 0}}}))

	again, err := duckvec.New(ctx, db, 4, &duckvec.Options{Table: "vecs"})
	require.NoError(t, err, "reopening with the same dimension keeps the data")
	hits, err := again.Search(ctx, "t1", "c", []float32{1, 0, 0, 0}, 1)
	require.NoError(t, err)
	require.Len(t, hits, 1)
	require.Equal(t, []float32{1, 0, 0, 0}, hits[0].Vector, "the stored vector comes back")

	_, err = duckvec.New(ctx, db, 5, &duckvec.Options{Table: "vecs"})
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorContains(t, err, "FLOAT[4]")

	other, err := duckvec.New(ctx, db, 5, &duckvec.Options{Table: "vecs5"})
	require.NoError(t, err, "another table may hold another dimension")
	require.Equal(t, 5, other.Dimension())
}

func TestRejectsVectorsWithoutDirection(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	s := setup(t, 3)
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for name, v := range map[string][]float32{"zero": {0, 0, 0}, "nan": {1, nan, 0}, "inf": {inf, 0, 0}} {
		err := s.Upsert(ctx, "t1", []rag.Document{{ID: "a", Collection: "c", Vector: v}})
		require.ErrorIs(t, err, rag.ErrInvalid, name)
		_, err = s.Search(ctx, "t1", "c", v, 1)
		require.ErrorIs(t, err, rag.ErrInvalid, name)
	}
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	s := setup(t, 3)
	ctx, cancel := context.WithCancel(testenv.Context(t))
	cancel()
	err := s.Upsert(ctx, "t1", []rag.Document{{ID: "a", Collection: "c", Vector: []float32{1, 0, 0}}})
	require.ErrorIs(t, err, context.Canceled)
	_, err = s.Search(ctx, "t1", "c", []float32{1, 0, 0}, 1)
	require.ErrorIs(t, err, context.Canceled)
}
