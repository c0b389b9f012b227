package pgvec

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/pgvector/pgvector-go"

	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/internal/vecdoc"
)

// DefaultTable is the table a Store uses when Options.Table is empty.
const DefaultTable = "rag_documents"

// MaxDimension is the largest dimension an HNSW index of vector supports.
const MaxDimension = 2000

// DefaultEfSearch is the HNSW candidate list size used by Search.
const DefaultEfSearch = 100

var tableRE = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// Options tunes a Store; the zero value (or nil) means defaults.
type Options struct {
	// Table names the documents table, created when missing. Lower-case
	// letters, digits and underscores. Default: DefaultTable.
	Table string
	// EfSearch is hnsw.ef_search for searches (raised to k when k is
	// larger). Default: DefaultEfSearch.
	EfSearch int
}

// Store is a rag.VectorStore on PostgreSQL + pgvector. See the package
// documentation for errors and concurrency.
type Store struct {
	pool     *pgxpool.Pool
	dim      int
	table    string
	efSearch int

	upsertSQL, searchSQL, deleteSQL string
}

var _ rag.VectorStore = (*Store)(nil)

// New returns a Store of dimension dim on pool: it installs the vector
// extension if needed and creates the table, its HNSW index and its
// row-level security policy when missing. An existing table must hold
// vectors of the same dimension. A nil pool, a dimension outside
// 1..MaxDimension or a bad option fail with an error naming the field and
// wrapping rag.ErrInvalid; a server without pgvector fails with an error
// wrapping rag.ErrUnavailable.
func New(ctx context.Context, pool *pgxpool.Pool, dim int, opts *Options) (*Store, error) {
	if pool == nil {
		return nil, fmt.Errorf("pgvec: new: %w: pool is nil", rag.ErrInvalid)
	}
	if dim < 1 || dim > MaxDimension {
		return nil, fmt.Errorf("pgvec: new: %w: dim %d is outside 1..%d", rag.ErrInvalid, dim, MaxDimension)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Table == "" {
		o.Table = DefaultTable
	}
	if !tableRE.MatchString(o.Table) {
		return nil, fmt.Errorf("pgvec: new: %w: Options.Table %q must match %s", rag.ErrInvalid, o.Table, tableRE)
	}
	if o.EfSearch == 0 {
		o.EfSearch = DefaultEfSearch
	}
	if o.EfSearch < 1 || o.EfSearch > 1000 {
		return nil, fmt.Errorf("pgvec: new: %w: Options.EfSearch %d is outside 1..1000", rag.ErrInvalid, o.EfSearch)
	}
	s := &Store{pool: pool, dim: dim, table: o.Table, efSearch: o.EfSearch}
	// Only the validated table name is formatted into SQL; every value is a
	// parameter. Vectors travel in pgvector's text form and are cast, so
	// the pool needs no type registration.
	s.upsertSQL = fmt.Sprintf(`INSERT INTO %[1]s (tenant_id, collection, id, text, metadata, embedding)
VALUES ($1, $2, $3, $4, $5::jsonb, CAST($6::text AS vector))
ON CONFLICT (tenant_id, collection, id) DO UPDATE
SET text = EXCLUDED.text, metadata = EXCLUDED.metadata, embedding = EXCLUDED.embedding, updated_at = now()`, s.table)
	// ORDER BY the bare distance expression lets the planner use the HNSW
	// index; a tie-breaker column would prevent it.
	s.searchSQL = fmt.Sprintf(`SELECT id, text, metadata::text, embedding::text, embedding <=> CAST($1::text AS vector) AS distance
FROM %[1]s
WHERE tenant_id = $2 AND collection = $3
ORDER BY embedding <=> CAST($1::text AS vector)
LIMIT $4`, s.table)
	s.deleteSQL = fmt.Sprintf(`DELETE FROM %[1]s WHERE tenant_id = $1 AND collection = $2 AND id = ANY($3)`, s.table)

	if err := ensureExtension(ctx, pool); err != nil {
		return nil, err
	}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// ensureExtension installs pgvector unless it is installed already (which
// needs no privilege).
func ensureExtension(ctx context.Context, pool *pgxpool.Pool) error {
	var installed bool
	if err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'vector')`).Scan(&installed); err != nil {
		return fmt.Errorf("pgvec: new: check the vector extension: %w", err)
	}
	if installed {
		return nil
	}
	if _, err := pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS vector`); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("pgvec: new: create the vector extension: %w", err)
		}
		return fmt.Errorf("pgvec: new: %w: the pgvector extension is not installed (CREATE EXTENSION vector failed: %v)", rag.ErrUnavailable, err)
	}
	return nil
}

