package drift

import (
	"math"
	"sort"
)

// Rename thresholds of Diff.
const (
	// RenameCandidateScore is the least score of a listed rename
	// candidate.
	RenameCandidateScore = 0.3
	// RenameScore is the least score of a candidate Diff turns into a
	// rename.
	RenameScore = 0.6
	// RenameMargin is how far ahead of every rival pair (of either field)
	// the best candidate must be to count as unique.
	RenameMargin = 0.1
)

// Weights of the rename evidence: agreement on the same records weighs most.
const (
	weightRecords = 0.6
	weightValues  = 0.3
	weightName    = 0.1
)

// Limits that keep Diff cheap on huge or hostile schemas.
const (
	// maxPairs bounds the pairs sharing a value that are scored.
	maxPairs = 1 << 16
	// maxNamePairs bounds the pairs scored on names alone.
	maxNamePairs = 1 << 14
	// maxRecords bounds the shared records compared (the first by id).
	maxRecords = 1000
)

// Diff compares two snapshots of one source object and returns the changes
// from old to new: fields retyped, renamed, removed and added (see the
// package documentation for how renames are found). Fields are matched by
// trimmed, case-sensitive name; of fields whose names trim alike, the first
// counts. The changes are not classified yet: see Classify. Diff accepts
// any input, never panics, and is safe for concurrent use.
func Diff(old, new Snapshot) SchemaDiff {
	oldList, oldBy := fields(old)
	newList, newBy := fields(new)
	d := SchemaDiff{From: Fingerprint(old.Schema), To: Fingerprint(new.Schema), Changes: []Change{}}

	var removed, added []*field
	for _, f := range oldList {
		if _, ok := newBy[f.name]; !ok {
			removed = append(removed, f)
		}
	}
	for _, f := range newList {
		if _, ok := oldBy[f.name]; !ok {
			added = append(added, f)
		}
	}
	pairs := scorePairs(old, new, removed, added)
	renames, candidates := assignRenames(pairs)
	renamedTo := make(map[*field]bool, len(renames))

	for _, f := range oldList {
		if nf, ok := newBy[f.name]; ok {
			if f.typ != nf.typ {
				d.Changes = append(d.Changes, Change{Kind: KindRetyped, Field: f.name, OldType: f.typ, NewType: nf.typ, TypeChange: CompareTypes(f.typ, nf.typ), Samples: nf.samples})
			}
			continue
		}
		c := Change{Kind: KindRemoved, Field: f.name, OldType: f.typ, Candidates: candidates[f]}
		if p, ok := renames[f]; ok {
			renamedTo[p.a] = true
			ev := p.ev
			c.Kind, c.NewField, c.NewType = KindRenamed, p.a.name, p.a.typ
			c.TypeChange, c.Score, c.Evidence = CompareTypes(f.typ, p.a.typ), p.score, &ev
			c.Samples = p.a.samples
		}
		d.Changes = append(d.Changes, c)
	}
	for _, f := range newList {
		if _, ok := oldBy[f.name]; ok || renamedTo[f] {
			continue
		}
		d.Changes = append(d.Changes, Change{Kind: KindAdded, Field: f.name, NewType: f.typ})
	}
	return d
}

// pair is a (removed, added) field pair scored as a rename.
type pair struct {
	r, a  *field
	score float64
	ev    Evidence
}

// scorePairs scores the rename pairs worth scoring.
func scorePairs(old, new Snapshot, removed, added []*field) []pair {
	if len(removed) == 0 || len(added) == 0 {
		return nil
	}
	shared := sharedRecords(old, new)
	oldVals := recordValues(old, shared, removed)
	newVals := recordValues(new, shared, added)

	// Two fields that both hold values but share none score below
	// RenameCandidateScore whatever their names, so only pairs sharing a
	// value, and pairs of which one side has no value (names are all there
	// is), are scored.
	todo := valuePairs(removed, added)
	for i, r := range removed {
		for j, a := range added {
			if len(todo) >= maxPairs+maxNamePairs {
				break
			}
			if len(r.values) == 0 || len(a.values) == 0 {
				todo = append(todo, [2]int{i, j})
			}
		}
	}
	out := make([]pair, 0, len(todo))
	for _, ij := range todo {
		r, a := removed[ij[0]], added[ij[1]]
		p := pair{r: r, a: a}
		p.ev.NameSimilarity = NameSimilarity(r.name, a.name)
		p.ev.TypeCompatible = CompareTypes(r.typ, a.typ).Compatible()
		p.ev.ValueOverlap, p.ev.SharedValues = overlap(r.values, a.values)
		p.ev.RecordAgreement, p.ev.RecordsCompared = agreement(oldVals[ij[0]], newVals[ij[1]])
		p.score = score(p.ev, len(r.values) > 0 && len(a.values) > 0)
		if p.score >= RenameCandidateScore {
			out = append(out, p)
		}
	}
	return out
}

