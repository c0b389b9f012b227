package rag

import (
	"container/list"
	"context"
	"fmt"
	"sync"
)

// CachedEmbedderOptions tunes a CachedEmbedder. A nil pointer means the
// defaults.
type CachedEmbedderOptions struct {
	// Size is the most vectors kept (least recently used go first).
	// Default 10000.
	Size int
	// BatchSize is the most texts sent to the wrapped Embedder in one
	// call. Default 100.
	BatchSize int
}

// CachedEmbedder wraps any Embedder with an LRU cache keyed by (model,
// text) and splits large requests into batches; repeated texts within a
// request are embedded once. It is safe for concurrent use.
type CachedEmbedder struct {
	inner     Embedder
	size      int
	batchSize int

	mu    sync.Mutex
	ll    *list.List
	items map[cacheKey]*list.Element
}

type cacheKey struct{ model, text string }

type cacheEntry struct {
	key cacheKey
	vec []float32
}

// NewCachedEmbedder wraps inner. Errors wrap ErrInvalid and name the bad
// option.
func NewCachedEmbedder(inner Embedder, opts *CachedEmbedderOptions) (*CachedEmbedder, error) {
	if inner == nil {
		return nil, fmt.Errorf("%w: cached embedder: inner embedder is nil", ErrInvalid)
	}
	var o CachedEmbedderOptions
	if opts != nil {
		o = *opts
	}
	if o.Size == 0 {
		o.Size = 10000
	}
	if o.BatchSize == 0 {
		o.BatchSize = 100
	}
	if o.Size < 0 {
		return nil, fmt.Errorf("%w: cached embedder option Size %d is negative", ErrInvalid, o.Size)
	}
	if o.BatchSize < 0 {
		return nil, fmt.Errorf("%w: cached embedder option BatchSize %d is negative", ErrInvalid, o.BatchSize)
	}
	return &CachedEmbedder{inner: inner, size: o.Size, batchSize: o.BatchSize, ll: list.New(), items: map[cacheKey]*list.Element{}}, nil
}

// Model returns the wrapped embedder's model.
func (c *CachedEmbedder) Model() string { return c.inner.Model() }

// Dimension returns the wrapped embedder's dimension.
func (c *CachedEmbedder) Dimension() int { return c.inner.Dimension() }

// Embed returns cached vectors and embeds the rest in batches. Errors of
// the wrapped embedder are returned as they are; nothing is cached from a
// failed batch. Returned vectors must not be modified.
func (c *CachedEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	model := c.inner.Model()
	out := make([][]float32, len(texts))
	pending := map[string][]int{}
	var order []string
	c.mu.Lock()
	for i, t := range texts {
		k := cacheKey{model, t}
		if el, ok := c.items[k]; ok {
			c.ll.MoveToFront(el)
			out[i] = el.Value.(*cacheEntry).vec
			continue
		}
		if _, ok := pending[t]; !ok {
			order = append(order, t)
		}
		pending[t] = append(pending[t], i)
	}
	c.mu.Unlock()
	for start := 0; start < len(order); start += c.batchSize {
		end := min(start+c.batchSize, len(order))
		batch := order[start:end]
		vecs, err := c.inner.Embed(ctx, batch)
		if err != nil {
			return nil, err
		}
		if len(vecs) != len(batch) {
			return nil, fmt.Errorf("%w: cached embedder: %s returned %d vectors for %d texts", ErrInvalid, model, len(vecs), len(batch))
		}
		c.mu.Lock()
		for j, t := range batch {
			for _, i := range pending[t] {
				out[i] = vecs[j]
			}
			c.put(cacheKey{model, t}, vecs[j])
		}
		c.mu.Unlock()
	}
	return out, nil
}

// put stores a vector; c.mu must be held.
func (c *CachedEmbedder) put(k cacheKey, v []float32) {
	if c.size == 0 {
		return
	}
	if el, ok := c.items[k]; ok {
		el.Value.(*cacheEntry).vec = v
		c.ll.MoveToFront(el)
		return
	}
	c.items[k] = c.ll.PushFront(&cacheEntry{key: k, vec: v})
	for c.ll.Len() > c.size {
		last := c.ll.Back()
		c.ll.Remove(last)
		delete(c.items, last.Value.(*cacheEntry).key)
	}
}

// Len returns the number of cached vectors.
func (c *CachedEmbedder) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
