package kb

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/google/uuid"
)

// BleveIndex is the local-mode Lexical index: one Bleve index per tenant
// under a directory, scored with BM25. Safe for concurrent use.
type BleveIndex struct {
	dir string
	mu  sync.Mutex
	idx map[uuid.UUID]bleve.Index
}

// OpenBleve returns a BleveIndex keeping its indexes under dir.
func OpenBleve(dir string) (*BleveIndex, error) {
	if dir == "" {
		return nil, fmt.Errorf("kb: bleve: %w: empty directory", ErrInvalid)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("kb: bleve: %w", err)
	}
	return &BleveIndex{dir: dir, idx: map[uuid.UUID]bleve.Index{}}, nil
}

// chunkDoc is what Bleve indexes for a chunk.
type chunkDoc struct {
	Heading string `json:"heading"`
	Text    string `json:"text"`
}

func (b *BleveIndex) index(tenant uuid.UUID) (bleve.Index, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ix, ok := b.idx[tenant]; ok {
		return ix, nil
	}
	// The path is built from the tenant's UUID only.
	path := filepath.Join(b.dir, tenant.String()+".bleve")
	ix, err := bleve.Open(path)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		m := bleve.NewIndexMapping()
		m.ScoringModel = "bm25"
		m.DefaultAnalyzer = "en"
		ix, err = bleve.New(path, m)
	}
	if err != nil {
		return nil, fmt.Errorf("kb: bleve: open %s: %w", tenant, err)
	}
	b.idx[tenant] = ix
	return ix, nil
}

// Index adds or replaces chunks.
func (b *BleveIndex) Index(ctx context.Context, tenant uuid.UUID, chunks []Chunk) error {
	ix, err := b.index(tenant)
	if err != nil {
		return err
	}
	batch := ix.NewBatch()
	for _, c := range chunks {
		if err := batch.Index(c.ID, chunkDoc{Heading: c.Heading, Text: c.Text}); err != nil {
			return fmt.Errorf("kb: bleve: index %q: %w", c.ID, err)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return ix.Batch(batch)
}

// Delete removes chunks by id.
func (b *BleveIndex) Delete(ctx context.Context, tenant uuid.UUID, ids []string) error {
	ix, err := b.index(tenant)
	if err != nil {
		return err
	}
	batch := ix.NewBatch()
	for _, id := range ids {
		batch.Delete(id)
	}
	return ix.Batch(batch)
}

// Search runs a match query over heading and text with BM25.
func (b *BleveIndex) Search(ctx context.Context, tenant uuid.UUID, query string, k int) ([]Scored, error) {
	ix, err := b.index(tenant)
	if err != nil {
		return nil, err
	}
	q := bleve.NewMatchQuery(query)
	req := bleve.NewSearchRequestOptions(q, k, 0, false)
	res, err := ix.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("kb: bleve: search: %w", err)
	}
	out := make([]Scored, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = Scored{ID: h.ID, Score: h.Score}
	}
	return out, nil
}

// Close closes every open index.
func (b *BleveIndex) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for t, ix := range b.idx {
		errs = append(errs, ix.Close())
		delete(b.idx, t)
	}
	return errors.Join(errs...)
}
