package linkage

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sort"
)

// LevelParams are the estimated probabilities of one comparison level:
// M among matching pairs, U among non-matching pairs.
type LevelParams struct {
	Label string  `json:"label"`
	M     float64 `json:"m"`
	U     float64 `json:"u"`
}

// ComparisonParams are the levels of one comparison, best first.
type ComparisonParams struct {
	Name   string        `json:"name"`
	Levels []LevelParams `json:"levels"`
}

// Model is a Fellegi–Sunter model: per comparison level the m- and
// u-probabilities, the prior probability Lambda that a compared (blocked)
// pair matches, and term frequencies of values seen more than once, so
// that agreeing on a common name, a shared switchboard phone or a big city
// weighs less than agreeing on a rare one. Models are estimated without
// labels by Train.
type Model struct {
	Kind        Kind               `json:"kind"`
	Lambda      float64            `json:"lambda"`
	Comparisons []ComparisonParams `json:"comparisons"`
	// Population is the record count term frequencies are relative to
	// (at least MinPopulation).
	Population int `json:"population"`
	// TF holds, per comparison with term frequencies, the counts of
	// values (by 64-bit hash) seen at least twice at training.
	TF map[string]map[uint64]int `json:"tf,omitempty"`
	// Records is how many records the model was trained on (0: defaults).
	Records int `json:"records"`
	// Pairs is how many candidate pairs the estimation saw; Iterations
	// how many EM rounds it ran.
	Pairs      int `json:"pairs"`
	Iterations int `json:"iterations"`

	cmps []comparison
	tfs  []map[uint64]int
}

// MinPopulation is the smallest population term frequencies are computed
// against: a value seen once among a handful of records is still rare
// among the businesses that exist.
const MinPopulation = 1000

// DefaultModel returns the model used before any training: prior m- and
// u-probabilities chosen for CRM and directory data.
func DefaultModel(kind Kind) *Model {
	m := &Model{Kind: kind, Lambda: 0.1, Population: MinPopulation}
	for _, c := range comparisons(kind) {
		cp := ComparisonParams{Name: c.name}
		for i, l := range c.levels {
			cp.Levels = append(cp.Levels, LevelParams{Label: l, M: c.m[i], U: c.u[i]})
		}
		m.Comparisons = append(m.Comparisons, cp)
	}
	m.bind()
	return m
}

// bind attaches the comparison functions after construction or decoding.
func (m *Model) bind() {
	m.cmps = comparisons(m.Kind)
	m.tfs = make([]map[uint64]int, len(m.cmps))
	for i, c := range m.cmps {
		m.tfs[i] = m.TF[c.name]
	}
}

// UnmarshalModel decodes a model written by json.Marshal.
func UnmarshalModel(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("linkage: model: %w", err)
	}
	if m.Kind != Accounts && m.Kind != Contacts {
		return nil, fmt.Errorf("linkage: model: unknown kind %q", m.Kind)
	}
	cmps := comparisons(m.Kind)
	if len(m.Comparisons) != len(cmps) {
		return nil, fmt.Errorf("linkage: model: %d comparisons, want %d", len(m.Comparisons), len(cmps))
	}
	for i, c := range cmps {
		if m.Comparisons[i].Name != c.name || len(m.Comparisons[i].Levels) != len(c.levels) {
			return nil, fmt.Errorf("linkage: model: comparison %d is not %q with %d levels", i, c.name, len(c.levels))
		}
	}
	if m.Population < MinPopulation || m.Lambda <= 0 || m.Lambda >= 1 {
		return nil, fmt.Errorf("linkage: model: population %d or lambda %v out of range", m.Population, m.Lambda)
	}
	m.bind()
	return &m, nil
}

func hashValue(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(s))
	return h.Sum64()
}

// ComparisonLevel is the outcome of one comparison of a pair: the level
// reached and the match weight it contributed, in bits.
type ComparisonLevel struct {
	Comparison string  `json:"comparison"`
	Level      string  `json:"level"`
	Weight     float64 `json:"weight"`
}

// score compares two records: the levels per comparison (nullLevel where
// a value is missing), the total match weight in bits (prior included)
// and how many comparisons agree with positive weight.
func (m *Model) score(a, b *features, levels []int) (weight float64, agreeing int, alone, vetoed bool) {
	weight = math.Log2(m.Lambda / (1 - m.Lambda))
	for i := range m.cmps {
		l := m.cmps[i].compare(a, b)
		levels[i] = l
		if l == nullLevel {
			continue
		}
		w := m.levelWeight(i, l, a)
		weight += w
		if r := m.cmps[i].required; r > 0 && l >= r {
			vetoed = true
		}
		if w > 0 && l < len(m.cmps[i].levels)-1 {
			agreeing++
			if l == 0 && m.cmps[i].alone {
				alone = true
			}
		}
	}
	return weight, agreeing, alone, vetoed
}

// levelWeight is log2(m/u) of level l of comparison i for a pair whose
// first record is a.
func (m *Model) levelWeight(i, l int, a *features) float64 {
	p := m.Comparisons[i].Levels[l]
	u := p.U
	if l == 0 && m.cmps[i].tf != nil {
		n := 1
		if t := m.tfs[i]; t != nil {
			if c, ok := t[hashValue(m.cmps[i].tf(a))]; ok {
				n = c
			}
		}
		u = float64(n) / float64(m.Population)
	}
	return math.Log2(p.M / u)
}

