// Package rag holds the platform's retrieval contracts: the Embedder,
// VectorStore and LLM interfaces (with their adapters in rag/duckvec,
// rag/pgvec and rag/gemini and the conformance suite in rag/ragtest) and
// the local and cached embedders. The schema matcher that draws on them
// lives in package schemamatch.
//
// # Embedders
//
// LocalEmbedder is the default: deterministic hashed word and character
// trigram features, nothing downloaded. CachedEmbedder wraps any Embedder
// with an LRU cache keyed by (model, text) and batching.
//
// # Errors
//
// Adapters wrap ErrInvalid, ErrNotFound and ErrUnavailable.
//
// # Concurrency
//
// LocalEmbedder and CachedEmbedder are safe for concurrent use.
package rag
