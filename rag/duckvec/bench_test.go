package duckvec_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"testing"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/duckvec"
)

const (
	benchDim  = 128
	benchDocs = 5000
)

func benchCorpus(n int) []rag.Document {
	rng := rand.New(rand.NewPCG(1, 2))
	docs := make([]rag.Document, n)
	for i := range docs {
		v := make([]float32, benchDim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		docs[i] = rag.Document{ID: fmt.Sprintf("doc-%05d", i), Collection: "approved_mappings",
			Text: fmt.Sprintf("field %d", i), Metadata: []byte(`{"k":1}`), Vector: v}
	}
	return docs
}

// bruteForce is the reference search: an exact scan in Go over vectors
// already in memory, the least work any store can do.
func bruteForce(docs []rag.Document, q []float32, k int) []rag.Hit {
	hits := make([]rag.Hit, len(docs))
	var qn float64
	for _, x := range q {
		qn += float64(x) * float64(x)
	}
	for i, d := range docs {
		var dot, dn float64
		for j, x := range d.Vector {
			dot += float64(x) * float64(q[j])
			dn += float64(x) * float64(x)
		}
		hits[i] = rag.Hit{Document: d, Score: dot / math.Sqrt(qn*dn)}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	return hits[:k]
}

// BenchmarkSearch compares Store.Search (DuckDB array_cosine_distance over
// benchDocs documents of one tenant, among as many of another) with an
// in-memory Go scan, in queries per second, and prints the benchmark line.
func BenchmarkSearch(b *testing.B) {
	ctx := testenv.Context(b)
	s := setup(b, benchDim)
	docs := benchCorpus(benchDocs)
	require.NoError(b, s.Upsert(ctx, "tenant-a", docs))
	require.NoError(b, s.Upsert(ctx, "tenant-b", docs))
	queries := benchCorpus(50)
	for _, q := range queries[:5] { // both return the same nearest documents
		got, err := s.Search(ctx, "tenant-a", "approved_mappings", q.Vector, 5)
		require.NoError(b, err)
		want := bruteForce(docs, q.Vector, 5)
		for i := range want {
			require.Equal(b, want[i].ID, got[i].ID)
		}
	}
	var ours, ref time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := queries[i%len(queries)].Vector
		start := time.Now()
		if _, err := s.Search(ctx, "tenant-a", "approved_mappings", q, 5); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		start = time.Now()
		_ = bruteForce(docs, q, 5)
		ref += time.Since(start)
	}
	b.StopTimer()
	report(b, "rag.duckvec.search", "queries/s", b.N, ours, ref)
}

// BenchmarkUpsert compares Store.Upsert (INSERT OR REPLACE in one
// transaction, batches of 500) with the DuckDB Appender writing the same
// rows into an identical table without replacement, in documents per
// second.
func BenchmarkUpsert(b *testing.B) {
	ctx := testenv.Context(b)
	db := openDB(b)
	s, err := duckvec.New(ctx, db, benchDim, nil)
	require.NoError(b, err)
	_, err = db.ExecContext(ctx, fmt.Sprintf(`CREATE TABLE ref_docs (tenant_id VARCHAR NOT NULL, collection VARCHAR NOT NULL,
id VARCHAR NOT NULL, text VARCHAR NOT NULL, metadata JSON, embedding FLOAT[%d] NOT NULL, PRIMARY KEY (tenant_id, collection, id))`, benchDim))
	require.NoError(b, err)
	docs := benchCorpus(500)
	var ours, ref time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tenant := fmt.Sprintf("tenant-%d", i)
		start := time.Now()
		if err := s.Upsert(ctx, tenant, docs); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		start = time.Now()
		if err := appendRef(ctx, db, tenant, docs); err != nil {
			b.Fatal(err)
		}
		ref += time.Since(start)
	}
	b.StopTimer()
	report(b, "rag.duckvec.upsert", "docs/s", b.N*len(docs), ours, ref)
}

func appendRef(ctx context.Context, db *sql.DB, tenant string, docs []rag.Document) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "ref_docs")
		if err != nil {
			return err
		}
		for _, d := range docs {
			if err := app.AppendRow(tenant, d.Collection, d.ID, d.Text, string(d.Metadata), d.Vector); err != nil {
				_ = app.Close()
				return err
			}
		}
		return app.Close()
	})
}

// report prints the benchmark-contract line: rates of ours and the
// reference over the same n operations.
func report(b *testing.B, name, unit string, n int, ours, ref time.Duration) {
	b.Helper()
	rate := func(d time.Duration) float64 {
		if d <= 0 {
			return 0
		}
		return float64(n) / d.Seconds()
	}
	r := benchfmt.New(name, unit, n, rate(ours), rate(ref))
	b.ReportMetric(r.Ours, unit)
	b.ReportMetric(r.Ratio, "ratio")
	if err := r.Write(os.Stdout); err != nil {
		b.Fatal(err)
	}
}
