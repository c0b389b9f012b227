package kb_test

import (
	"context"
	"fmt"
	"os"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/nlp/kb"
)

func ExampleKB_Search() {
	dir, _ := os.MkdirTemp("", "kb-example")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	k, err := kb.OpenLocal(ctx, dir, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer k.Close()
	tenant := uuid.New()
	info, _ := k.Add(ctx, tenant, "glossary.md", "# ARR\nAnnual recurring revenue is the yearly value of active subscriptions.\n\n# DSO\nDays sales outstanding measures how fast customers pay.")
	fmt.Println(info.Chunks, "chunks")
	hits, _ := k.Search(ctx, tenant, "How do we define ARR?", 1, kb.Hybrid)
	fmt.Println(hits[0].ID, hits[0].Heading)
	// Output:
	// 2 chunks
	// glossary.md#1 ARR
}
