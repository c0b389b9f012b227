package rag

import (
	"context"
	"encoding/json"
	"errors"
)

// Errors of the rag package and its adapters; test with errors.Is.
var (
	// ErrInvalid: an argument failed validation (empty text, wrong vector
	// dimension, a malformed document).
	ErrInvalid = errors.New("rag: invalid argument")
	// ErrNotFound: the document does not exist.
	ErrNotFound = errors.New("rag: not found")
	// ErrUnavailable: the backend (an LLM or embedding service, the vector
	// extension) cannot be used right now or is not installed; callers fall
	// back to offline behaviour.
	ErrUnavailable = errors.New("rag: unavailable")
)

// Embedder turns texts into vectors of a fixed dimension. It is a public
// extension point; ragtest holds its conformance suite. Implementations
// must be safe for concurrent use and deterministic for a given model.
type Embedder interface {
	// Model names the model; vectors of different models never mix.
	Model() string
	// Dimension is the length of every vector Embed returns.
	Dimension() int
	// Embed returns one vector per text, in order.
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Document is one stored text with its vector, owned by a tenant.
type Document struct {
	// ID is unique per (tenant, collection).
	ID string `json:"id"`
	// Collection groups documents of one kind, e.g. "approved_mappings".
	Collection string `json:"collection"`
	// Text is what was embedded.
	Text string `json:"text"`
	// Metadata is free JSON returned with hits.
	Metadata json.RawMessage `json:"metadata,omitempty"`
	// Vector has the store's dimension.
	Vector []float32 `json:"-"`
}

// Hit is a search result.
type Hit struct {
	Document
	// Score is the cosine similarity, -1..1, higher is closer.
	Score float64 `json:"score"`
}

// VectorStore keeps tenant documents with vectors and finds the nearest
// ones by cosine similarity. It is an extension point; ragtest holds its
// conformance suite. Implementations must be safe for concurrent use and
// must never return another tenant's documents.
type VectorStore interface {
	// Upsert stores documents, replacing ones with the same (tenant,
	// collection, id). A vector of the wrong dimension wraps ErrInvalid.
	Upsert(ctx context.Context, tenant string, docs []Document) error
	// Search returns up to k documents of the collection nearest to
	// vector, best first.
	Search(ctx context.Context, tenant, collection string, vector []float32, k int) ([]Hit, error)
	// Delete removes documents by id; missing ids are ignored.
	Delete(ctx context.Context, tenant, collection string, ids []string) error
}

// LLM is a language model that answers a prompt with JSON matching a
// schema. It is a public extension point; no LLM configured is a fully
// supported mode. Implementations must be safe for concurrent use.
type LLM interface {
	// Model names the model.
	Model() string
	// GenerateJSON asks the model for a JSON value conforming to schema (a
	// JSON Schema object) and returns the raw JSON. A reply that is not
	// valid JSON wraps ErrInvalid; a timeout, an open breaker or a service
	// failure wraps ErrUnavailable.
	GenerateJSON(ctx context.Context, prompt string, schema json.RawMessage) (json.RawMessage, error)
}
