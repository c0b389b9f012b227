// Package ragtest holds the conformance suites of the rag extension points:
// RunVectorStore for rag.VectorStore and RunEmbedder for rag.Embedder. Every
// adapter, built-in or third-party, runs them unchanged from its own tests:
//
//	func TestConformance(t *testing.T) {
//		ragtest.RunVectorStore(t, func(t *testing.T) rag.VectorStore {
//			return newStoreForTest(t) // a fresh, empty store per call
//		}, 8)
//	}
//
// The suites fail the test (never skip) when an adapter breaks the contract
// documented in package rag: cosine ordering, the k limit, replacement on the
// same (tenant, collection, id), deletion, collection separation, tenant
// isolation, ErrInvalid for a wrong dimension or an empty tenant, metadata
// round-trip and concurrent use; for embedders a constant dimension,
// determinism, batch order and the empty batch.
package ragtest
