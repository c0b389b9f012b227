package schemamatch

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/autonomos/autonomos/canonical"
)

// keyProfile are the profiles of record keys.
var keyProfile = map[Profile]bool{ProfileIdentifier: true, ProfileUUID: true, ProfileOpaqueID: true, ProfileNumericID: true}

// sourceInfo is what the matcher derives once from one source field.
type sourceInfo struct {
	field canonical.SourceField
	index int // position in the schema
	// placeholder is true when the name says nothing ("col_01").
	placeholder bool
	tokens      []string
	profile     valueProfile
	vec         []float32
	coerce      map[coerceKey]float64
	memory      []memoryHit
	memErr      string
	embedErr    string
}

type coerceKey struct {
	t  canonical.Type
	id bool
}

func (s *sourceInfo) coercion(t canonical.Type, idField bool) float64 {
	k := coerceKey{t, idField}
	if r, ok := s.coerce[k]; ok {
		return r
	}
	r := coercionRate(s.field.Samples, t, idField)
	s.coerce[k] = r
	return r
}

// isPlaceholder reports whether every token is a placeholder word (or
// there is none: "_1").
func isPlaceholder(toks []string) bool {
	for _, t := range toks {
		if !builtin.placeholders[t] {
			return false
		}
	}
	return true
}

// sourceText is the text embedded for a source field.
func sourceText(tokens []string, name string) string {
	if len(tokens) == 0 {
		return strings.ToLower(name)
	}
	return strings.Join(tokens, " ")
}

func (m *Matcher) prepareSources(ctx context.Context, schema canonical.SourceSchema) ([]*sourceInfo, error) {
	src := make([]*sourceInfo, len(schema.Fields))
	texts := make([]string, len(schema.Fields))
	for i, f := range schema.Fields {
		toks := dedupe(m.vocab.tokenize(f.Name))
		src[i] = &sourceInfo{field: f, index: i, tokens: toks, profile: profileSamples(f.Samples), coerce: map[coerceKey]float64{}, placeholder: isPlaceholder(toks)}
		texts[i] = sourceText(toks, f.Name)
	}
	vecs, err := m.embedder.Embed(ctx, texts)
	if err == nil && len(vecs) != len(texts) {
		err = fmt.Errorf("%w: embedder returned %d vectors for %d texts", ErrInvalid, len(vecs), len(texts))
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("schemamatch: match: %w", ctx.Err())
		}
		// Embeddings are one signal among several: without them the
		// match goes on with names, values and memory.
		for _, s := range src {
			s.embedErr = errorText(err)
		}
		return src, nil
	}
	for i := range src {
		src[i].vec = vecs[i]
	}
	return src, nil
}

// canonicalVectors embeds the canonical field texts of em, once per
// matcher.
func (m *Matcher) canonicalVectors(ctx context.Context, em *entityModel) ([][]float32, error) {
	m.mu.Lock()
	var missing []string
	for _, f := range em.fields {
		if _, ok := m.canonVecs[f.text]; !ok {
			missing = append(missing, f.text)
		}
	}
	m.mu.Unlock()
	if len(missing) > 0 {
		vecs, err := m.embedder.Embed(ctx, missing)
		if err == nil && len(vecs) != len(missing) {
			err = fmt.Errorf("%w: embedder returned %d vectors for %d texts", ErrInvalid, len(vecs), len(missing))
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("schemamatch: match: %w", ctx.Err())
			}
			return make([][]float32, len(em.fields)), nil
		}
		m.mu.Lock()
		for i, t := range missing {
			m.canonVecs[t] = vecs[i]
		}
		m.mu.Unlock()
	}
	out := make([][]float32, len(em.fields))
	m.mu.Lock()
	for i, f := range em.fields {
		out[i] = m.canonVecs[f.text]
	}
	m.mu.Unlock()
	return out, nil
}

