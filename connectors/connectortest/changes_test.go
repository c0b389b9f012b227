package connectortest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
)

// store is a source whose records a Mutator changes: id -> name, and the
// ids deleted.
type store struct {
	mu      sync.Mutex
	names   map[string]string
	deleted map[string]bool
}

func newStore(n int) *store {
	s := &store{names: map[string]string{}, deleted: map[string]bool{}}
	for i := range n {
		s.names[fmt.Sprintf("id%03d", i)] = fmt.Sprintf("name %03d", i)
	}
	return s
}

func (s *store) Insert(context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("id%08x", rand.Uint32())
	s.names[id] = "inserted"
	return id, nil
}

func (s *store) Update(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.names[id] = strings.ToUpper(s.names[id])
	return nil
}

func (s *store) Delete(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.deleted[id] = true
	return nil
}

// storeConnector reads a store as a snapshot object in id order. Its bug
// breaks it in one way.
type storeConnector struct {
	connectors.UnimplementedConnector
	st  *store
	bug string
}

func (c *storeConnector) Spec() connectors.Spec {
	return connectors.Spec{Name: "store", Version: "1.0.0", ChangeModels: []connectors.ChangeModel{connectors.ChangeSnapshot},
		Params: []connectors.Param{{Name: "label", Type: connectors.ParamString}}}
}

func (c *storeConnector) Check(context.Context) error { return nil }

func (c *storeConnector) Discover(context.Context) (*connectors.Catalog, error) {
	return &connectors.Catalog{Objects: []connectors.Object{{
		Schema:      canonical.SourceSchema{System: "store", Object: "items", Fields: []canonical.SourceField{{Name: "id", Type: canonical.TypeString}, {Name: "name", Type: canonical.TypeString}}},
		PrimaryKey:  []string{"id"},
		ChangeModel: connectors.ChangeSnapshot,
	}}}, nil
}

func (c *storeConnector) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if req.Object != "items" {
		return fmt.Errorf("store: object %q: %w", req.Object, connectors.ErrNotFound)
	}
	after, ok := strings.CutPrefix(string(req.Cursor), "store:")
	if req.Cursor != "" && !ok {
		return fmt.Errorf("%w: store: %q", connectors.ErrInvalidCursor, req.Cursor)
	}
	c.st.mu.Lock()
	var ids []string
	for id := range c.st.names {
		if c.st.deleted[id] && c.bug != "keeps deleted" {
			continue
		}
		if c.bug == "misses inserts" && strings.HasPrefix(id, "id") && len(id) > 5 {
			continue
		}
		ids = append(ids, id)
	}
	names := make(map[string]string, len(ids))
	for _, id := range ids {
		names[id] = c.st.names[id]
	}
	c.st.mu.Unlock()
	sort.Strings(ids)
	for _, id := range ids {
		if id <= after {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := emit(connectors.Record{ID: id, Fields: map[string]any{"id": id, "name": names[id]}, Cursor: connectors.Cursor("store:" + id)}); err != nil {
			return err
		}
	}
	return nil
}

func storeHarness(bug string) connectortest.Harness {
	st := newStore(12)
	return connectortest.Harness{
		New: func(context.Context, connectors.Config) (connectors.Connector, error) {
			return &storeConnector{st: st, bug: bug}, nil
		},
		Config:  connectors.Config{"label": "test"},
		Object:  "items",
		Mutator: st,
	}
}

func TestChangesPassesCorrectConnector(t *testing.T) {
	connectortest.Run(t, storeHarness(""))
}

// TestChangesCatchesBugs runs the suite on connectors that lose changes in
// a child process and checks the Changes check fails them.
func TestChangesCatchesBugs(t *testing.T) {
	if bug := os.Getenv("CONNECTORTEST_CHANGES_BUG"); bug != "" {
		connectortest.Run(t, storeHarness(bug))
		return
	}
	t.Parallel()
	for _, bug := range []string{"keeps deleted", "misses inserts"} {
		t.Run(bug, func(t *testing.T) {
			t.Parallel()
			requireSuiteFails(t, "TestChangesCatchesBugs", "CONNECTORTEST_CHANGES_BUG", bug, "--- FAIL: TestChangesCatchesBugs/Changes")
		})
	}
}
