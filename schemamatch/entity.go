package schemamatch

import (
	"math"
	"sort"
	"strings"

	"github.com/autonomos/autonomos/canonical"
)

// The entity is chosen from all the evidence: the mappings each entity's
// plan found (with required fields), whether its signature fields occur
// together, how the object is named, and what the record's own key is
// named after ("orderID" names an order). "No canonical entity" competes
// as one more choice, helped by objects the vocabulary lists as fitting no
// entity (orders, products, charges, subscriptions ...).
const (
	// noEntityScore is the evidence "none of them" starts with: a schema
	// must bring more than this for an entity.
	noEntityScore = 2.5
	// coefObject weighs how the object is named, coefSelfKey what its own
	// key is named after, coefSignature a complete signature.
	coefObject     = 3.0
	coefNoneObject = 5.5
	coefSelfKey    = 2.5
	coefSignature  = 2.5
	// sharedFieldWeight is how much a field every entity has (an id, a
	// creation time, a currency) counts toward any one of them.
	sharedFieldWeight = 0.4
	// entityTemperature softens the softmax over entity scores.
	entityTemperature = 1.0
)

// EntityCandidate is one entity the schema may hold, with the probability
// that it does.
type EntityCandidate struct {
	// Entity is the entity's name; empty for "no canonical entity".
	Entity string `json:"entity"`
	// Confidence is the probability, 0..1.
	Confidence float64 `json:"confidence"`
}

// schemaEvidence is what the entity choice reads from the schema as a
// whole.
type schemaEvidence struct {
	object  []string // object name tokens
	selfKey []string // the record key's noun: "order" of "orderID"
	// typeName is the value of a field naming the record's type.
	typeName []string
}

// readSchema finds the object tokens and the noun of the record's own key:
// the first field named "<noun> id|number|key" (a bare "id" names nothing).
func (m *Matcher) readSchema(schema canonical.SourceSchema, src []*sourceInfo) schemaEvidence {
	se := schemaEvidence{object: dedupe(m.vocab.tokenize(schema.Object))}
	for _, s := range src {
		// A field that says what the record is ("object": "charge",
		// "record_type": "Invoice") names the object when all agree.
		if s.profile.Kind == ProfileConstant || s.profile.Count == 1 {
			if n := strings.Join(s.tokens, " "); n == "object" || n == "object type" || n == "record type" || n == "entity type" || n == "kind" {
				if v, ok := sampleString(s.field.Samples[0]); ok && se.typeName == nil {
					se.typeName = dedupe(m.vocab.tokenize(v))
				}
			}
		}
	}
	for _, s := range src {
		t := s.tokens
		if len(t) < 2 || s.profile.Kind == ProfileConstant {
			continue
		}
		switch t[len(t)-1] {
		case "id", "number", "key":
			se.selfKey = t[:len(t)-1]
		}
		if se.selfKey != nil {
			break
		}
	}
	return se
}

// objectMatch is how well tokens name one of the phrases: Dice similarity,
// or containment when the name is longer ("gcp_billing_export_v1").
func objectMatch(toks []string, phrases []phrase) float64 {
	var best float64
	if len(toks) == 0 {
		return 0
	}
	for _, p := range phrases {
		if !containsToken(toks, p.tokens[len(p.tokens)-1]) {
			// The head noun must be there: "customer" is no "customer
			// contact".
			continue
		}
		best = math.Max(best, dice(toks, p.tokens))
		if len(toks) > len(p.tokens) {
			var hit float64
			for _, t := range p.tokens {
				for _, u := range toks {
					if t == u {
						hit++
						break
					}
				}
			}
			best = math.Max(best, 0.8*hit/float64(len(p.tokens)))
		}
	}
	return best
}

func containsToken(toks []string, t string) bool {
	for _, u := range toks {
		if u == t {
			return true
		}
	}
	return false
}

// entityScore is the evidence that the schema holds pl's entity.
func (pl *entityPlan) entityScore(se schemaEvidence, signatures [][]string) float64 {
	var s float64
	found := map[string]bool{}
	for _, c := range pl.assigned {
		if c == nil || c.final < 0.5 {
			continue
		}
		f := pl.em.fields[c.dst].field
		found[f.Name] = true
		w := 1.0
		if pl.em.shared[f.Name] {
			w = sharedFieldWeight
		}
		s += w * c.final
		if f.Required {
			s += 0.5
		}
	}
	if len(signatures) > 0 {
		hit := 0
		for _, g := range signatures {
			for _, f := range g {
				if found[f] {
					hit++
					break
				}
			}
		}
		share := float64(hit) / float64(len(signatures))
		s += coefSignature * share * share
	}
	obj := math.Max(objectMatch(se.object, pl.em.objects), objectMatch(se.typeName, pl.em.objects))
	return s + coefObject*obj + coefSelfKey*objectMatch(se.selfKey, pl.em.objects)
}

// noneScore is the evidence that no canonical entity fits.
func (m *Matcher) noneScore(se schemaEvidence) float64 {
	obj := math.Max(objectMatch(se.object, m.noneObjects), objectMatch(se.typeName, m.noneObjects))
	return noEntityScore + coefNoneObject*obj + coefSelfKey*objectMatch(se.selfKey, m.noneObjects)
}

// chooseEntity turns the scores into probabilities (a softmax over the
// entities and "none"). It returns the best plan, or nil when "none" is
// likelier than every entity, with the candidates best first.
func chooseEntity(plans []*entityPlan, none float64) (*entityPlan, float64, []EntityCandidate) {
	top := none
	for _, p := range plans {
		top = math.Max(top, p.score)
	}
	var sum float64
	for _, p := range plans {
		sum += math.Exp((p.score - top) / entityTemperature)
	}
	pNone := math.Exp((none - top) / entityTemperature)
	sum += pNone
	cands := []EntityCandidate{{Entity: "", Confidence: round3(pNone / sum)}}
	var best *entityPlan
	bestP := pNone / sum
	for _, p := range plans {
		pr := math.Exp((p.score-top)/entityTemperature) / sum
		cands = append(cands, EntityCandidate{Entity: p.em.name, Confidence: round3(pr)})
		if pr > bestP {
			best, bestP = p, pr
		}
	}
	sort.SliceStable(cands, func(a, b int) bool { return cands[a].Confidence > cands[b].Confidence })
	if len(cands) > 3 {
		cands = cands[:3]
	}
	return best, bestP, cands
}
