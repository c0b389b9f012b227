package duckvec_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/duckvec"
)

func ExampleNew() {
	ctx := context.Background()
	db, err := sql.Open("duckdb", "") // in memory; pass a file path to keep the documents
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	store, err := duckvec.New(ctx, db, 3, nil)
	if err != nil {
		log.Fatal(err)
	}
	err = store.Upsert(ctx, "tenant-1", []rag.Document{
		{ID: "CompanyName", Collection: "approved_mappings", Text: "CompanyName -> account.name",
			Metadata: []byte(`{"canonical_field":"account.name"}`), Vector: []float32{1, 0.1, 0}},
		{ID: "CloseDate", Collection: "approved_mappings", Text: "CloseDate -> opportunity.close_date",
			Vector: []float32{0, 1, 0.2}},
	})
	if err != nil {
		log.Fatal(err)
	}
	hits, err := store.Search(ctx, "tenant-1", "approved_mappings", []float32{0.9, 0.2, 0}, 2)
	if err != nil {
		log.Fatal(err)
	}
	for _, h := range hits {
		fmt.Printf("%s %.3f %s\n", h.ID, h.Score, h.Metadata)
	}
	// Output:
	// CompanyName 0.993 {"canonical_field":"account.name"}
	// CloseDate 0.213
}
