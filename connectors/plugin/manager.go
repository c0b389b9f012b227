package plugin

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Manager loads plugins and ends them all at host shutdown. A host makes one
// Manager, loads every plugin through it, and calls Shutdown when it stops
// (after its signal context is cancelled, before main returns), so that no
// plugin process outlives the host.
//
// A Manager is safe for concurrent use.
type Manager struct {
	mu      sync.Mutex
	clients map[*Client]struct{}
	down    bool
}

// NewManager returns a Manager with no plugin loaded.
func NewManager() *Manager {
	return &Manager{clients: make(map[*Client]struct{})}
}

// Load is the package-level Load, tracking the Client so that Shutdown ends
// it. Closing the Client stops the tracking. It fails with ErrClosed after
// Shutdown.
func (m *Manager) Load(ctx context.Context, path string, opts *LoadOptions) (*Client, error) {
	m.mu.Lock()
	down := m.down
	m.mu.Unlock()
	if down {
		return nil, fmt.Errorf("plugin: load %q: manager: %w", path, ErrClosed)
	}
	c, err := load(ctx, path, opts, m, true)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	if m.down {
		m.mu.Unlock()
		_ = c.Close()
		return nil, fmt.Errorf("plugin: load %q: manager: %w", path, ErrClosed)
	}
	m.clients[c] = struct{}{}
	m.mu.Unlock()
	return c, nil
}

// Len returns the number of plugins loaded and not yet closed.
func (m *Manager) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.clients)
}

// Shutdown closes every plugin the Manager loaded, concurrently, and waits
// until each process has exited and been reaped, or ctx ends (the processes
// are then still being killed, and ctx's error is returned). Later Loads fail
// with ErrClosed. It returns the plugins' Close errors joined. Shutdown is
// safe to call more than once.
func (m *Manager) Shutdown(ctx context.Context) error {
	m.mu.Lock()
	m.down = true
	clients := make([]*Client, 0, len(m.clients))
	for c := range m.clients {
		clients = append(clients, c)
	}
	m.mu.Unlock()

	errs := make([]error, len(clients))
	var wg sync.WaitGroup
	for i, c := range clients {
		wg.Go(func() { errs[i] = c.Close() })
	}
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return errors.Join(errs...)
	case <-ctx.Done():
		return fmt.Errorf("plugin: shutdown: %w", ctx.Err())
	}
}

func (m *Manager) forget(c *Client) {
	m.mu.Lock()
	delete(m.clients, c)
	m.mu.Unlock()
}
