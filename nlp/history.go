package nlp

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/google/uuid"
)

// FileHistory is the local-mode HistoryStore: one JSON-lines file per
// tenant under a directory, appended and synced per entry. Entries are
// stored as given; the gateway redacts them first. Safe for concurrent use
// within a process.
type FileHistory struct {
	dir string
	mu  sync.Mutex
}

// NewFileHistory returns a FileHistory under dir.
func NewFileHistory(dir string) (*FileHistory, error) {
	if dir == "" {
		return nil, fmt.Errorf("nlp: history: %w: empty directory", ErrInvalid)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("nlp: history: %w", err)
	}
	return &FileHistory{dir: dir}, nil
}

func (h *FileHistory) path(tenant uuid.UUID) string {
	return filepath.Join(h.dir, tenant.String()+".jsonl")
}

// Record appends an entry.
func (h *FileHistory) Record(_ context.Context, tenant uuid.UUID, e HistoryEntry) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <EMAIL> readable
	if err := enc.Encode(e); err != nil {
		return err
	}
	b := buf.Bytes()
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := os.OpenFile(h.path(tenant), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("nlp: history: %w", err)
	}
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("nlp: history: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("nlp: history: %w", err)
	}
	return f.Close()
}

// Entries returns up to limit of the tenant's newest entries, oldest
// first (all when limit ≤ 0).
func (h *FileHistory) Entries(_ context.Context, tenant uuid.UUID, limit int) ([]HistoryEntry, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := os.Open(h.path(tenant))
	if errors.Is(err, os.ErrNotExist) {
		return []HistoryEntry{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("nlp: history: %w", err)
	}
	defer f.Close()
	out := []HistoryEntry{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var e HistoryEntry
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("nlp: history: corrupt line: %w", err)
		}
		out = append(out, e)
		if limit > 0 && len(out) > limit {
			out = out[1:]
		}
	}
	return out, sc.Err()
}
