package jobs

import (
	"context"
	"fmt"
	"sort"
	"sync"
)

// HandlerFunc runs one job. Returning nil completes the job; an error retries
// it with back-off until its attempts are exhausted (then it is dead), unless
// the error is wrapped by Permanent (then it fails at once). A panic counts as
// an error. ctx is cancelled on timeout, cancel of the job, lease loss and
// worker shutdown; context.Cause tells which.
type HandlerFunc func(ctx context.Context, job *Job) error

// Handlers maps job types to handlers. It is a value passed to NewWorkers,
// never global state. Handlers is safe for concurrent use.
type Handlers struct {
	mu sync.RWMutex
	m  map[string]HandlerFunc
}

// NewHandlers returns an empty registry.
func NewHandlers() *Handlers { return &Handlers{m: make(map[string]HandlerFunc)} }

// Register adds the handler of jobType. It fails with ErrInvalid for a bad
// type name, a nil handler or a type already registered.
func (h *Handlers) Register(jobType string, fn HandlerFunc) error {
	if err := ValidateName("job type", jobType); err != nil {
		return err
	}
	if fn == nil {
		return fmt.Errorf("jobs: handler of job type %q is nil: %w", jobType, ErrInvalid)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.m[jobType]; ok {
		return fmt.Errorf("jobs: job type %q registered twice: %w", jobType, ErrInvalid)
	}
	h.m[jobType] = fn
	return nil
}

// Types returns the registered job types, sorted.
func (h *Handlers) Types() []string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	out := make([]string, 0, len(h.m))
	for t := range h.m {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

func (h *Handlers) lookup(jobType string) HandlerFunc {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return h.m[jobType]
}
