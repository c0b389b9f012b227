package rag_test

import (
	"context"
	"fmt"

	"github.com/autonomos/autonomos/rag"
)

// ExampleNewCachedEmbedder wraps the local embedder with a cache; the same
// text is embedded once.
func ExampleNewCachedEmbedder() {
	e, err := rag.NewCachedEmbedder(rag.NewLocalEmbedder(), &rag.CachedEmbedderOptions{Size: 1000})
	if err != nil {
		panic(err)
	}
	vs, err := e.Embed(context.Background(), []string{"annual revenue", "turnover", "annual revenue"})
	if err != nil {
		panic(err)
	}
	fmt.Println(e.Model(), len(vs), len(vs[0]), e.Len())
	// Output:
	// local-ngram-v1 3 256 2
}
