package schemamatch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/rag"
)

// ApprovedCollection is the VectorStore collection of approved mappings.
const ApprovedCollection = "approved_mappings"

// memoryK is how many approved mappings Match retrieves per source field.
const memoryK = 5

// ApprovedMapping is a field mapping a person approved. Remembered, it
// makes the next match of a similar field to the same canonical field
// confident.
type ApprovedMapping struct {
	// System and Object name the source object, e.g. "salesforce", "Account".
	System string `json:"system"`
	Object string `json:"object"`
	// Field is the source field, with samples when known (they add a value
	// profile to the remembered text).
	Field canonical.SourceField `json:"field"`
	// Entity and CanonicalField are the approved target.
	Entity         string `json:"entity"`
	CanonicalField string `json:"canonical_field"`
}

// approvedMeta is the metadata stored with an approved mapping.
type approvedMeta struct {
	System         string `json:"system"`
	Object         string `json:"object"`
	SourceField    string `json:"source_field"`
	Entity         string `json:"entity"`
	CanonicalField string `json:"canonical_field"`
}

// memoryHit is an approved mapping retrieved for a source field.
type memoryHit struct {
	score                                 float64
	system, object, source, entity, field string
}

// memoryText is the text embedded for a field, remembered or matched:
// its normalized name and its value profile. System and object are kept
// in metadata, so an approval carries over to other objects of the tenant.
func (m *Matcher) memoryText(f canonical.SourceField) string {
	toks := dedupe(m.vocab.tokenize(f.Name))
	text := sourceText(toks, f.Name)
	if p := profileSamples(f.Samples); p.Kind != ProfileNone {
		text += " | " + string(p.Kind)
	}
	return text
}

// Remember stores approved mappings in the tenant's memory (the Store
// option), replacing an earlier approval of the same source field. Without
// a Store, or when the store is unavailable, it wraps ErrUnavailable; an unknown entity or field, an empty
// tenant or field name wraps ErrInvalid. It is safe for concurrent use.
func (m *Matcher) Remember(ctx context.Context, tenant string, approved ...ApprovedMapping) error {
	if m.store == nil {
		return fmt.Errorf("%w: remember: no vector store configured", ErrUnavailable)
	}
	if strings.TrimSpace(tenant) == "" {
		return fmt.Errorf("%w: remember: tenant is empty", ErrInvalid)
	}
	if len(approved) == 0 {
		return nil
	}
	texts := make([]string, len(approved))
	for i, a := range approved {
		e, ok := m.reg.Entity(a.Entity)
		if !ok {
			return fmt.Errorf("%w: remember: entity %q: %w", ErrInvalid, a.Entity, canonical.ErrUnknownEntity)
		}
		if _, ok := e.Field(a.CanonicalField); !ok {
			return fmt.Errorf("%w: remember: entity %q has no field %q", ErrInvalid, a.Entity, a.CanonicalField)
		}
		if strings.TrimSpace(a.Field.Name) == "" {
			return fmt.Errorf("%w: remember: source field name is empty", ErrInvalid)
		}
		texts[i] = m.memoryText(a.Field)
	}
	vecs, err := m.embedder.Embed(ctx, texts)
	if err != nil {
		return fmt.Errorf("schemamatch: remember: embed: %w", err)
	}
	docs := make([]rag.Document, len(approved))
	for i, a := range approved {
		meta, err := json.Marshal(approvedMeta{System: a.System, Object: a.Object, SourceField: a.Field.Name, Entity: a.Entity, CanonicalField: a.CanonicalField})
		if err != nil {
			return fmt.Errorf("schemamatch: remember: %w", err)
		}
		sum := sha256.Sum256([]byte(a.System + "\x00" + a.Object + "\x00" + a.Field.Name + "\x00" + a.Entity))
		docs[i] = rag.Document{ID: hex.EncodeToString(sum[:16]), Collection: ApprovedCollection, Text: texts[i], Metadata: meta, Vector: vecs[i]}
	}
	if err := m.store.Upsert(ctx, tenant, docs); err != nil {
		if errors.Is(err, rag.ErrUnavailable) {
			return fmt.Errorf("%w: remember: %w", ErrUnavailable, err)
		}
		return fmt.Errorf("schemamatch: remember: %w", err)
	}
	return nil
}

// recall retrieves approved mappings near each source field. Failures are
// recorded on the fields and never fail the match.
func (m *Matcher) recall(ctx context.Context, tenant string, schema canonical.SourceSchema, src []*sourceInfo) {
	texts := make([]string, len(src))
	for i, s := range src {
		texts[i] = m.memoryText(s.field)
	}
	vecs, err := m.embedder.Embed(ctx, texts)
	if err != nil {
		for _, s := range src {
			s.memErr = errorText(err)
		}
		return
	}
	for i, s := range src {
		hits, err := m.store.Search(ctx, tenant, ApprovedCollection, vecs[i], memoryK)
		if err != nil {
			s.memErr = errorText(err)
			continue
		}
		for _, h := range hits {
			var meta approvedMeta
			if json.Unmarshal(h.Metadata, &meta) != nil {
				continue
			}
			score := h.Score
			// An approval from another system says less than one from the
			// same system.
			if meta.System != "" && schema.System != "" && !strings.EqualFold(meta.System, schema.System) {
				score -= 0.03
			}
			s.memory = append(s.memory, memoryHit{score: score, system: meta.System, object: meta.Object, source: meta.SourceField, entity: meta.Entity, field: meta.CanonicalField})
		}
	}
}