func cosine(a, b []float32) float64 {
	if len(a) != len(b) || len(a) == 0 {
		return 0
	}
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// tokenSim compares two normalized tokens: equal, or a one-letter typo in
// a long word.
func tokenSim(a, b string) float64 {
	if a == b {
		return 1
	}
	if len(a) >= 5 && len(b) >= 5 && oneEdit(a, b) {
		return 0.8
	}
	return 0
}

// oneEdit reports whether a and b (bytes) differ by exactly one insertion,
// deletion or substitution.
func oneEdit(a, b string) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if i == len(a) {
		return len(a) != len(b)
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}

// dice is the weighted Dice similarity of two token sets with soft token
// matches. Token weights are looked up only when something matches: most
// pairs share nothing.
func dice(a, b []string) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	var buf [32]bool
	var used []bool
	if len(b) <= len(buf) {
		used = buf[:len(b)]
	} else {
		used = make([]bool, len(b))
	}
	var inter float64
	matched := false
	for _, t := range a {
		best, bj := 0.0, -1
		for j, u := range b {
			if used[j] {
				continue
			}
			if s := tokenSim(t, u); s > best {
				best, bj = s, j
			}
		}
		if bj >= 0 {
			matched = true
			used[bj] = true
			inter += best * math.Min(weight(t), weight(b[bj]))
		}
	}
	if !matched {
		return 0
	}
	var wa, wb float64
	for _, t := range a {
		wa += weight(t)
	}
	for _, t := range b {
		wb += weight(t)
	}
	return 2 * inter / (wa + wb)
}

// contradicts reports whether a and b hold words of an antonym pair that
// the other side lacks.
func contradicts(a, b []string) bool {
	has := func(ts []string, w string) bool {
		for _, t := range ts {
			if t == w {
				return true
			}
		}
		return false
	}
	for _, p := range builtin.antonyms {
		if has(a, p[0]) && has(b, p[1]) && !has(a, p[1]) && !has(b, p[0]) ||
			has(a, p[1]) && has(b, p[0]) && !has(a, p[0]) && !has(b, p[1]) {
			return true
		}
	}
	return false
}

// nameScore is the best similarity of the source tokens with any name of
// the canonical field.
func nameScore(toks, core []string, fm *fieldModel, objectID []string) (float64, string, bool) {
	best, matched, lex := 0.0, "", false
	joined := strings.Join(toks, "")
	for i, p := range fm.phrases {
		s := dice(toks, p.tokens)
		if joined != "" && joined == p.joined {
			s = 1
		}
		if core != nil {
			pc := p.core
			if pc == nil {
				pc = p.tokens
			}
			if c := 0.97 * dice(core, pc); c > s {
				s = c
			}
		} else if p.core != nil {
			if c := 0.97 * dice(toks, p.core); c > s {
				s = c
			}
		}
		if s > 0 && contradicts(toks, p.tokens) {
			s *= 0.6
		}
		s *= p.strength
		if s > best {
			best, matched, lex = s, p.raw, i > 0
		}
	}
	if fm.entityID && len(objectID) > 1 && equalTokens(toks, objectID) {
		best, matched, lex = 1, "object name + id", true
	}
	return best, matched, lex
}

