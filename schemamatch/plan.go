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
		fits := 0
		for _, fm := range em.fields {
			if profileFit(s.profile, fm.field, fm.entityID) >= 0.9 {
				fits++
			}
		}
		for j, fm := range em.fields {
			z, ev := m.score(s, fm, core, objectID, vecs[j], em.name, fits)
			row[j] = candidate{src: i, dst: j, z: z, p: sigmoid(z), ev: ev}
		}
		pl.matrix[i] = row
	}
	pl.assign()
	pl.compete(em)
	return pl, nil
}

// assign picks pairs greedily by probability, best first, so no two source
// fields share a canonical field; ties go to the pair whose source field
// has fewer alternatives.
func (pl *entityPlan) assign() {
	var all []*candidate
	for i := range pl.matrix {
		for j := range pl.matrix[i] {
			if c := &pl.matrix[i][j]; c.p >= minCandidate && !c.ev.excluded {
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
		var rival, sameTarget *candidate
		// Other source fields that prefer this canonical field to their own:
		// the better of two valid candidates keeps the target (amount_due
		// over amount_remaining); the other is shown as the runner-up.
		for k := range pl.matrix {
			if k == i {
				continue
			}
			o := &pl.matrix[k][c.dst]
			if a := pl.assigned[k]; a != nil && a.p >= o.p || o.ev.excluded {
				continue
			}
			if sameTarget == nil || o.p > sameTarget.p {
				sameTarget = o
			}
		}
		// Other canonical fields of this source no better-placed field
		// took: two plausible readings of one field, at most one right.
		for j := range pl.matrix[i] {
			if j == c.dst {
				continue
			}
			o := &pl.matrix[i][j]
			if a := owner[j]; a != nil && a.p >= o.p || o.ev.excluded {
				continue
			}
			if rival == nil || o.p > rival.p {
				rival = o
			}
		}
		c.final = c.p
		shown := rival
		if shown == nil || sameTarget != nil && sameTarget.p > shown.p {
			shown = sameTarget
		}
		if shown == nil || shown.p < 0.05 {
			continue
		}
		c.ev.RunnerUp = &Competitor{
			SourceField:    pl.srcName(shown.src),
			CanonicalField: em.fields[shown.dst].field.Name,
			Confidence:     round3(shown.p),
		}
		if rival != nil && rival.p > 0.5 {
			odds := c.p / (1 - c.p) * (1 - rival.p) / rival.p
			c.final = odds / (1 + odds)
		}
	}
}

func (pl *entityPlan) srcName(i int) string {
	return pl.names[i]
}

// maxConfidence caps every confidence: the matcher is never certain.
const maxConfidence = 0.999

// result renders the plan as a MatchResult. Each field's score is
// conditioned on the entity — conf^(1-p) scales it, so an uncertain entity
// makes a middling mapping less certain but never crushes a confident one
// — and then calibrated.
func (pl *entityPlan) result(schema canonical.SourceSchema, th Thresholds, entityConf float64, cal Calibration) *MatchResult {
	r := &MatchResult{Entity: pl.em.name, EntityConfidence: round3(entityConf), Mappings: []FieldMatch{}, Unmapped: []string{}}
	for i, f := range schema.Fields {
		c := pl.assigned[i]
		if c == nil {
			r.Unmapped = append(r.Unmapped, f.Name)
			continue
		}
		p := c.final * math.Pow(entityConf, 1-c.final)
		// A calibrated confidence is never certainty.
		p = math.Min(round3(cal.apply(p)), maxConfidence)
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
