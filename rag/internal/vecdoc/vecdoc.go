// Package vecdoc holds the document and vector checks every VectorStore
// adapter applies before it writes or searches, so that the adapters agree
// on what is valid.
package vecdoc

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/autonomos/autonomos/rag"
)

// ValidDoc checks a document for a store of dimension dim: an id, a
// collection, metadata that is JSON when present, and a valid vector. The
// error wraps rag.ErrInvalid.
func ValidDoc(d rag.Document, dim int) error {
	switch {
	case d.ID == "":
		return fmt.Errorf("%w: empty id", rag.ErrInvalid)
	case d.Collection == "":
		return fmt.Errorf("%w: empty collection", rag.ErrInvalid)
	case len(d.Metadata) > 0 && !json.Valid(d.Metadata):
		return fmt.Errorf("%w: metadata is not valid JSON", rag.ErrInvalid)
	}
	return ValidVector(d.Vector, dim)
}

// ValidVector accepts only vectors cosine is defined for: dimension dim,
// finite components, a non-zero length. The error wraps rag.ErrInvalid.
func ValidVector(v []float32, dim int) error {
	if len(v) != dim {
		return fmt.Errorf("vector: %w: dimension %d, want %d", rag.ErrInvalid, len(v), dim)
	}
	var norm float64
	for _, x := range v {
		if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
			return fmt.Errorf("vector: %w: component is not finite", rag.ErrInvalid)
		}
		norm += float64(x) * float64(x)
	}
	if norm == 0 {
		return fmt.Errorf("vector: %w: zero vector has no direction", rag.ErrInvalid)
	}
	return nil
}

// LastWins drops all but the last document of each (collection, id), so a
// batch upserting one document twice stores the later one.
func LastWins(docs []rag.Document) []rag.Document {
	last := make(map[[2]string]int, len(docs))
	for i, d := range docs {
		last[[2]string{d.Collection, d.ID}] = i
	}
	if len(last) == len(docs) {
		return docs
	}
	out := make([]rag.Document, 0, len(last))
	for i, d := range docs {
		if last[[2]string{d.Collection, d.ID}] == i {
			out = append(out, d)
		}
	}
	return out
}
