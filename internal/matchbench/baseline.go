package matchbench

import (
	"sort"
	"strings"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

// Similarity is the naive baseline's name similarity: the larger of the
// token Jaccard index and the normalized Levenshtein similarity of the
// lower-cased names without punctuation.
func Similarity(source, canonicalField string) float64 {
	return similarity(words(source), words(canonicalField))
}

func similarity(a, b []string) float64 {
	set := map[string]int{}
	for _, w := range a {
		set[w] |= 1
	}
	for _, w := range b {
		set[w] |= 2
	}
	inter := 0
	for _, v := range set {
		if v == 3 {
			inter++
		}
	}
	var jac float64
	if len(set) > 0 {
		jac = float64(inter) / float64(len(set))
	}
	x, y := strings.Join(a, ""), strings.Join(b, "")
	var lev float64
	if n := max(len([]rune(x)), len([]rune(y))); n > 0 {
		lev = 1 - float64(editDistance(x, y))/float64(n)
	}
	return max(jac, lev)
}

// Baseline matches by name similarity alone: the entity whose field names
// are closest overall, a greedy one-to-one assignment, and decisions by
// the thresholds on the similarity.
func Baseline(reg *canonical.Registry, s canonical.SourceSchema, th schemamatch.Thresholds) (string, []proposal) {
	bestEntity, bestScore := "", -1.0
	var bestProps []proposal
	for _, e := range reg.Entities() {
		type pair struct {
			src, dst int
			sim      float64
		}
		var pairs []pair
		for i, f := range s.Fields {
			a := words(f.Name)
			for j, cf := range e.Fields {
				pairs = append(pairs, pair{i, j, similarity(a, words(cf.Name))})
			}
		}
		sort.SliceStable(pairs, func(a, b int) bool { return pairs[a].sim > pairs[b].sim })
		usedS, usedD := map[int]bool{}, map[int]bool{}
		var props []proposal
		var total float64
		for _, p := range pairs {
			if usedS[p.src] || usedD[p.dst] {
				continue
			}
			usedS[p.src], usedD[p.dst] = true, true
			props = append(props, proposal{s.Fields[p.src].Name, e.Fields[p.dst].Name, p.sim, th.Decide(p.sim)})
			if p.sim >= th.Review {
				total += p.sim
			}
		}
		if total > bestScore {
			bestEntity, bestScore, bestProps = e.Name, total, props
		}
	}
	return bestEntity, bestProps
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
