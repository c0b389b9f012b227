package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	// The DuckDB driver for the local vector store.
	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/duckvec"
)

// Local is a KB in local mode under one directory: dir/kb.duckdb for
// vectors, dir/lexical for the Bleve indexes, dir/catalog for the
// documents. Close releases them.
type Local struct {
	*KB
	db  *sql.DB
	lex *BleveIndex
}

// OpenLocal opens (creating) a local KB under dir. opts.Embedder's
// dimension must match the one the directory was created with.
func OpenLocal(ctx context.Context, dir string, opts *Options) (*Local, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("kb: open: %w", err)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Embedder == nil {
		o.Embedder = rag.NewLocalEmbedder()
	}
	db, err := sql.Open("duckdb", filepath.Join(dir, "kb.duckdb"))
	if err != nil {
		return nil, fmt.Errorf("kb: open: %w", err)
	}
	vec, err := duckvec.New(ctx, db, o.Embedder.Dimension(), &duckvec.Options{Table: "nlp_knowledge"})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("kb: open: %w", err)
	}
	lex, err := OpenBleve(filepath.Join(dir, "lexical"))
	if err != nil {
		db.Close()
		return nil, err
	}
	cat, err := NewFileCatalog(filepath.Join(dir, "catalog"))
	if err != nil {
		db.Close()
		lex.Close()
		return nil, err
	}
	k, err := New(cat, lex, vec, &o)
	if err != nil {
		db.Close()
		lex.Close()
		return nil, err
	}
	return &Local{KB: k, db: db, lex: lex}, nil
}

// Close closes the indexes and the database.
func (l *Local) Close() error {
	return errors.Join(l.lex.Close(), l.db.Close())
}
