package kb

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/google/uuid"
)

// FileCatalog is the local-mode Catalog: one JSON file per tenant under a
// directory, replaced atomically (write, sync, rename) on each change.
// Safe for concurrent use within a process.
type FileCatalog struct {
	dir string
	mu  sync.Mutex
}

// NewFileCatalog returns a FileCatalog under dir.
func NewFileCatalog(dir string) (*FileCatalog, error) {
	if dir == "" {
		return nil, fmt.Errorf("kb: catalog: %w: empty directory", ErrInvalid)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("kb: catalog: %w", err)
	}
	return &FileCatalog{dir: dir}, nil
}

type catalogFile struct {
	Documents map[string]DocumentInfo `json:"documents"`
	Chunks    map[string]Chunk        `json:"chunks"`
}

func (c *FileCatalog) path(tenant uuid.UUID) string {
	return filepath.Join(c.dir, tenant.String()+".json")
}

func (c *FileCatalog) load(tenant uuid.UUID) (*catalogFile, error) {
	f := &catalogFile{Documents: map[string]DocumentInfo{}, Chunks: map[string]Chunk{}}
	b, err := os.ReadFile(c.path(tenant))
	if errors.Is(err, os.ErrNotExist) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("kb: catalog: %w", err)
	}
	if err := json.Unmarshal(b, f); err != nil {
		return nil, fmt.Errorf("kb: catalog: %s is corrupt: %w", c.path(tenant), err)
	}
	return f, nil
}

func (c *FileCatalog) save(tenant uuid.UUID, f *catalogFile) error {
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.dir, ".catalog-*")
	if err != nil {
		return fmt.Errorf("kb: catalog: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("kb: catalog: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("kb: catalog: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("kb: catalog: %w", err)
	}
	return os.Rename(tmp.Name(), c.path(tenant))
}

// Put replaces a document and its chunks.
func (c *FileCatalog) Put(_ context.Context, tenant uuid.UUID, doc DocumentInfo, chunks []Chunk) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.load(tenant)
	if err != nil {
		return err
	}
	for id, ch := range f.Chunks {
		if ch.Document == doc.Name {
			delete(f.Chunks, id)
		}
	}
	f.Documents[doc.Name] = doc
	for _, ch := range chunks {
		f.Chunks[ch.ID] = ch
	}
	return c.save(tenant, f)
}

// Documents lists the documents by name.
func (c *FileCatalog) Documents(_ context.Context, tenant uuid.UUID) ([]DocumentInfo, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.load(tenant)
	if err != nil {
		return nil, err
	}
	out := make([]DocumentInfo, 0, len(f.Documents))
	for _, d := range f.Documents {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Chunks returns chunks by id.
func (c *FileCatalog) Chunks(_ context.Context, tenant uuid.UUID, ids []string) (map[string]Chunk, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.load(tenant)
	if err != nil {
		return nil, err
	}
	out := map[string]Chunk{}
	for _, id := range ids {
		if ch, ok := f.Chunks[id]; ok {
			out[id] = ch
		}
	}
	return out, nil
}

// ChunkIDs returns a document's chunk ids.
func (c *FileCatalog) ChunkIDs(_ context.Context, tenant uuid.UUID, name string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.load(tenant)
	if err != nil {
		return nil, err
	}
	if _, ok := f.Documents[name]; !ok {
		return nil, fmt.Errorf("kb: %w: no document %q", ErrNotFound, name)
	}
	var ids []string
	for id, ch := range f.Chunks {
		if ch.Document == name {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids, nil
}

// Delete removes a document.
func (c *FileCatalog) Delete(_ context.Context, tenant uuid.UUID, name string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	f, err := c.load(tenant)
	if err != nil {
		return err
	}
	if _, ok := f.Documents[name]; !ok {
		return fmt.Errorf("kb: %w: no document %q", ErrNotFound, name)
	}
	delete(f.Documents, name)
	for id, ch := range f.Chunks {
		if ch.Document == name {
			delete(f.Chunks, id)
		}
	}
	return c.save(tenant, f)
}
