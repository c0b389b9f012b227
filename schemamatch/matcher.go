package schemamatch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/internal/namewords"
	"github.com/autonomos/autonomos/rag"
)

// DefaultMaxFields is the largest schema Match accepts by default.
const DefaultMaxFields = 2000

// MatcherOptions tunes a Matcher. A nil *MatcherOptions means the defaults.
type MatcherOptions struct {
	// Thresholds are the default decision thresholds; a tenant's own may
	// be passed per call in MatchOptions. Default: DefaultThresholds().
	Thresholds Thresholds
	// Embedder embeds field names and descriptions. Default: the local
	// embedder (rag.NewLocalEmbedder) behind a CachedEmbedder.
	Embedder rag.Embedder
	// Store, when set, is the memory of mappings people approved
	// (collection "approved_mappings"); Match consults it for the tenant of
	// MatchOptions and Remember writes to it. Default: none.
	Store rag.VectorStore
	// LLM, when set, re-ranks ambiguous candidates (confidence 0.5-0.9).
	// Default: none; the matcher is fully offline.
	LLM rag.LLM
	// MaxLLMCalls bounds LLM calls per Match. Default 20.
	MaxLLMCalls int
	// Calibration maps raw scores to confidences. Default: the built-in
	// calibration, fitted on the development schemas (see
	// BuiltinCalibration); Identity() shows raw scores.
	Calibration *Calibration
	// MaxFields is the largest number of source fields Match accepts.
	// Default DefaultMaxFields (2000).
	MaxFields int
}

// Matcher proposes how the fields of a source schema map to a canonical
// entity, each with a calibrated confidence, a decision and evidence.
// It is safe for concurrent use.
type Matcher struct {
	reg         *canonical.Registry
	thresholds  Thresholds
	embedder    rag.Embedder
	store       rag.VectorStore
	llm         rag.LLM
	maxLLMCalls int
	maxFields   int
	vocab       *vocabulary
	entities    []*entityModel
	noneObjects []phrase
	calibration Calibration

	mu        sync.Mutex
	canonVecs map[string][]float32 // canonical field text -> vector
}

// entityModel is the compiled view of one canonical entity.
type entityModel struct {
	name    string
	entity  canonical.Entity
	fields  []*fieldModel
	objects []phrase
	context map[string]bool
	idField string
	// shared are the fields that say little about this entity: its id and
	// fields other entities have too (created_at, currency, owner_id).
	shared map[string]bool
}

// fieldModel is the compiled view of one canonical field.
type fieldModel struct {
	field    canonical.Field
	entityID bool
	phrases  []phrase
	text     string // embedded text
}

// phrase is one way of naming something, tokenized.
type phrase struct {
	raw    string
	tokens []string
	core   []string // tokens without the entity's context words
	joined string   // tokens run together
	// strength scales the phrase's matches: 1, or weakPhrase for common
	// words that name the field only when nothing better is there.
	strength float64
}

// weakPhrase is the strength of a "~" lexicon phrase.
const weakPhrase = 0.9

// NewMatcher builds a Matcher over the entities of reg. Errors wrap
// ErrInvalid and name the bad option.
func NewMatcher(reg *canonical.Registry, opts *MatcherOptions) (*Matcher, error) {
	if reg == nil {
		return nil, fmt.Errorf("%w: matcher: registry is nil", ErrInvalid)
	}
	var o MatcherOptions
	if opts != nil {
		o = *opts
	}
	if o.Thresholds == (Thresholds{}) {
		o.Thresholds = DefaultThresholds()
	}
	if err := o.Thresholds.Validate(); err != nil {
		return nil, fmt.Errorf("schemamatch: matcher option Thresholds: %w", err)
	}
	if o.MaxFields == 0 {
		o.MaxFields = DefaultMaxFields
	}
	if o.MaxFields < 0 {
		return nil, fmt.Errorf("%w: matcher option MaxFields %d is negative", ErrInvalid, o.MaxFields)
	}
	if o.MaxLLMCalls == 0 {
		o.MaxLLMCalls = 20
	}
	if o.MaxLLMCalls < 0 {
		return nil, fmt.Errorf("%w: matcher option MaxLLMCalls %d is negative", ErrInvalid, o.MaxLLMCalls)
	}
	if o.Embedder == nil {
		c, err := rag.NewCachedEmbedder(rag.NewLocalEmbedder(), nil)
		if err != nil {
			return nil, err
		}
		o.Embedder = c
	}
	if o.Embedder.Dimension() <= 0 {
		return nil, fmt.Errorf("%w: matcher option Embedder: dimension %d", ErrInvalid, o.Embedder.Dimension())
	}
	m := &Matcher{
		reg: reg, thresholds: o.Thresholds, embedder: o.Embedder, store: o.Store, llm: o.LLM,
		maxLLMCalls: o.MaxLLMCalls, maxFields: o.MaxFields, canonVecs: map[string][]float32{},
	}
	lex := builtinLexicon()
	m.vocab = newVocabulary(lex)
	for _, e := range reg.Entities() {
		for _, f := range e.Fields {
			m.vocab.add(namewords.Split(f.Name)...)
		}
		m.vocab.add(namewords.Split(e.Name)...)
	}
	names := map[string]int{}
	for _, e := range reg.Entities() {
		m.entities = append(m.entities, m.compileEntity(e))
		for _, f := range e.Fields {
			names[f.Name]++
		}
	}
	for _, em := range m.entities {
		em.shared = map[string]bool{em.idField: true}
		for _, f := range em.entity.Fields {
			if names[f.Name] > 1 {
				em.shared[f.Name] = true
			}
		}
	}
	// "No entity" objects never include what an entity of the registry is
	// named after (a custom "subscription" entity).
	own := map[string]bool{}
	for _, em := range m.entities {
		own[strings.Join(m.phrase(strings.ReplaceAll(em.name, "_", " "), nil).tokens, " ")] = true
		for _, p := range em.objects {
			own[strings.Join(p.tokens, " ")] = true
		}
	}
	for _, o := range builtin.objects[noneKey] {
		if p := m.phrase(o, nil); !own[strings.Join(p.tokens, " ")] {
			m.noneObjects = append(m.noneObjects, p)
		}
	}
	m.calibration = builtin.calibration
	if o.Calibration != nil {
		if err := o.Calibration.Validate(); err != nil {
			return nil, fmt.Errorf("schemamatch: matcher option Calibration: %w", err)
		}
		m.calibration = *o.Calibration
	}
	return m, nil
}

