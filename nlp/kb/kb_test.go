package kb

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/rag/duckvec"
)

// setup returns a local KB (Bleve, DuckDB vectors, file catalog) in a
// temporary directory.
func setup(t *testing.T, opts *Options) *KB {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("duckdb", filepath.Join(dir, "kb.duckdb"))
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	vec, err := duckvec.New(context.Background(), db, 256, nil)
	require.NoError(t, err)
	lex, err := OpenBleve(filepath.Join(dir, "lexical"))
	require.NoError(t, err)
	t.Cleanup(func() { lex.Close() })
	cat, err := NewFileCatalog(filepath.Join(dir, "catalog"))
	require.NoError(t, err)
	k, err := New(cat, lex, vec, opts)
	require.NoError(t, err)
	return k
}

func loadCorpus(t *testing.T, k *KB, tenant uuid.UUID) {
	t.Helper()
	entries, err := os.ReadDir("testdata/corpus")
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata/corpus", e.Name()))
		require.NoError(t, err)
		_, err = k.Add(context.Background(), tenant, e.Name(), string(b))
		require.NoError(t, err)
	}
}

// TestRecallAt5 measures recall@5 on the labelled corpus for hybrid,
// lexical-only and vector-only retrieval; hybrid must be at least each.
func TestRecallAt5(t *testing.T) {
	t.Parallel()
	k := setup(t, nil)
	tenant := uuid.New()
	loadCorpus(t, k, tenant)
	f, err := os.Open("testdata/queries.jsonl")
	require.NoError(t, err)
	defer f.Close()
	type query struct {
		Q        string   `json:"q"`
		Relevant []string `json:"relevant"`
	}
	var qs []query
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var q query
		require.NoError(t, json.Unmarshal(sc.Bytes(), &q))
		qs = append(qs, q)
	}
	recall := map[Mode]float64{}
	var report strings.Builder
	for _, mode := range []Mode{Hybrid, LexicalOnly, VectorOnly} {
		found, total := 0, 0
		for _, q := range qs {
			hits, err := k.Search(context.Background(), tenant, q.Q, 5, mode)
			require.NoError(t, err)
			got := map[string]bool{}
			for _, h := range hits {
				got[h.Document+"|"+h.Heading] = true
			}
			for _, r := range q.Relevant {
				total++
				if got[r] {
					found++
				} else if mode == Hybrid {
					t.Logf("hybrid missed %q for %q", r, q.Q)
				}
			}
		}
		recall[mode] = float64(found) / float64(total)
		fmt.Fprintf(&report, "recall@5 %-8s %.3f (%d/%d)\n", mode, recall[mode], found, total)
	}
	t.Log("\n" + report.String())
	require.GreaterOrEqual(t, recall[Hybrid], recall[LexicalOnly])
	require.GreaterOrEqual(t, recall[Hybrid], recall[VectorOnly])
}

func TestAddListDeleteAndTenants(t *testing.T) {
	t.Parallel()
	var embedded []string
	k := setup(t, &Options{Redact: func(s string) string {
		s = strings.ReplaceAll(s, "jane@example.com", "<EMAIL>")
		embedded = append(embedded, s)
		return s
	}})
	ctx := context.Background()
	a, b := uuid.New(), uuid.New()
	info, err := k.Add(ctx, a, "policy.md", "# Refunds\nRefunds over 500 need approval from jane@example.com.\n\n# Travel\nBook economy class.")
	require.NoError(t, err)
	require.Equal(t, 2, info.Chunks)
	for _, s := range embedded {
		require.NotContains(t, s, "jane@example.com", "text sent to the embedder is redacted")
	}
	hits, err := k.Search(ctx, a, "who approves refunds", 5, Hybrid)
	require.NoError(t, err)
	require.NotEmpty(t, hits)
	require.Equal(t, "policy.md#1", hits[0].ID)
	require.Contains(t, hits[0].Text, "jane@example.com", "the tenant's own text comes back unredacted")
	// Another tenant sees nothing.
	hits, err = k.Search(ctx, b, "who approves refunds", 5, Hybrid)
	require.NoError(t, err)
	require.Empty(t, hits)
	docs, err := k.Documents(ctx, a)
	require.NoError(t, err)
	require.Len(t, docs, 1)
	// Replacing keeps one copy; deleting removes it everywhere.
	_, err = k.Add(ctx, a, "policy.md", "# Refunds\nRefunds need approval from finance.")
	require.NoError(t, err)
	hits, err = k.Search(ctx, a, "travel economy", 5, LexicalOnly)
	require.NoError(t, err)
	for _, h := range hits {
		require.NotContains(t, h.Text, "economy")
	}
	require.NoError(t, k.Delete(ctx, a, "policy.md"))
	require.ErrorIs(t, k.Delete(ctx, a, "policy.md"), ErrNotFound)
	hits, err = k.Search(ctx, a, "refunds", 5, Hybrid)
	require.NoError(t, err)
	require.Empty(t, hits)
	_, err = k.Add(ctx, a, "../etc/passwd", "x")
	require.ErrorIs(t, err, ErrInvalid)
	_, err = k.Add(ctx, a, "empty.md", "   \n\n")
	require.ErrorIs(t, err, ErrInvalid)
}

func TestSplitAndFuse(t *testing.T) {
	t.Parallel()
	ps := Split("intro text\n\n# A\n## B\nbody b\n\n```\n# not a heading\n```\n# C\nbody c")
	require.Equal(t, []Piece{{"", "intro text"}, {"A > B", "body b\n\n```\n# not a heading\n```"}, {"C", "body c"}}, ps)
	f := Fuse([][]string{{"x", "y", "z"}, {"y", "z", "w"}}, 60)
	require.Equal(t, "y", f[0].ID)
	require.Equal(t, "z", f[1].ID)
}