// migrate creates the table, index and policy when missing, under an
// advisory lock so that concurrent New calls do not race, and checks the
// dimension of an existing table.
func (s *Store) migrate(ctx context.Context) error {
	stmts := []string{
		fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %[1]s (
	tenant_id  text NOT NULL CHECK (tenant_id <> ''),
	collection text NOT NULL CHECK (collection <> ''),
	id         text NOT NULL CHECK (id <> ''),
	text       text NOT NULL,
	metadata   jsonb,
	embedding  vector(%[2]d) NOT NULL,
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (tenant_id, collection, id)
)`, s.table, s.dim),
		fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %[1]s_embedding_hnsw ON %[1]s USING hnsw (embedding vector_cosine_ops)`, s.table),
		fmt.Sprintf(`ALTER TABLE %[1]s ENABLE ROW LEVEL SECURITY`, s.table),
		fmt.Sprintf(`ALTER TABLE %[1]s FORCE ROW LEVEL SECURITY`, s.table),
	}
	policy := fmt.Sprintf(`CREATE POLICY tenant_isolation ON %[1]s AS PERMISSIVE FOR ALL TO PUBLIC
	USING (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''))
	WITH CHECK (tenant_id = NULLIF(current_setting('app.tenant_id', true), ''))`, s.table)
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('aos_pgvec:' || $1))`, s.table); err != nil {
			return fmt.Errorf("pgvec: new: lock: %w", err)
		}
		for _, q := range stmts {
			if _, err := tx.Exec(ctx, q); err != nil {
				return fmt.Errorf("pgvec: new: table %q: %w", s.table, interpretError(err))
			}
		}
		var hasPolicy bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_policies
WHERE schemaname = current_schema() AND tablename = $1 AND policyname = 'tenant_isolation')`, s.table).Scan(&hasPolicy); err != nil {
			return fmt.Errorf("pgvec: new: table %q: policy: %w", s.table, err)
		}
		if !hasPolicy {
			if _, err := tx.Exec(ctx, policy); err != nil {
				return fmt.Errorf("pgvec: new: table %q: policy: %w", s.table, interpretError(err))
			}
		}
		var typ string
		if err := tx.QueryRow(ctx, `SELECT format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = to_regclass($1) AND attname = 'embedding'`, s.table).Scan(&typ); err != nil {
			return fmt.Errorf("pgvec: new: table %q: inspect: %w", s.table, err)
		}
		if want := fmt.Sprintf("vector(%d)", s.dim); typ != want {
			return fmt.Errorf("pgvec: new: %w: table %q holds %s, not %s", rag.ErrInvalid, s.table, typ, want)
		}
		return nil
	})
}

// Dimension returns the length of the vectors the Store holds.
func (s *Store) Dimension() int { return s.dim }

