package schemamatch

import (
	"context"
	"math"
	"sort"

	"github.com/autonomos/autonomos/canonical"
)

// minCandidate is the lowest probability a pair needs to enter the
// assignment; weaker pairs are never shown.
const minCandidate = 0.2

// entityPlan is the one-to-one assignment of source fields to one entity.
type entityPlan struct {
	em       *entityModel
	matrix   [][]candidate // [source][canonical field]
	assigned []*candidate  // per source field, nil when unassigned
	names    []string      // source field names
	score    float64       // entity evidence, log-odds scale
}

// plan scores every pair of source field and canonical field of em, and
// assigns them one to one.
func (m *Matcher) plan(ctx context.Context, em *entityModel, schema canonical.SourceSchema, src []*sourceInfo) (*entityPlan, error) {
	vecs, err := m.canonicalVectors(ctx, em)
	if err != nil {
		return nil, err
	}
	objectID := m.objectIDTokens(schema.Object)
	pl := &entityPlan{em: em, matrix: make([][]candidate, len(src)), assigned: make([]*candidate, len(src))}
	for i, s := range src {
		pl.names = append(pl.names, s.field.Name)
		core := coreTokens(s.tokens, em.context)
		row := make([]candidate, len(em.fields))
		for j, fm := range em.fields {
			z, ev := m.score(s, fm, core, objectID, vecs[j], em.name)
			row[j] = candidate{src: i, dst: j, z: z, p: sigmoid(z), ev: ev}
		}
		pl.matrix[i] = row
	}
	pl.assign()
	pl.compete(em)
	pl.score = pl.entityScore(m, schema)
	return pl, nil
}

// assign picks pairs greedily by probability, best first, so no two source
// fields share a canonical field; ties go to the pair whose source field
// has fewer alternatives.
func (pl *entityPlan) assign() {
	var all []*candidate
	for i := range pl.matrix {
		for j := range pl.matrix[i] {
			if c := &pl.matrix[i][j]; c.p >= minCandidate {
				all = append(all, c)
			}
		}
	}
	sort.SliceStable(all, func(a, b int) bool {
		if all[a].p != all[b].p {
			return all[a].p > all[b].p
		}
		return all[a].src < all[b].src
	})
	taken := map[int]bool{}
	for _, c := range all {
		if pl.assigned[c.src] != nil || taken[c.dst] {
			continue
		}
		pl.assigned[c.src] = c
		taken[c.dst] = true
	}
}

// compete lowers the confidence of an assigned pair when another source
// field would also claim its canonical field, or the source field has
// another free candidate: with two plausible readings, at most one is right,
// so the odds are divided by the rival's odds.
func (pl *entityPlan) compete(em *entityModel) {
	owner := map[int]*candidate{}
	for _, c := range pl.assigned {
		if c != nil {
			owner[c.dst] = c
		}
	}
	for i, c := range pl.assigned {
		if c == nil {
			continue
		}
		var rival *candidate
		// Other source fields that prefer this canonical field to their own.
		for k := range pl.matrix {
			if k == i {
				continue
			}
			o := &pl.matrix[k][c.dst]
			if a := pl.assigned[k]; a != nil && a.p >= o.p {
				continue
			}
			if rival == nil || o.p > rival.p {
				rival = o
			}
		}
		// Other canonical fields of this source no better-placed field took.
		for j := range pl.matrix[i] {
			if j == c.dst {
				continue
			}
			o := &pl.matrix[i][j]
			if a := owner[j]; a != nil && a.p >= o.p {
				continue
			}
			if rival == nil || o.p > rival.p {
				rival = o
			}
		}
		c.final = c.p
		if rival == nil || rival.p < 0.05 {
			continue
		}
		c.ev.RunnerUp = &Competitor{
			SourceField:    pl.srcName(rival.src),
			CanonicalField: em.fields[rival.dst].field.Name,
			Confidence:     round3(rival.p),
		}
		if rival.p > 0.5 {
			odds := c.p / (1 - c.p) * (1 - rival.p) / rival.p
			c.final = odds / (1 + odds)
		}
	}
}

func (pl *entityPlan) srcName(i int) string {
	return pl.names[i]
}

// entityScore is the evidence that the schema holds em: the confidence of
// its mappings, required fields found, and how the object is named.
func (pl *entityPlan) entityScore(m *Matcher, schema canonical.SourceSchema) float64 {
	var s float64
	for _, c := range pl.assigned {
		if c == nil || c.final < 0.5 {
			continue
		}
		s += c.final
		if pl.em.fields[c.dst].field.Required {
			s += 0.5
		}
	}
	objToks := dedupe(m.vocab.tokenize(schema.Object))
	var obj float64
	for _, p := range pl.em.objects {
		obj = math.Max(obj, dice(objToks, p.tokens))
		if len(objToks) > len(p.tokens) {
			// "gcp_billing_export_v1", "AccountHistory": containment counts.
			var hit float64
			for _, t := range p.tokens {
				for _, u := range objToks {
					if t == u {
						hit++
					}
				}
			}
			obj = math.Max(obj, 0.8*hit/float64(len(p.tokens)))
		}
	}
	return s + 3*obj
}

// noEntityScore is the score of "none of the entities": a schema must
// bring more evidence than this for a confident entity.
const noEntityScore = 2.5

// chooseEntity picks the plan with the most evidence; its confidence is its
// softmax share against the others and against "none of them".
func chooseEntity(plans []*entityPlan) (*entityPlan, float64) {
	best := plans[0]
	for _, p := range plans[1:] {
		if p.score > best.score {
			best = p
		}
	}
	const temperature = 1.0
	var sum float64
	for _, p := range plans {
		sum += math.Exp((p.score - best.score) / temperature)
	}
	sum += math.Exp((noEntityScore - best.score) / temperature)
	return best, 1 / sum
}

// result renders the plan as a MatchResult.
func (pl *entityPlan) result(schema canonical.SourceSchema, th Thresholds, entityConf float64) *MatchResult {
	r := &MatchResult{Entity: pl.em.name, EntityConfidence: round3(entityConf), Mappings: []FieldMatch{}, Unmapped: []string{}}
	for i, f := range schema.Fields {
		c := pl.assigned[i]
		if c == nil {
			r.Unmapped = append(r.Unmapped, f.Name)
			continue
		}
		// An uncertain entity makes every mapping less certain.
		p := round3(c.final * math.Min(1, entityConf+0.05))
		d := th.Decide(p)
		ev := c.ev
		r.Mappings = append(r.Mappings, FieldMatch{
			SourceField: f.Name, CanonicalField: pl.em.fields[c.dst].field.Name, Confidence: p, Decision: d, Evidence: ev,
		})
		if !d.Mapped() {
			r.Unmapped = append(r.Unmapped, f.Name)
		}
	}
	return r
}
