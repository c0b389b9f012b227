package dcl

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
)

// Defaults of Options.
const (
	DefaultBatchSize = 50000
	// MaxQueryLimit is the largest page a Query returns.
	MaxQueryLimit = 10000
	// DefaultQueryLimit is the page size when QueryOptions.Limit is 0.
	DefaultQueryLimit = 100
)

// Options tunes an Engine. A nil *Options means the defaults.
type Options struct {
	// Registry is the canonical registry whose entities become views.
	// Default: the built-in registry (canonical.NewRegistry()).
	Registry *canonical.Registry
	// BatchSize is how many events Sync reads and materializes per
	// transaction. Default: DefaultBatchSize (50,000); must be 1..1,000,000.
	BatchSize int
	// Now gives the current time, used by agents for the default as-of
	// date. Default: time.Now.
	Now func() time.Time
	// Graph stores the knowledge graph. Default: a DuckGraph in the
	// tenant's own file. A store given here is borrowed: Close leaves it
	// open.
	Graph GraphStore
}

func (o *Options) withDefaults() (Options, error) {
	var out Options
	if o != nil {
		out = *o
	}
	if out.Registry == nil {
		reg, err := canonical.NewRegistry()
		if err != nil {
			return out, fmt.Errorf("dcl: options: Registry: %w", err)
		}
		out.Registry = reg
	}
	if out.BatchSize == 0 {
		out.BatchSize = DefaultBatchSize
	}
	if out.BatchSize < 1 || out.BatchSize > 1_000_000 {
		return out, fmt.Errorf("%w: options: BatchSize %d is outside 1..1000000", ErrInvalid, out.BatchSize)
	}
	if out.Now == nil {
		out.Now = time.Now
	}
	for _, name := range []string{"account", "contact"} {
		if _, ok := out.Registry.Entity(name); !ok {
			return out, fmt.Errorf("%w: options: Registry lacks the %q entity", ErrInvalid, name)
		}
	}
	return out, nil
}

// Engine is one tenant's DCL: the DuckDB file holding the materialized
// views, the unification state and the knowledge graph of that tenant
// only. DuckDB is never the system of record here; everything can be
// rebuilt from the canonical stream (Rebuild).
//
// An Engine is safe for concurrent use. Writers (Sync, Materialize,
// Rebuild, SyncGraph) are serialized; readers (Query, Aggregate, agents)
// run concurrently with them and see each materialized batch entirely or
// not at all.
type Engine struct {
	tenant  uuid.UUID
	path    string
	opts    Options
	views   map[string]*View
	byEnt   map[string]*View
	writeMu sync.Mutex // serializes writers

	mu     sync.RWMutex // guards the fields below; write-locked to swap the database
	db     *sql.DB
	conn   *sql.Conn // the writer connection, with the staging tables
	graph  GraphStore
	closed bool

	// writer state, guarded by writeMu
	filters  map[*View]*keyFilter // views tracked since empty; nil: unknown keys
	offset   int64
	logSeq   int64
	accounts *unifier
	contacts *unifier
}

// Open opens (creating if needed) the DuckDB file of one tenant under
// dataDir: dataDir/registry_{tenant}.duckdb, a path built only from the
// validated UUID. dataDir is created if missing. A file of another tenant
// is refused. Errors wrap ErrInvalid (nil UUID, empty dataDir, bad
// options, a file that belongs to another tenant) or ErrStorage.
func Open(ctx context.Context, dataDir string, tenant uuid.UUID, opts *Options) (*Engine, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	path, err := TenantFile(dataDir, tenant)
	if err != nil {
		return nil, fmt.Errorf("dcl: open: %w", err)
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("%w: open: data directory: %v", ErrStorage, err)
	}
	views, byEnt, err := buildViews(o.Registry)
	if err != nil {
		return nil, err
	}
	e := &Engine{tenant: tenant, path: path, opts: o, views: views, byEnt: byEnt}
	if err := e.openDB(ctx); err != nil {
		return nil, err
	}
	return e, nil
}

