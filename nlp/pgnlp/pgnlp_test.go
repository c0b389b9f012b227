package pgnlp_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/nlp"
	"github.com/autonomos/autonomos/nlp/kb"
	"github.com/autonomos/autonomos/nlp/pgnlp"
	"github.com/autonomos/autonomos/pgstore"
	"github.com/autonomos/autonomos/rag/duckvec"
)

func setup(t *testing.T) (*pgnlp.Store, *pgstore.Store, context.Context) {
	t.Helper()
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	pg, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	t.Cleanup(pg.Close)
	require.NoError(t, pg.Migrate(ctx))
	s, err := pgnlp.New(pg)
	require.NoError(t, err)
	return s, pg, ctx
}

func tenant(t *testing.T, ctx context.Context, pg *pgstore.Store, name string) uuid.UUID {
	t.Helper()
	id := uuid.New()
	require.NoError(t, pg.WithSystem(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO tenants (id, name) VALUES ($1, $2)", id, name)
		return err
	}))
	return id
}

// TestKnowledgeOnPostgres runs the knowledge base with Postgres full-text
// search as its lexical retriever and catalog, and checks tenant
// isolation and the tables' row-level security.
func TestKnowledgeOnPostgres(t *testing.T) {
	t.Parallel()
	s, pg, ctx := setup(t)
	a, b := tenant(t, ctx, pg, "a"), tenant(t, ctx, pg, "b")
	db, err := sql.Open("duckdb", filepath.Join(t.TempDir(), "v.duckdb"))
	require.NoError(t, err)
	defer db.Close()
	vec, err := duckvec.New(ctx, db, 256, nil)
	require.NoError(t, err)
	k, err := kb.New(s.Catalog(), s, vec, nil)
	require.NoError(t, err)
	_, err = k.Add(ctx, a, "glossary.md", "# ARR\nAnnual recurring revenue is the yearly value of subscriptions.\n\n# DSO\nDays sales outstanding measures how fast customers pay.")
	require.NoError(t, err)
	for _, mode := range []kb.Mode{kb.LexicalOnly, kb.Hybrid} {
		hits, err := k.Search(ctx, a, "How do we define annual recurring revenue?", 2, mode)
		require.NoError(t, err)
		require.NotEmpty(t, hits, mode)
		require.Equal(t, "glossary.md#1", hits[0].ID, mode)
	}
	hits, err := k.Search(ctx, b, "annual recurring revenue", 5, kb.LexicalOnly)
	require.NoError(t, err)
	require.Empty(t, hits, "another tenant sees nothing")
	docs, err := k.Documents(ctx, a)
	require.NoError(t, err)
	require.Len(t, docs, 1)
	require.Equal(t, 2, docs[0].Chunks)
	require.NoError(t, k.Delete(ctx, a, "glossary.md"))
	require.ErrorIs(t, k.Delete(ctx, a, "glossary.md"), kb.ErrNotFound)
	hits, err = k.Search(ctx, a, "annual recurring revenue", 5, kb.LexicalOnly)
	require.NoError(t, err)
	require.Empty(t, hits)

	// History, per tenant.
	require.NoError(t, s.Record(ctx, a, nlp.HistoryEntry{At: time.Now(), Question: "cloud spend <EMAIL>", Persona: nlp.COO, Kind: nlp.KindMetric, Metric: "cloud_spend", Confidence: 0.7}))
	es, err := s.Entries(ctx, a, 10)
	require.NoError(t, err)
	require.Len(t, es, 1)
	require.Equal(t, "cloud_spend", es[0].Metric)
	es, err = s.Entries(ctx, b, 10)
	require.NoError(t, err)
	require.Empty(t, es)

	// The new tables pass the catalog-wide RLS check.
	require.NoError(t, pg.CheckRLS(ctx))
}
