package ragtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/ragtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// memStore is the smallest correct rag.VectorStore: it checks that the
// suite passes a correct implementation.
type memStore struct {
	dim  int
	mu   sync.Mutex
	docs map[[3]string]rag.Document
}

func (m *memStore) valid(tenant string, vec []float32) error {
	if tenant == "" {
		return fmt.Errorf("mem: %w: empty tenant", rag.ErrInvalid)
	}
	if len(vec) != m.dim {
		return fmt.Errorf("mem: %w: dimension %d", rag.ErrInvalid, len(vec))
	}
	return nil
}

func (m *memStore) Upsert(_ context.Context, tenant string, docs []rag.Document) error {
	for _, d := range docs {
		if err := m.valid(tenant, d.Vector); err != nil {
			return err
		}
		if d.ID == "" || d.Collection == "" || (len(d.Metadata) > 0 && !json.Valid(d.Metadata)) {
			return fmt.Errorf("mem: %w: document", rag.ErrInvalid)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, d := range docs {
		m.docs[[3]string{tenant, d.Collection, d.ID}] = d
	}
	return nil
}

func (m *memStore) Search(_ context.Context, tenant, collection string, vec []float32, k int) ([]rag.Hit, error) {
	if err := m.valid(tenant, vec); err != nil {
		return nil, err
	}
	if collection == "" || k <= 0 {
		return nil, fmt.Errorf("mem: %w: collection or k", rag.ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var hits []rag.Hit
	for key, d := range m.docs {
		if key[0] == tenant && key[1] == collection {
			hits = append(hits, rag.Hit{Document: d, Score: cosine(vec, d.Vector)})
		}
	}
	sort.Slice(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits, nil
}

func (m *memStore) Delete(_ context.Context, tenant, collection string, ids []string) error {
	if tenant == "" || collection == "" {
		return fmt.Errorf("mem: %w: tenant or collection", rag.ErrInvalid)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, id := range ids {
		delete(m.docs, [3]string{tenant, collection, id})
	}
	return nil
}

func cosine(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	return dot / math.Sqrt(na*nb)
}

func TestRunVectorStoreOnMemoryStore(t *testing.T) {
	ragtest.RunVectorStore(t, func(*testing.T) rag.VectorStore {
		return &memStore{dim: 4, docs: map[[3]string]rag.Document{}}
	}, 4)
}

// hashEmbedder is the smallest correct rag.Embedder.
type hashEmbedder struct{}

func (hashEmbedder) Model() string  { return "hash-8" }
func (hashEmbedder) Dimension() int { return 8 }
func (hashEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make([][]float32, len(texts))
	for i, text := range texts {
		v := make([]float32, 8)
		for j := range v {
			h := fnv.New32a()
			fmt.Fprintf(h, "%d:%s", j, text)
			v[j] = float32(h.Sum32()%1000)/1000 + 0.001
		}
		out[i] = v
	}
	return out, nil
}

func TestRunEmbedderOnHashEmbedder(t *testing.T) {
	ragtest.RunEmbedder(t, hashEmbedder{})
}