func (m *Matcher) phrase(raw string, ctx map[string]bool) phrase {
	strength := 1.0
	if strings.HasPrefix(raw, "~") {
		raw, strength = raw[1:], weakPhrase
	}
	toks := dedupe(m.vocab.normalizeWords(namewords.Split(raw)))
	p := phrase{raw: raw, tokens: toks, joined: strings.Join(toks, ""), strength: strength}
	for _, t := range toks {
		if !ctx[t] {
			p.core = append(p.core, t)
		}
	}
	if len(p.core) == len(toks) || len(p.core) == 0 {
		p.core = nil
	}
	return p
}

func (m *Matcher) compileEntity(e canonical.Entity) *entityModel {
	em := &entityModel{name: e.Name, entity: e, context: map[string]bool{}, idField: e.IDField().Name}
	ctxWords := builtin.context[e.Name]
	if ctxWords == nil {
		ctxWords = namewords.Split(e.Name)
	}
	for _, w := range ctxWords {
		em.context[stem(w)] = true
	}
	objs := builtin.objects[e.Name]
	if objs == nil {
		objs = []string{strings.ReplaceAll(e.Name, "_", " ")}
	}
	for _, o := range objs {
		em.objects = append(em.objects, m.phrase(o, nil))
	}
	for i, f := range e.Fields {
		fm := &fieldModel{field: f, entityID: i == 0}
		seen := map[string]bool{}
		add := func(raw string) {
			if !seen[raw] {
				seen[raw] = true
				fm.phrases = append(fm.phrases, m.phrase(raw, em.context))
			}
		}
		add(strings.ReplaceAll(f.Name, "_", " "))
		for _, s := range builtin.fields[e.Name][f.Name] {
			add(s)
		}
		if !(fm.entityID && f.Name == "account_id") && !(e.Name == "invoice" && f.Name == "account_id") {
			for _, s := range builtin.generic[f.Name] {
				if !seen["~"+s] && !seen[strings.TrimPrefix(s, "~")] {
					add(s)
				}
			}
		}
		if fm.entityID {
			add("id")
			add("record id")
			add(strings.ReplaceAll(e.Name, "_", " ") + " id")
		}
		var text []string
		text = append(text, strings.ReplaceAll(f.Name, "_", " "))
		for i, p := range fm.phrases {
			if i > 0 && i < 4 && p.strength == 1 {
				text = append(text, p.raw)
			}
		}
		if f.Description != "" {
			text = append(text, f.Description)
		}
		fm.text = strings.Join(text, "; ")
		em.fields = append(em.fields, fm)
	}
	return em
}

