package duckvec

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/internal/vecdoc"
)

// DefaultTable is the table a Store uses when Options.Table is empty.
const DefaultTable = "rag_documents"

// MaxDimension is the largest vector dimension New accepts.
const MaxDimension = 16000

var tableRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Options tunes a Store; the zero value (or nil) means defaults.
type Options struct {
	// Table names the documents table, created when missing. Lower-case
	// letters, digits and underscores. Default: DefaultTable.
	Table string
}

// Store is a rag.VectorStore on a DuckDB database. It borrows the *sql.DB
// (opened with the "duckdb" driver): closing the database is the caller's
// business. See the package documentation for errors and concurrency.
type Store struct {
	db    *sql.DB
	dim   int
	table string

	// writeMu serializes writes; see the package documentation.
	writeMu sync.Mutex

	staging    string // connection-private staging table for Upsert
	stagingSQL string
	clearSQL   string
	moveSQL    string
	searchSQL  string
}

var _ rag.VectorStore = (*Store)(nil)

// New returns a Store of dimension dim on db, creating its table when
// missing. An existing table must have been made for the same dimension.
// A nil db, a dimension outside 1..MaxDimension or a bad Options.Table
// fail with an error naming the field and wrapping rag.ErrInvalid.
func New(ctx context.Context, db *sql.DB, dim int, opts *Options) (*Store, error) {
	if db == nil {
		return nil, fmt.Errorf("duckvec: new: %w: db is nil", rag.ErrInvalid)
	}
	if dim < 1 || dim > MaxDimension {
		return nil, fmt.Errorf("duckvec: new: %w: dim %d is outside 1..%d", rag.ErrInvalid, dim, MaxDimension)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if !tableRE.MatchString(o.Table) {
		return nil, fmt.Errorf("duckvec: new: %w: Options.Table %q must match %s", rag.ErrInvalid, o.Table, tableRE)
	}
	s := &Store{db: db, dim: dim, table: o.Table}
	// The table name is validated above and the dimension is an integer:
	// the only values formatted into SQL. Every value is a parameter.
	arr := fmt.Sprintf("FLOAT[%d]", dim)
	create := fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s (
	tenant_id  VARCHAR NOT NULL,
	collection VARCHAR NOT NULL,
	id         VARCHAR NOT NULL,
	text       VARCHAR NOT NULL,
	metadata   JSON,
	embedding  %s NOT NULL,
	PRIMARY KEY (tenant_id, collection, id)
)`, s.table, arr)
	s.staging = "staging_" + s.table
	s.stagingSQL = fmt.Sprintf(`CREATE TEMP TABLE IF NOT EXISTS %s (
	tenant_id VARCHAR, collection VARCHAR, id VARCHAR, text VARCHAR, metadata VARCHAR, embedding %s)`, s.staging, arr)
	s.clearSQL = fmt.Sprintf(`DELETE FROM temp.%s`, s.staging)
	s.moveSQL = fmt.Sprintf(`INSERT OR REPLACE INTO %s (tenant_id, collection, id, text, metadata, embedding)
SELECT tenant_id, collection, id, text, CAST(metadata AS JSON), embedding FROM temp.%s`, s.table, s.staging)
	s.searchSQL = fmt.Sprintf(`WITH q AS (SELECT ?::%s AS v)
SELECT d.id, d.text, CAST(d.metadata AS VARCHAR), d.embedding, array_cosine_distance(d.embedding, q.v) AS distance
FROM %s d, q
WHERE d.tenant_id = ? AND d.collection = ?
ORDER BY distance, d.id
LIMIT ?`, arr, s.table)

	if _, err := db.ExecContext(ctx, create); err != nil {
		return nil, fmt.Errorf("duckvec: new: create table %q: %w", s.table, err)
	}
	var got string
	err := db.QueryRowContext(ctx, `SELECT data_type FROM information_schema.columns
WHERE table_schema = current_schema() AND table_name = ? AND column_name = 'embedding'`, s.table).Scan(&got)
	if err != nil {
		return nil, fmt.Errorf("duckvec: new: inspect table %q: %w", s.table, err)
	}
	if !strings.EqualFold(got, arr) {
		return nil, fmt.Errorf("duckvec: new: %w: table %q holds %s vectors, not %s", rag.ErrInvalid, s.table, got, arr)
	}
	return s, nil
}

// Dimension returns the length of the vectors the Store holds.
func (s *Store) Dimension() int { return s.dim }

// Upsert stores docs for tenant, replacing documents with the same
// (tenant, collection, id); within docs the last of a repeated id wins. The
// batch is validated before anything is written and made visible by one
// statement. Errors: see the package documentation.
func (s *Store) Upsert(ctx context.Context, tenant string, docs []rag.Document) error {
	if err := validTenant(tenant); err != nil {
		return fmt.Errorf("duckvec: upsert: %w", err)
	}
	for i, d := range docs {
		if err := vecdoc.ValidDoc(d, s.dim); err != nil {
			return fmt.Errorf("duckvec: upsert: document %d (%q): %w", i, d.ID, err)
		}
	}
	docs = vecdoc.LastWins(docs)
	if len(docs) == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	if err := s.write(ctx, tenant, docs); err != nil {
		return fmt.Errorf("duckvec: upsert: %w", err)
	}
	return nil
}

// write bulk-loads docs with the Appender into a connection-private
// staging table, then moves them with one INSERT OR REPLACE, a single
// atomic statement. The Appender cannot replace rows itself.
func (s *Store) write(ctx context.Context, tenant string, docs []rag.Document) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, s.stagingSQL); err != nil {
		return fmt.Errorf("staging table: %w", err)
	}
	// A staging table left filled by an earlier failure is emptied.
	if _, err := conn.ExecContext(ctx, s.clearSQL); err != nil {
		return fmt.Errorf("staging table: %w", err)
	}
	err = conn.Raw(func(dc any) error {
		dconn, ok := dc.(driver.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		app, err := duckdb.NewAppender(dconn, "temp", "main", s.staging)
		if err != nil {
			return err
		}
		for _, d := range docs {
			var meta any
			if len(d.Metadata) > 0 {
				meta = string(d.Metadata)
			}
			if err := app.AppendRow(tenant, d.Collection, d.ID, d.Text, meta, d.Vector); err != nil {
				_ = app.Close()
				return fmt.Errorf("document %q: %w", d.ID, err)
			}
		}
		return app.Close()
	})
	if err != nil {
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), s.clearSQL)
		return fmt.Errorf("append: %w", err)
	}
	_, err = conn.ExecContext(ctx, s.moveSQL)
	if _, cerr := conn.ExecContext(context.WithoutCancel(ctx), s.clearSQL); err == nil && cerr != nil {
		err = fmt.Errorf("clear staging table: %w", cerr)
	}
	return err
}

// Search returns up to k documents of tenant's collection nearest to
// vector by cosine, best first (ties by id), with Score the cosine
// similarity. Errors: see the package documentation.
func (s *Store) Search(ctx context.Context, tenant, collection string, vector []float32, k int) ([]rag.Hit, error) {
	if err := validTenant(tenant); err != nil {
		return nil, fmt.Errorf("duckvec: search: %w", err)
	}
	if collection == "" {
		return nil, fmt.Errorf("duckvec: search: %w: empty collection", rag.ErrInvalid)
	}
	if k < 1 {
		return nil, fmt.Errorf("duckvec: search: %w: k %d is less than 1", rag.ErrInvalid, k)
	}
	if err := vecdoc.ValidVector(vector, s.dim); err != nil {
		return nil, fmt.Errorf("duckvec: search: query %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.searchSQL, vector, tenant, collection, k)
	if err != nil {
		return nil, fmt.Errorf("duckvec: search: collection %q: %w", collection, err)
	}
	defer rows.Close()
	hits := make([]rag.Hit, 0, k)
	for rows.Next() {
		var (
			h        = rag.Hit{Document: rag.Document{Collection: collection}}
			meta     sql.NullString
			vec      any
			distance float64
		)
		if err := rows.Scan(&h.ID, &h.Text, &meta, &vec, &distance); err != nil {
			return nil, fmt.Errorf("duckvec: search: scan: %w", err)
		}
		if meta.Valid {
			h.Metadata = json.RawMessage(meta.String)
		}
		if h.Vector, err = toFloat32s(vec); err != nil {
			return nil, fmt.Errorf("duckvec: search: document %q: %w", h.ID, err)
		}
		h.Score = 1 - distance
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("duckvec: search: collection %q: %w", collection, err)
	}
	return hits, nil
}

// Delete removes tenant's documents of collection with the given ids;
// missing ids are ignored. Errors: see the package documentation.
func (s *Store) Delete(ctx context.Context, tenant, collection string, ids []string) error {
	if err := validTenant(tenant); err != nil {
		return fmt.Errorf("duckvec: delete: %w", err)
	}
	if collection == "" {
		return fmt.Errorf("duckvec: delete: %w: empty collection", rag.ErrInvalid)
	}
	if len(ids) == 0 {
		return nil
	}
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	q := fmt.Sprintf(`DELETE FROM %s WHERE tenant_id = ? AND collection = ? AND list_contains(?::VARCHAR[], id)`, s.table)
	if _, err := s.db.ExecContext(ctx, q, tenant, collection, ids); err != nil {
		return fmt.Errorf("duckvec: delete: collection %q: %w", collection, err)
	}
	return nil
}

func validTenant(tenant string) error {
	if tenant == "" {
		return fmt.Errorf("%w: empty tenant", rag.ErrInvalid)
	}
	return nil
}

var errVectorType = errors.New("unexpected vector type")

func toFloat32s(v any) ([]float32, error) {
	switch x := v.(type) {
	case []float32:
		return x, nil
	case []any:
		out := make([]float32, len(x))
		for i, e := range x {
			f, ok := e.(float32)
			if !ok {
				return nil, fmt.Errorf("duckvec: %w: element %T", errVectorType, e)
			}
			out[i] = f
		}
		return out, nil
	default:
		return nil, fmt.Errorf("duckvec: %w: %T", errVectorType, v)
	}
}