// score combines the evidence of a pair into 0..1. Value evidence is
// discounted when it rests on few values or records (two boolean columns
// share {true, false} without being the same field); without any value
// evidence the name alone gives at most half.
func score(ev Evidence, bothValued bool) float64 {
	if !bothValued && ev.RecordsCompared == 0 {
		return round3(0.5 * ev.NameSimilarity)
	}
	num, den := weightName*ev.NameSimilarity, weightName
	if ev.RecordsCompared > 0 {
		support := math.Min(1, float64(ev.RecordsCompared)/3)
		num += weightRecords * ev.RecordAgreement * support
		den += weightRecords
	}
	if bothValued {
		support := math.Min(1, float64(ev.SharedValues)/4)
		num += weightValues * ev.ValueOverlap * support
		den += weightValues
	}
	return round3(num / den)
}

// overlap returns the containment of two value sets and the size of their
// intersection.
func overlap(a, b map[string]struct{}) (float64, int) {
	if len(a) == 0 || len(b) == 0 {
		return 0, 0
	}
	small, large := a, b
	if len(small) > len(large) {
		small, large = large, small
	}
	n := 0
	for v := range small {
		if _, ok := large[v]; ok {
			n++
		}
	}
	return round3(float64(n) / float64(len(small))), n
}

// agreement compares two fields' values on the shared records: the share of
// records (where either has a value) on which they are equal, and how many
// records that is.
func agreement(old, new []string) (float64, int) {
	compared, equal := 0, 0
	for i := range old {
		if old[i] == "" && new[i] == "" {
			continue
		}
		compared++
		if old[i] == new[i] {
			equal++
		}
	}
	if compared == 0 {
		return 0, 0
	}
	return round3(float64(equal) / float64(compared)), compared
}

// sharedRecords returns the ids present in both snapshots, sorted, at most
// maxRecords of them.
func sharedRecords(old, new Snapshot) []string {
	var ids []string
	for id := range old.Records {
		if _, ok := new.Records[id]; ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	if len(ids) > maxRecords {
		ids = ids[:maxRecords]
	}
	return ids
}

// recordValues returns, per field, its normalized value on each shared
// record ("" when empty).
func recordValues(s Snapshot, ids []string, fs []*field) [][]string {
	out := make([][]string, len(fs))
	for i, f := range fs {
		out[i] = make([]string, len(ids))
		for j, id := range ids {
			out[i][j], _ = normValue(recordValue(s.Records[id], f))
		}
	}
	return out
}

// valuePairs lists the (removed, added) index pairs that share at least one
// value, in order, at most maxPairs of them.
func valuePairs(removed, added []*field) [][2]int {
	index := make(map[string][]int)
	for j, a := range added {
		for v := range a.values {
			index[v] = append(index[v], j)
		}
	}
	var out [][2]int
	seen := make(map[int]bool)
	for i, r := range removed {
		clear(seen)
		for v := range r.values {
			for _, j := range index[v] {
				seen[j] = true
			}
		}
		js := make([]int, 0, len(seen))
		for j := range seen {
			js = append(js, j)
		}
		sort.Ints(js)
		for _, j := range js {
			if len(out) == maxPairs {
				return out
			}
			out = append(out, [2]int{i, j})
		}
	}
	return out
}

// assignRenames picks the renames among the scored pairs, one to one,
// greedily from the best score, skipping a pair when a rival pair of either
// field, still free, comes within RenameMargin of it. It also returns the
// ranked candidates of each removed field.
func assignRenames(pairs []pair) (map[*field]pair, map[*field][]Candidate) {
	sort.SliceStable(pairs, func(i, j int) bool {
		if pairs[i].score != pairs[j].score {
			return pairs[i].score > pairs[j].score
		}
		if pairs[i].r.index != pairs[j].r.index {
			return pairs[i].r.index < pairs[j].r.index
		}
		return pairs[i].a.index < pairs[j].a.index
	})
	byR := make(map[*field][]int)
	byA := make(map[*field][]int)
	candidates := make(map[*field][]Candidate)
	for i, p := range pairs {
		byR[p.r] = append(byR[p.r], i)
		byA[p.a] = append(byA[p.a], i)
		candidates[p.r] = append(candidates[p.r], Candidate{Field: p.a.name, Type: p.a.typ, Score: p.score, Evidence: p.ev})
	}
	renames := make(map[*field]pair)
	takenA := make(map[*field]bool)
	for i, p := range pairs {
		if p.score < RenameScore {
			break
		}
		if _, done := renames[p.r]; done || takenA[p.a] {
			continue
		}
		rival := false
		for _, k := range byR[p.r] {
			if k != i && !takenA[pairs[k].a] && withinMargin(p.score, pairs[k].score) {
				rival = true
			}
		}
		for _, k := range byA[p.a] {
			if _, done := renames[pairs[k].r]; k != i && !done && withinMargin(p.score, pairs[k].score) {
				rival = true
			}
		}
		if rival {
			continue
		}
		renames[p.r] = p
		takenA[p.a] = true
	}
	return renames, candidates
}

// withinMargin reports whether a rival's score comes within RenameMargin of the
// best score (the epsilon absorbs float error on the rounded scores).
func withinMargin(best, rival float64) bool { return best-rival < RenameMargin-1e-9 }

// round3 rounds to three decimals, so scores print and compare stably.
func round3(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return math.Round(x*1000) / 1000
}