// openDB opens the file, creates the schema and loads the writer state.
func (e *Engine) openDB(ctx context.Context) error {
	connector, err := duckdb.NewConnector(e.path, nil)
	if err != nil {
		return fmt.Errorf("%w: open %s: %v", ErrStorage, e.path, err)
	}
	db := sql.OpenDB(connector)
	fail := func(err error) error {
		_ = db.Close()
		return err
	}
	// Checkpoint on close or after 1 GB of WAL rather than DuckDB's 16 MB:
	// with the default, every few batches pay a checkpoint inside their
	// commit, which more than halves materialization throughput.
	if _, err := db.ExecContext(ctx, "SET GLOBAL checkpoint_threshold = '1GB'"); err != nil {
		return fail(fmt.Errorf("%w: configure: %v", ErrStorage, err))
	}
	for _, q := range stateDDL {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fail(fmt.Errorf("%w: create schema: %v", ErrStorage, err))
		}
	}
	for _, v := range e.views {
		if _, err := db.ExecContext(ctx, v.createTableSQL()); err != nil {
			return fail(fmt.Errorf("%w: create view %q: %v", ErrStorage, v.Name, err))
		}
		if err := widenDecimals(ctx, db, v); err != nil {
			return fail(err)
		}
	}
	var owner string
	err = db.QueryRowContext(ctx, `SELECT tenant_id, stream_offset FROM dcl_state WHERE id = 1`).Scan(&owner, &e.offset)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		e.offset = 0
		if _, err := db.ExecContext(ctx, `INSERT INTO dcl_state VALUES (1, ?, 0)`, e.tenant.String()); err != nil {
			return fail(fmt.Errorf("%w: init state: %v", ErrStorage, err))
		}
	case err != nil:
		return fail(fmt.Errorf("%w: read state: %v", ErrStorage, err))
	case owner != e.tenant.String():
		return fail(fmt.Errorf("%w: file %s belongs to tenant %q, not %q", ErrInvalid, e.path, owner, e.tenant))
	}
	var graph GraphStore = e.opts.Graph
	if graph == nil {
		dg, err := NewDuckGraph(ctx, db)
		if err != nil {
			return fail(err)
		}
		graph = dg
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return fail(fmt.Errorf("%w: writer connection: %v", ErrStorage, err))
	}
	for _, q := range stagingDDL {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			_ = conn.Close()
			return fail(fmt.Errorf("%w: create staging: %v", ErrStorage, err))
		}
	}
	e.db, e.conn, e.graph = db, conn, graph
	if err := e.initFilters(ctx); err != nil {
		_ = conn.Close()
		e.db, e.conn, e.graph = nil, nil, nil
		return fail(err)
	}
	if err := e.loadUnifiers(ctx); err != nil {
		_ = conn.Close()
		e.db, e.conn, e.graph = nil, nil, nil
		return fail(err)
	}
	return nil
}

// initFilters starts a key filter for every empty view: from then on the
// filter knows every key the view can hold.
func (e *Engine) initFilters(ctx context.Context) error {
	e.filters = map[*View]*keyFilter{}
	for _, v := range e.views {
		var has bool
		err := e.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+quoteIdent(v.Name)+`)`).Scan(&has)
		if err != nil {
			return fmt.Errorf("%w: inspect view %q: %v", ErrStorage, v.Name, err)
		}
		if !has {
			e.filters[v] = newKeyFilter()
		}
	}
	return nil
}

// Tenant returns the engine's tenant.
func (e *Engine) Tenant() uuid.UUID { return e.tenant }

// Path returns the engine's DuckDB file.
func (e *Engine) Path() string { return e.path }

// Views returns the engine's views, sorted by name. The values are shared:
// do not modify them.
func (e *Engine) Views() []*View {
	out := make([]*View, 0, len(e.views))
	for _, v := range e.views {
		out = append(out, v)
	}
	sortViews(out)
	return out
}

// View returns the view named name; the error wraps ErrInvalid when there
// is none.
func (e *Engine) View(name string) (*View, error) {
	v, ok := e.views[name]
	if !ok {
		return nil, fmt.Errorf("%w: unknown view %q", ErrInvalid, name)
	}
	return v, nil
}

// Offset returns the last stream offset materialized (the checkpoint).
func (e *Engine) Offset() int64 {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	return e.offset
}

// Graph returns the tenant's knowledge graph: Options.Graph, or the
// DuckGraph in the tenant's file, which stays valid until Close or
// Rebuild.
func (e *Engine) Graph() GraphStore {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.graph
}

// reader returns the database for a read, holding the read lock until
// the returned function is called.
func (e *Engine) reader() (*sql.DB, func(), error) {
	e.mu.RLock()
	if e.closed || e.db == nil {
		e.mu.RUnlock()
		return nil, nil, ErrClosed
	}
	return e.db, e.mu.RUnlock, nil
}

// closeDB closes the current database; callers hold mu for writing.
func (e *Engine) closeDB() error {
	var errs []error
	if e.conn != nil {
		errs = append(errs, e.conn.Close())
	}
	if e.db != nil {
		errs = append(errs, e.db.Close())
	}
	e.db, e.conn, e.graph = nil, nil, nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: close: %v", ErrStorage, err)
	}
	return nil
}

// Close closes the tenant's file. Further calls fail with ErrClosed;
// closing twice is a no-op.
func (e *Engine) Close() error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	return e.closeDB()
}