func dedupe(toks []string) []string {
	out := toks[:0:0]
	seen := map[string]bool{}
	for _, t := range toks {
		if t != "" && !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// MatchOptions tunes one Match call. A nil *MatchOptions means defaults.
type MatchOptions struct {
	// Entity forces the target entity; empty means detect it.
	Entity string
	// Tenant selects the approved-mapping memory to consult; empty means
	// none.
	Tenant string
	// Thresholds overrides the matcher's thresholds for this call (a
	// tenant's policy); nil means the matcher's.
	Thresholds *Thresholds
}

// MatchResult is the matcher's proposal for one source schema. Its JSON
// form is the output of `aos match`.
type MatchResult struct {
	// Entity is the canonical entity the source object holds; empty when
	// no canonical entity fits (orders, order lines, charges ...), and then
	// nothing is mapped.
	Entity string `json:"entity"`
	// EntityConfidence is the probability that Entity is right, or that
	// no entity fits when Entity is empty (1 when the caller named the
	// entity).
	EntityConfidence float64 `json:"entity_confidence"`
	// EntityCandidates are the likeliest choices, best first, "" standing
	// for no canonical entity. They are not part of the JSON form (the
	// `aos match` output is a contract).
	EntityCandidates []EntityCandidate `json:"-"`
	// Mappings lists one proposal per source field that has a candidate,
	// in schema order: decision auto or review maps the field; a reject
	// shows the best candidate that was not good enough.
	Mappings []FieldMatch `json:"mappings"`
	// Unmapped lists, in schema order, the source fields without an auto
	// or review mapping (rejected candidates included).
	Unmapped []string `json:"unmapped"`
}

// FieldMatch is one proposed field mapping.
type FieldMatch struct {
	// SourceField is the source field's name.
	SourceField string `json:"source_field"`
	// CanonicalField is the proposed field of the entity.
	CanonicalField string `json:"canonical_field"`
	// Confidence is the calibrated probability that the mapping is right.
	Confidence float64 `json:"confidence"`
	// Decision is auto, review or reject, from the thresholds.
	Decision Decision `json:"decision"`
	// Evidence explains the confidence.
	Evidence Evidence `json:"evidence"`
}

// Mapped returns the auto and review proposals as a canonical.Mapping
// (origin auto for both; the caller decides what review means).
func (r *MatchResult) Mapped() canonical.Mapping {
	mp := canonical.Mapping{Entity: r.Entity}
	for _, f := range r.Mappings {
		if f.Decision.Mapped() {
			mp.Fields = append(mp.Fields, canonical.FieldMapping{
				Source: f.SourceField, Target: f.CanonicalField, Confidence: f.Confidence, Origin: canonical.OriginAuto,
			})
		}
	}
	return mp
}

// Match proposes the entity and field mappings of schema. The schema is
// validated first (a malformed schema, one with more than MaxFields
// fields or an unknown MatchOptions.Entity wraps ErrInvalid); a cancelled
// ctx returns its error. Embedder, retrieval and LLM failures never fail
// Match: the signal is left out, the offline decision stands and the
// evidence records the error. It is safe for concurrent use.
func (m *Matcher) Match(ctx context.Context, schema canonical.SourceSchema, opts *MatchOptions) (*MatchResult, error) {
	var o MatchOptions
	if opts != nil {
		o = *opts
	}
	th := m.thresholds
	if o.Thresholds != nil {
		th = *o.Thresholds
		if err := th.Validate(); err != nil {
			return nil, fmt.Errorf("schemamatch: match: %w", err)
		}
	}
	if len(schema.Fields) > m.maxFields {
		return nil, fmt.Errorf("%w: match: schema has %d fields, more than the limit of %d", ErrInvalid, len(schema.Fields), m.maxFields)
	}
	schema.Fields = append([]canonical.SourceField(nil), schema.Fields...)
	if err := schema.Validate(); err != nil {
		return nil, fmt.Errorf("%w: match: %w", ErrInvalid, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("schemamatch: match: %w", err)
	}
	var forced *entityModel
	if o.Entity != "" {
		for _, em := range m.entities {
			if em.name == o.Entity {
				forced = em
			}
		}
		if forced == nil {
			return nil, fmt.Errorf("%w: match: entity %q: %w", ErrInvalid, o.Entity, canonical.ErrUnknownEntity)
		}
	}
	src, err := m.prepareSources(ctx, schema)
	if err != nil {
		return nil, err
	}
	if m.store != nil && o.Tenant != "" {
		m.recall(ctx, o.Tenant, schema, src)
	}
	var best *entityPlan
	conf := 1.0
	var cands []EntityCandidate
	if forced != nil {
		best, err = m.plan(ctx, forced, schema, src)
		if err != nil {
			return nil, err
		}
		cands = []EntityCandidate{{Entity: forced.name, Confidence: 1}}
	} else {
		se := m.readSchema(schema, src)
		plans := make([]*entityPlan, 0, len(m.entities))
		for _, em := range m.entities {
			p, err := m.plan(ctx, em, schema, src)
			if err != nil {
				return nil, err
			}
			p.score = p.entityScore(se, builtin.signatures[em.name])
			plans = append(plans, p)
		}
		best, conf, cands = chooseEntity(plans, m.noneScore(se))
	}
	if best == nil {
		// No canonical entity fits: nothing is proposed.
		r := &MatchResult{EntityConfidence: round3(conf), EntityCandidates: cands, Mappings: []FieldMatch{}, Unmapped: []string{}}
		for _, f := range schema.Fields {
			r.Unmapped = append(r.Unmapped, f.Name)
		}
		return r, nil
	}
	if m.llm != nil {
		m.rerank(ctx, schema, src, best)
	}
	r := best.result(schema, th, conf, m.calibration)
	r.EntityCandidates = cands
	return r, nil
}

// errorText renders an error for evidence.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "timeout: " + err.Error()
	}
	return err.Error()
}
