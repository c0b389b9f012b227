package pgvec_test

import (
	"context"
	"database/sql"
	"errors"
	"log"
	"os"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/duckvec"
	"github.com/autonomos/autonomos/rag/pgvec"
)

// ExampleNew chooses pgvector when the server has it and falls back to the
// local DuckDB store when it does not. (It needs a server, so it has no
// Output to check.)
func ExampleNew() {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	defer pool.Close()

	var store rag.VectorStore
	pg, err := pgvec.New(ctx, pool, 768, nil)
	switch {
	case err == nil:
		store = pg
	case errors.Is(err, rag.ErrUnavailable):
		log.Printf("vector search on DuckDB: %v", err)
		db, err := sql.Open("duckdb", "vectors.duckdb")
		if err != nil {
			log.Fatal(err)
		}
		defer db.Close()
		if store, err = duckvec.New(ctx, db, 768, nil); err != nil {
			log.Fatal(err)
		}
	default:
		log.Fatal(err)
	}
	_ = store
}