func equalTokens(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// coreTokens drops the entity's context words from toks; nil when that
// changes nothing or leaves nothing.
func coreTokens(toks []string, ctx map[string]bool) []string {
	var out []string
	for _, t := range toks {
		if !ctx[t] {
			out = append(out, t)
		}
	}
	if len(out) == len(toks) || len(out) == 0 {
		return nil
	}
	return out
}

// The coefficients of the score (log-odds of a mapping being right). They
// were set by hand on the development schemas and checked on synthetic
// variations of them (renamed prefixes, other casing, no samples): see
// TestVariations in internal/matchbench, which bounds the calibration
// error.
const (
	coefBias      = -5.5
	coefName      = 8.0
	coefProfile   = 1.5
	coefCoercion  = 2.5
	coefEmbedding = 1.2
	coefMemory    = 7.0
	// coefValue weighs value-profile evidence on its own (specificity
	// times share, over the square root of the number of fields the
	// profile fits).
	coefValue = 4.5
	// placeholderName is the name score a placeholder name ("col_01")
	// stands in with: neither for nor against any field.
	placeholderName = 0.55
	// coefFirstKey favours the entity's id for an identifier in the first
	// column.
	coefFirstKey = 1.5
	memoryFloor  = 0.8
	// coefScale sharpens the combined score (temperature scaling): on the
	// rewritten variants, pairs scored 0.6-0.9 before scaling were right
	// more often than that said.
	coefScale = 1.3
	// maxIncompatibleLogit caps type-incompatible pairs below review.
	maxIncompatibleLogit = -0.5
)

// candidate is one scored (source field, canonical field) pair.
type candidate struct {
	src, dst int
	z, p     float64
	final    float64 // p after competition and re-ranking
	ev       Evidence
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// score combines the signals of one pair.
func (m *Matcher) score(s *sourceInfo, fm *fieldModel, core, objectID []string, vec []float32, entity string, fits int) (float64, Evidence) {
	n, matched, lex := nameScore(s.tokens, core, fm, objectID)
	ev := Evidence{
		Name:          NameEvidence{Score: round3(n), Tokens: s.tokens, Matched: matched, Lexicon: lex},
		DeclaredType:  string(s.field.Type),
		CanonicalType: string(fm.field.Type),
		Profile:       string(s.profile.Kind),
	}
	z := coefBias + coefName*n
	if s.placeholder {
		// "col_07" says nothing either way: the values decide.
		z = coefBias + coefName*placeholderName
		ev.Name.Placeholder = true
	}
	if s.index == 0 && fm.entityID && keyProfile[s.profile.Kind] {
		// Keys come first: distinct identifiers in the first column are
		// most likely the record's own id.
		z += coefFirstKey
		ev.FirstColumnKey = true
	}
	tc := typeCompat(s.field.Type, fm.field, fm.entityID)
	ev.TypeCompatible = tc > -1
	z += tc
	pf := profileFit(s.profile, fm.field, fm.entityID)
	ev.ProfileFit = pf
	z += coefProfile * pf
	if spec := specificity[s.profile.Kind]; spec > 0 && pf >= 0.9 && fits > 0 {
		// What the values are names the field whatever the column is
		// called: an e-mail column on a person-like object is its e-mail.
		// The fewer fields of the entity the profile fits, the stronger.
		v := coefValue * spec * s.profile.Share / math.Sqrt(float64(fits))
		ev.ValueEvidence = round3(v)
		z += v
	}
	if cr := s.coercion(fm.field.Type, isIDField(fm.field, fm.entityID)); cr >= 0 {
		r := round3(cr)
		ev.CoercionRate = &r
		w := coefCoercion
		if declaredTime(s.field.Type) && (fm.field.Type == canonical.Date || fm.field.Type == canonical.Timestamp) {
			// The source says it is a time; a layout Coerce does not know
			// is a transform away, not a contradiction.
			w = 1
		}
		z += w * (cr - 1)
		if cr == 0 {
			ev.TypeCompatible = false
		}
	}
	timeToTime := declaredTime(s.field.Type) && (fm.field.Type == canonical.Date || fm.field.Type == canonical.Timestamp)
	if ev.CoercionRate != nil && *ev.CoercionRate == 0 && !timeToTime || tc <= -3 {
		ev.incompatible = true
	}
	if excluded(s, fm) {
		ev.incompatible, ev.excluded = true, true
	}
	if s.vec != nil && vec != nil {
		e := math.Max(0, cosine(s.vec, vec))
		ev.Embedding = round3(e)
		z += coefEmbedding * (e - 0.5)
	} else if s.embedErr != "" {
		ev.EmbeddingError = s.embedErr
	}
	for _, h := range s.memory {
		if h.entity == entity && h.field == fm.field.Name && h.score >= memoryFloor {
			if ev.Retrieval == nil || h.score > ev.Retrieval.Similarity {
				ev.Retrieval = &RetrievalEvidence{Similarity: round3(h.score), System: h.system, Object: h.object, SourceField: h.source}
			}
		}
	}
	if ev.Retrieval != nil {
		z += coefMemory * (ev.Retrieval.Similarity - memoryFloor) / (1 - memoryFloor)
	}
	if s.memErr != "" {
		ev.RetrievalError = s.memErr
	}
	z *= coefScale
	if ev.incompatible {
		// No sample coerces, or the declared type excludes the canonical
		// one: whatever the name says, never more than a coin flip, so
		// neither a memory hit nor an LLM can make it apply.
		z = math.Min(z, maxIncompatibleLogit)
	}
	ev.Score = round3(z)
	return z, ev
}

// excluded reports a target the source field can never map to: an object
// (ExtJSON {"$oid": ...}, an address) is no scalar; only a reference
// object ({"id": ...}) may fill a reference field other than the record's
// own id.
func excluded(s *sourceInfo, fm *fieldModel) bool {
	obj := s.field.Type == canonical.TypeObject
	refObjects := 0
	for _, v := range s.field.Samples {
		if o, ok := v.(map[string]any); ok {
			obj = true
			if refID(o) != nil {
				refObjects++
			}
		}
	}
	if !obj {
		return s.field.Type == canonical.TypeArray
	}
	if fm.entityID || !isIDField(fm.field, false) {
		return true
	}
	return refObjects == 0 && len(s.field.Samples) > 0
}

func declaredTime(t canonical.FieldType) bool {
	return t == canonical.TypeDate || t == canonical.TypeDatetime
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// objectIDTokens are the tokens of "<object> id" ("AccountId" on an
// Account object names the record's own id).
func (m *Matcher) objectIDTokens(object string) []string {
	toks := dedupe(m.vocab.tokenize(object))
	if len(toks) == 0 {
		return nil
	}
	return append(toks, "id")
}
