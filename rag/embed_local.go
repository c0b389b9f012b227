package rag

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"strings"

	"github.com/autonomos/autonomos/internal/namewords"
)

// LocalModel is the model name of the local embedder.
const LocalModel = "local-ngram-v1"

// LocalDimension is the dimension of the local embedder's vectors.
const LocalDimension = 256

// LocalEmbedder is the default Embedder: deterministic, offline, nothing
// downloaded. It hashes words and character trigrams (with word
// boundaries) into LocalDimension signed buckets and L2-normalizes, so
// texts sharing words or word pieces ("postal code", "PostalCd") are close.
// It is safe for concurrent use.
type LocalEmbedder struct{}

// NewLocalEmbedder returns the local embedder.
func NewLocalEmbedder() *LocalEmbedder { return &LocalEmbedder{} }

// Model returns LocalModel.
func (*LocalEmbedder) Model() string { return LocalModel }

// Dimension returns LocalDimension.
func (*LocalEmbedder) Dimension() int { return LocalDimension }

// Embed returns one unit vector per text. An empty or blank text wraps
// ErrInvalid; a cancelled ctx returns its error.
func (e *LocalEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("rag: local embedder: %w", err)
			}
		}
		if strings.TrimSpace(t) == "" {
			return nil, fmt.Errorf("%w: local embedder: text %d is empty", ErrInvalid, i)
		}
		out[i] = embedLocal(t)
	}
	return out, nil
}

func embedLocal(text string) []float32 {
	v := make([]float64, LocalDimension)
	add := func(feature string, w float64) {
		h := fnv.New64a()
		h.Write([]byte(feature))
		x := h.Sum64()
		idx := int(x % LocalDimension)
		if x>>63 == 1 {
			w = -w
		}
		v[idx] += w
	}
	words := namewords.Split(text)
	if len(words) == 0 {
		words = []string{strings.ToLower(strings.TrimSpace(text))}
	}
	for _, w := range words {
		add("w:"+w, 2)
		s := "#" + w + "#"
		r := []rune(s)
		for i := 0; i+3 <= len(r); i++ {
			add("g:"+string(r[i:i+3]), 1)
		}
	}
	var norm float64
	for _, x := range v {
		norm += x * x
	}
	out := make([]float32, LocalDimension)
	if norm == 0 {
		out[0] = 1
		return out
	}
	norm = math.Sqrt(norm)
	for i, x := range v {
		out[i] = float32(x / norm)
	}
	return out
}