// explain turns levels into named comparison outcomes.
func (m *Model) explain(a *features, levels []int) []ComparisonLevel {
	out := make([]ComparisonLevel, 0, len(levels))
	for i, l := range levels {
		if l == nullLevel {
			continue
		}
		out = append(out, ComparisonLevel{Comparison: m.cmps[i].name, Level: m.cmps[i].levels[l], Weight: round3(m.levelWeight(i, l, a))})
	}
	return out
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }

// probability converts a match weight in bits to a match probability.
func probability(weight float64) float64 { return 1 / (1 + math.Exp2(-weight)) }

// emPrior is the weight, in pseudo-pairs, of the default m-values and
// lambda in estimation: small data stays near the defaults.
const emPrior = 200

// estimateM turns on the estimation of m-values by EM. It is off: on
// blocked candidate pairs the comparisons are far from independent (a
// block on name token and city makes "same city" and "similar name" go
// together), and EM then mistakes "same city" for "same business". The
// m-values are the documented defaults; u-values, term frequencies and
// lambda come from the data.
const estimateM = false

// maxUSamples caps the random pairs sampled to estimate u-values (and
// at most 100 per record are drawn).
const maxUSamples = 100_000

// train estimates a model from prepared records (in a deterministic
// order) and their candidate pairs: u-values from random pairs, term
// frequencies from value counts, and lambda by expectation–maximisation
// over the candidate pairs with m and u fixed (see estimateM).
func train(kind Kind, fs []*features, pairs [][2]int32) *Model {
	m := DefaultModel(kind)
	n := len(fs)
	m.Records = n
	m.Pairs = len(pairs)
	if n > MinPopulation {
		m.Population = n
	}
	cmps := m.cmps
	// term frequencies
	m.TF = map[string]map[uint64]int{}
	for i, c := range cmps {
		if c.tf == nil {
			continue
		}
		counts := map[uint64]int{}
		for _, f := range fs {
			if v := c.tf(f); v != "" {
				counts[hashValue(v)]++
			}
		}
		for h, k := range counts {
			if k < 2 {
				delete(counts, h)
			}
		}
		m.TF[c.name] = counts
		m.tfs[i] = counts
	}
	// u-values from random pairs
	if n >= 2 {
		rng := rand.New(rand.NewPCG(0x5eed, uint64(n)))
		samples := n * (n - 1) / 2
		samples = min(samples, maxUSamples, 100*n)
		counts := make([][]float64, len(cmps))
		for i, c := range cmps {
			counts[i] = make([]float64, len(c.levels))
		}
		for s := 0; s < samples; s++ {
			x := rng.IntN(n)
			y := rng.IntN(n - 1)
			if y >= x {
				y++
			}
			for i, c := range cmps {
				if l := c.compare(fs[x], fs[y]); l != nullLevel {
					counts[i][l]++
				}
			}
		}
		for i, c := range cmps {
			total := 0.0
			for _, v := range counts[i] {
				total += v
			}
			// pseudo-counts keep unseen levels possible
			const alpha = 1000
			for l := range c.levels {
				m.Comparisons[i].Levels[l].U = (counts[i][l] + alpha*c.u[l]) / (total + alpha)
			}
		}
	}
	// EM for m and lambda over the candidate pairs
	if len(pairs) > 0 {
		pl := make([][]int8, len(pairs))
		for p, pr := range pairs {
			row := make([]int8, len(cmps))
			for i, c := range cmps {
				row[i] = int8(c.compare(fs[pr[0]], fs[pr[1]]))
			}
			pl[p] = row
		}
		// base weights of the non-TF part are recomputed every round
		for it := 0; it < 25; it++ {
			m.Iterations = it + 1
			sumP := 0.0
			mc := make([][]float64, len(cmps))
			tot := make([]float64, len(cmps))
			for i, c := range cmps {
				mc[i] = make([]float64, len(c.levels))
			}
			for p, row := range pl {
				w := math.Log2(m.Lambda / (1 - m.Lambda))
				a := fs[pairs[p][0]]
				for i, l := range row {
					if l >= 0 {
						w += m.levelWeight(i, int(l), a)
					}
				}
				pr := probability(w)
				sumP += pr
				for i, l := range row {
					if l >= 0 {
						mc[i][l] += pr
						tot[i] += pr
					}
				}
			}
			delta := 0.0
			if estimateM {
				for i, c := range cmps {
					if c.fixedM {
						continue
					}
					for l := range c.levels {
						nm := (mc[i][l] + emPrior*c.m[l]) / (tot[i] + emPrior)
						delta = math.Max(delta, math.Abs(nm-m.Comparisons[i].Levels[l].M))
						m.Comparisons[i].Levels[l].M = nm
					}
				}
			}
			nl := (sumP + emPrior*DefaultModel(kind).Lambda) / (float64(len(pairs)) + emPrior)
			nl = math.Min(math.Max(nl, 0.01), 0.3)
			delta = math.Max(delta, math.Abs(nl-m.Lambda))
			m.Lambda = nl
			if delta < 1e-4 {
				break
			}
		}
	}
	return m
}

// sortedKeys returns the keys of a map in order.
func sortedKeys[V any](mp map[Key]V) []Key {
	out := make([]Key, 0, len(mp))
	for k := range mp {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}