// inTenant runs fn in a transaction scoped to tenant by app.tenant_id.
func (s *Store) inTenant(ctx context.Context, tenant string, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('app.tenant_id', $1, true)`, tenant); err != nil {
			return fmt.Errorf("set tenant: %w", err)
		}
		return fn(tx)
	})
}

// Upsert stores docs for tenant, replacing documents with the same
// (tenant, collection, id); within docs the last of a repeated id wins. The
// batch is validated before anything is written and written in one
// transaction. Errors: see the package documentation.
func (s *Store) Upsert(ctx context.Context, tenant string, docs []rag.Document) error {
	if tenant == "" {
		return fmt.Errorf("pgvec: upsert: %w: empty tenant", rag.ErrInvalid)
	}
	for i, d := range docs {
		if err := vecdoc.ValidDoc(d, s.dim); err != nil {
			return fmt.Errorf("pgvec: upsert: document %d (%q): %w", i, d.ID, err)
		}
	}
	docs = vecdoc.LastWins(docs)
	if len(docs) == 0 {
		return nil
	}
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, d := range docs {
			var meta any
			if len(d.Metadata) > 0 {
				meta = string(d.Metadata)
			}
			b.Queue(s.upsertSQL, tenant, d.Collection, d.ID, d.Text, meta, pgvector.NewVector(d.Vector).String())
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("pgvec: upsert: %w", interpretError(err))
	}
	return nil
}

// Search returns up to k documents of tenant's collection nearest to
// vector by cosine, best first, with Score the cosine similarity. Errors:
// see the package documentation.
func (s *Store) Search(ctx context.Context, tenant, collection string, vector []float32, k int) ([]rag.Hit, error) {
	switch {
	case tenant == "":
		return nil, fmt.Errorf("pgvec: search: %w: empty tenant", rag.ErrInvalid)
	case collection == "":
		return nil, fmt.Errorf("pgvec: search: %w: empty collection", rag.ErrInvalid)
	case k < 1:
		return nil, fmt.Errorf("pgvec: search: %w: k %d is less than 1", rag.ErrInvalid, k)
	}
	if err := vecdoc.ValidVector(vector, s.dim); err != nil {
		return nil, fmt.Errorf("pgvec: search: query %w", err)
	}
	hits := make([]rag.Hit, 0, k)
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT set_config('hnsw.ef_search', $1, true)`, fmt.Sprint(max(s.efSearch, k))); err != nil {
			return fmt.Errorf("set ef_search: %w", err)
		}
		rows, err := tx.Query(ctx, s.searchSQL, pgvector.NewVector(vector).String(), tenant, collection, k)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				h        = rag.Hit{Document: rag.Document{Collection: collection}}
				meta     *string
				vec      pgvector.Vector
				distance float64
			)
			if err := rows.Scan(&h.ID, &h.Text, &meta, &vec, &distance); err != nil {
				return fmt.Errorf("scan: %w", err)
			}
			if meta != nil {
				h.Metadata = json.RawMessage(*meta)
			}
			h.Vector = vec.Slice()
			h.Score = 1 - distance
			hits = append(hits, h)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pgvec: search: collection %q: %w", collection, interpretError(err))
	}
	return hits, nil
}

// Delete removes tenant's documents of collection with the given ids;
// missing ids are ignored. Errors: see the package documentation.
func (s *Store) Delete(ctx context.Context, tenant, collection string, ids []string) error {
	switch {
	case tenant == "":
		return fmt.Errorf("pgvec: delete: %w: empty tenant", rag.ErrInvalid)
	case collection == "":
		return fmt.Errorf("pgvec: delete: %w: empty collection", rag.ErrInvalid)
	case len(ids) == 0:
		return nil
	}
	err := s.inTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, s.deleteSQL, tenant, collection, ids)
		return err
	})
	if err != nil {
		return fmt.Errorf("pgvec: delete: collection %q: %w", collection, interpretError(err))
	}
	return nil
}

// interpretError maps the PostgreSQL errors the store can meet to rag
// sentinels, keeping the original wrapped.
func interpretError(err error) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return err
	}
	switch pg.Code {
	case "22000", "22P02", "22023", "23514": // data exception (dimension), bad text form, bad parameter, check
		return fmt.Errorf("%w: %w", rag.ErrInvalid, err)
	case "42704", "42883", "58P01": // type or operator vector missing, library file missing
		return fmt.Errorf("%w: pgvector is not usable: %w", rag.ErrUnavailable, err)
	}
	return err
}
