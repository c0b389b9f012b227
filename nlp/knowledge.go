package nlp

import (
	"context"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/nlp/kb"
)

// Knowledge adapts a kb.KB (hybrid retrieval) to the gateway's
// KnowledgeBase.
func Knowledge(k *kb.KB) KnowledgeBase { return knowledgeKB{k} }

type knowledgeKB struct{ k *kb.KB }

func (a knowledgeKB) Search(ctx context.Context, tenant uuid.UUID, query string, n int) ([]Chunk, error) {
	hits, err := a.k.Search(ctx, tenant, query, n, kb.Hybrid)
	if err != nil {
		return nil, err
	}
	out := make([]Chunk, len(hits))
	for i, h := range hits {
		out[i] = Chunk{ID: h.ID, Document: h.Document, Heading: h.Heading, Text: h.Text, Score: h.Score}
	}
	return out, nil
}
