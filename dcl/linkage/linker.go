package linkage

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"

	"github.com/google/uuid"
)

// Options tune a Linker; the zero value of a field means its default.
type Options struct {
	// Precision is the precision target: a pair links when its match
	// probability under the model is at least Precision. Default 0.99.
	Precision float64
	// ReviewFloor is the lowest match probability of a pair listed for
	// review. Default 0.05. Pairs above Precision that lack a second
	// agreeing comparison are listed for review too.
	ReviewFloor float64
	// MaxBlock caps a block: once MaxBlock records share a blocking key
	// (a common name token in a big city), later records are not compared
	// through it (their other keys still count). Default 100.
	MaxBlock int
	// MinTrain is the record count at which the model is first estimated;
	// it is estimated again whenever the live records double. Default
	// 200. Negative: never train automatically (call Train).
	MinTrain int
	// OnePerSource: a cluster holds at most one record of each source
	// (Key.Source), for sources known to list each entity once; the
	// strongest links win. Default false: duplicates within a source
	// link too.
	OnePerSource bool
	// Namespace is the UUID namespace of cluster ids. Default: the DCL's.
	Namespace uuid.UUID
	// Model, if set, is used instead of the default model until the next
	// training.
	Model *Model
}

// DefaultNamespace is the UUIDv5 namespace of cluster ids.
var DefaultNamespace = uuid.MustParse("6f1c2a8e-3d4b-5c6d-8e9f-0a1b2c3d4e5f")

// ErrInvalid marks bad arguments: unknown records, a constraint of a
// record with itself, contradicting constraints.
var ErrInvalid = errors.New("linkage: invalid")

// Link is a scored pair of records with its explanation: the level and
// weight of every comparison that could be made, the total match weight
// in bits (the prior included) and the match probability.
type Link struct {
	A           Key               `json:"a"`
	B           Key               `json:"b"`
	Weight      float64           `json:"weight"`
	Probability float64           `json:"probability"`
	Comparisons []ComparisonLevel `json:"comparisons"`
	// Constraint is "must_link" or "cannot_link" when a decision applies.
	Constraint string `json:"constraint,omitempty"`
}

// Agreeing returns the comparisons at their best level ("name",
// "phone" ...), in comparison order.
func (l *Link) Agreeing(m *Model) []string {
	var out []string
	for _, c := range l.Comparisons {
		for i := range m.Comparisons {
			if m.Comparisons[i].Name == c.Comparison && m.Comparisons[i].Levels[0].Label == c.Level {
				out = append(out, c.Comparison)
			}
		}
	}
	return out
}

// Decision is one recorded change of the clusters:
//
//   - "new": Record started cluster ClusterID;
//   - "join": Record joined it, linked to Matched by Link;
//   - "merge": cluster Absorbed was merged into it through Link between
//     Record and Matched;
//   - "split": it was split off cluster Absorbed after a change of Record
//     (or a decision, or a new model);
//   - "leave": Record was deleted from it.
type Decision struct {
	Action    string `json:"action"`
	ClusterID string `json:"cluster_id"`
	Record    Key    `json:"record"`
	Matched   Key    `json:"matched,omitempty"`
	Absorbed  string `json:"absorbed,omitempty"`
	Link      *Link  `json:"link,omitempty"`
	Offset    int64  `json:"offset"`
}

// ConstraintKind says whether two records are the same or different.
type ConstraintKind string

// The two kinds of review decisions.
const (
	MustLink   ConstraintKind = "must_link"
	CannotLink ConstraintKind = "cannot_link"
)

// Constraint is a review decision about two records; it holds whatever
// the model says and applies to records that arrive later.
type Constraint struct {
	A    Key            `json:"a"`
	B    Key            `json:"b"`
	Kind ConstraintKind `json:"kind"`
}

type pairKey struct{ a, b Key }

func mkPair(a, b Key) pairKey {
	if b.less(a) {
		a, b = b, a
	}
	return pairKey{a, b}
}

type edge struct {
	weight float64
	prob   float64
	levels []int8
	sim    float64 // name similarity, to order links of equal weight
}

type node struct {
	key     Key
	f       features
	blocks  []string
	links   map[*node]*edge // accepted links
	review  map[*node]*edge // pairs in the review band
	cluster *Cluster
}

// Cluster is one linked entity.
type Cluster struct {
	// ID is stable: it stays while the cluster keeps most of its members.
	ID string
	// Created is the offset at which the id was first given.
	Created int64
	members map[*node]struct{}
}

// Size returns the number of records in the cluster.
func (c *Cluster) Size() int { return len(c.members) }

// Members returns the cluster's records in key order.
func (c *Cluster) Members() []Key {
	out := make([]Key, 0, len(c.members))
	for n := range c.members {
		out = append(out, n.key)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}

// Linker links records incrementally into stable clusters. It is
// deterministic: the same upserts, removals and constraints in the same
// order give the same clusters and ids, whatever batches the caller
// groups them in. Not safe for concurrent use.
type Linker struct {
	kind      Kind
	opts      Options
	model     *Model
	threshold float64 // in bits
	floor     float64 // in bits
	nodes     map[Key]*node
	index     map[string][]*node
	clusters  map[string]*Cluster
	cons      map[pairKey]ConstraintKind
	consOf    map[Key]map[Key]ConstraintKind
	trainedAt int

	// changes since the last Drain
	changed  map[Key]bool
	created  map[string]*Cluster
	removed  map[string]bool
	log      []Decision
	levelBuf []int
}

// New returns an empty Linker of the given kind.
func New(kind Kind, opts *Options) (*Linker, error) {
	if kind != Accounts && kind != Contacts {
		return nil, fmt.Errorf("%w: kind %q", ErrInvalid, kind)
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Precision == 0 {
		o.Precision = 0.99
	}
	if o.ReviewFloor == 0 {
		o.ReviewFloor = 0.05
	}
	if o.Precision <= 0.5 || o.Precision >= 1 {
		return nil, fmt.Errorf("%w: Precision %v is outside (0.5, 1)", ErrInvalid, o.Precision)
	}
	if o.ReviewFloor <= 0 || o.ReviewFloor >= o.Precision {
		return nil, fmt.Errorf("%w: ReviewFloor %v is outside (0, Precision)", ErrInvalid, o.ReviewFloor)
	}
	if o.MaxBlock == 0 {
		o.MaxBlock = 100
	}
	if o.MaxBlock < 1 {
		return nil, fmt.Errorf("%w: MaxBlock %d", ErrInvalid, o.MaxBlock)
	}
	if o.MinTrain == 0 {
		o.MinTrain = 200
	}
	if o.Namespace == uuid.Nil {
		o.Namespace = DefaultNamespace
	}
	l := &Linker{kind: kind, opts: o,
		threshold: math.Log2(o.Precision / (1 - o.Precision)),
		floor:     math.Log2(o.ReviewFloor / (1 - o.ReviewFloor)),
		nodes:     map[Key]*node{}, index: map[string][]*node{}, clusters: map[string]*Cluster{},
		cons: map[pairKey]ConstraintKind{}, consOf: map[Key]map[Key]ConstraintKind{},
	}
	l.model = DefaultModel(kind)
	if o.Model != nil {
		if o.Model.Kind != kind {
			return nil, fmt.Errorf("%w: model of kind %q for a %q linker", ErrInvalid, o.Model.Kind, kind)
		}
		l.model = o.Model
		l.trainedAt = o.Model.Records
	}
	l.Drain()
	return l, nil
}

// Model returns the model in use.
func (l *Linker) Model() *Model { return l.model }

// Len returns the number of records.
func (l *Linker) Len() int { return len(l.nodes) }

// ClusterOf returns the cluster id of a record, or "".
func (l *Linker) ClusterOf(k Key) string {
	if n := l.nodes[k]; n != nil {
		return n.cluster.ID
	}
	return ""
}

// Cluster returns a cluster by id, or nil.
func (l *Linker) Cluster(id string) *Cluster { return l.clusters[id] }

// Clusters returns all clusters ordered by id.
func (l *Linker) Clusters() []*Cluster {
	out := make([]*Cluster, 0, len(l.clusters))
	for _, c := range l.clusters {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Changes are what changed since the previous Drain: records whose
// cluster id changed (or that were added), clusters created and removed,
// and the decisions taken, in order.
type Changes struct {
	Records   []Key
	Created   []*Cluster
	Removed   []string
	Decisions []Decision
}

// Drain returns and forgets the changes since the previous call.
func (l *Linker) Drain() Changes {
	var c Changes
	for k := range l.changed {
		if l.nodes[k] != nil {
			c.Records = append(c.Records, k)
		}
	}
	sort.Slice(c.Records, func(i, j int) bool { return c.Records[i].less(c.Records[j]) })
	for id, cl := range l.created {
		if l.clusters[id] == cl {
			c.Created = append(c.Created, cl)
		}
	}
	sort.Slice(c.Created, func(i, j int) bool { return c.Created[i].ID < c.Created[j].ID })
	for id := range l.removed {
		if l.clusters[id] == nil {
			c.Removed = append(c.Removed, id)
		}
	}
	sort.Strings(c.Removed)
	c.Decisions = l.log
	l.changed, l.created, l.removed, l.log = map[Key]bool{}, map[string]*Cluster{}, map[string]bool{}, nil
	return c
}

// Upsert adds a record or replaces its values, at a stream offset (any
// increasing sequence number). The record is compared with the records
// sharing a block; links it no longer supports are dropped, so a change
// can split its cluster (the part keeping most members keeps the id).
func (l *Linker) Upsert(r Record, offset int64) {
	n := l.nodes[r.Key]
	var seeds []*node
	if n != nil {
		seeds = l.detach(n)
	} else {
		n = &node{key: r.Key}
		l.nodes[r.Key] = n
	}
	n.f = prepare(l.kind, &r)
	l.attach(n)
	seeds = append(seeds, n)
	for m := range n.links {
		seeds = append(seeds, m)
	}
	if l.opts.MinTrain > 0 && len(l.nodes) >= l.opts.MinTrain && len(l.nodes) >= 2*l.trainedAt {
		l.recluster(seeds, n, offset)
		l.Train(offset)
		return
	}
	l.recluster(seeds, n, offset)
}

// Remove deletes a record; its cluster splits where the record was the
// only link between parts. Unknown keys are ignored.
func (l *Linker) Remove(k Key, offset int64) {
	n := l.nodes[k]
	if n == nil {
		return
	}
	seeds := l.detach(n)
	c := n.cluster
	delete(c.members, n)
	delete(l.nodes, k)
	l.log = append(l.log, Decision{Action: "leave", ClusterID: c.ID, Record: k, Offset: offset})
	if len(c.members) == 0 {
		delete(l.clusters, c.ID)
		l.removed[c.ID] = true
	}
	l.recluster(seeds, nil, offset)
}

// detach removes a node's links and index entries and returns its former
// neighbours.
func (l *Linker) detach(n *node) []*node {
	var out []*node
	for m := range n.links {
		delete(m.links, n)
		out = append(out, m)
	}
	for m := range n.review {
		delete(m.review, n)
	}
	for c := range n.cluster.members {
		if c != n {
			out = append(out, c)
		}
	}
	n.links, n.review = nil, nil
	for _, b := range n.blocks {
		s := l.index[b]
		for i, x := range s {
			if x == n {
				s = append(s[:i], s[i+1:]...)
				break
			}
		}
		if len(s) == 0 {
			delete(l.index, b)
		} else {
			l.index[b] = s
		}
	}
	n.blocks = nil
	return out
}

// attach indexes a node and scores it against the records sharing its
// blocks.
func (l *Linker) attach(n *node) {
	n.links, n.review = map[*node]*edge{}, map[*node]*edge{}
	n.blocks = blockingKeys(l.kind, &n.f)
	seen := map[*node]bool{n: true}
	kept := n.blocks[:0]
	for _, b := range n.blocks {
		s := l.index[b]
		if len(s) >= l.opts.MaxBlock {
			continue // too common a key to tell records apart
		}
		for _, m := range s {
			if seen[m] {
				continue
			}
			seen[m] = true
			l.scorePair(n, m)
		}
		l.index[b] = append(s, n)
		kept = append(kept, b)
	}
	n.blocks = kept
}

func (l *Linker) scorePair(n, m *node) {
	if cap(l.levelBuf) < len(l.model.cmps) {
		l.levelBuf = make([]int, len(l.model.cmps))
	}
	lv := l.levelBuf[:len(l.model.cmps)]
	w, agreeing, alone, vetoed := l.model.score(&n.f, &m.f, lv)
	if w < l.floor {
		return
	}
	e := &edge{weight: w, prob: probability(w), levels: make([]int8, len(lv)), sim: nameSimilarity(&n.f, &m.f)}
	for i, x := range lv {
		e.levels[i] = int8(x)
	}
	if w >= l.threshold && (agreeing >= 2 || alone) && !vetoed {
		n.links[m], m.links[n] = e, e
	} else {
		n.review[m], m.review[n] = e, e
	}
}

// Train estimates the model from the current records (see Model) and
// re-scores and re-clusters everything with it; cluster ids stay where
// membership does. Upsert calls it when the records first reach
// Options.MinTrain and whenever they double.
func (l *Linker) Train(offset int64) {
	keys := sortedKeys(l.nodes)
	fs := make([]*features, len(keys))
	pos := make(map[*node]int32, len(keys))
	for i, k := range keys {
		n := l.nodes[k]
		fs[i] = &n.f
		pos[n] = int32(i)
	}
	var pairs [][2]int32
	seen := map[[2]int32]bool{}
	bkeys := make([]string, 0, len(l.index))
	for b := range l.index {
		bkeys = append(bkeys, b)
	}
	sort.Strings(bkeys)
	for _, b := range bkeys {
		s := l.index[b]
		for i := 0; i < len(s); i++ {
			for j := i + 1; j < len(s); j++ {
				x, y := pos[s[i]], pos[s[j]]
				if x > y {
					x, y = y, x
				}
				p := [2]int32{x, y}
				if !seen[p] {
					seen[p] = true
					pairs = append(pairs, p)
				}
			}
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	l.SetModel(train(l.kind, fs, pairs), offset)
}

// SetModel replaces the model, re-scores every compared pair and
// re-clusters; cluster ids stay where membership does.
func (l *Linker) SetModel(m *Model, offset int64) {
	l.model = m
	l.trainedAt = len(l.nodes)
	if l.trainedAt < m.Records {
		l.trainedAt = m.Records
	}
	keys := sortedKeys(l.nodes)
	l.index = map[string][]*node{}
	for _, k := range keys {
		n := l.nodes[k]
		n.links, n.review, n.blocks = nil, nil, nil
	}
	all := make([]*node, 0, len(keys))
	for _, k := range keys {
		n := l.nodes[k]
		l.attach(n)
		all = append(all, n)
	}
	l.recluster(all, nil, offset)
}

// Constrain records a review decision and re-clusters the records it
// touches. A must-link of two records links them whatever the model
// says; a cannot-link keeps them in different clusters. A later decision
// about the same pair replaces the earlier one. Either record may be
// unknown yet.
func (l *Linker) Constrain(c Constraint, offset int64) error {
	if c.A == c.B {
		return fmt.Errorf("%w: constraint of %s with itself", ErrInvalid, c.A)
	}
	if c.Kind != MustLink && c.Kind != CannotLink {
		return fmt.Errorf("%w: constraint kind %q", ErrInvalid, c.Kind)
	}
	l.setConstraint(c.A, c.B, c.Kind)
	var seeds []*node
	for _, k := range []Key{c.A, c.B} {
		if n := l.nodes[k]; n != nil {
			seeds = append(seeds, n)
		}
	}
	l.recluster(seeds, nil, offset)
	return nil
}

// Unconstrain forgets the decision about a pair, if any.
func (l *Linker) Unconstrain(a, b Key, offset int64) {
	delete(l.cons, mkPair(a, b))
	delete(l.consOf[a], b)
	delete(l.consOf[b], a)
	var seeds []*node
	for _, k := range []Key{a, b} {
		if n := l.nodes[k]; n != nil {
			seeds = append(seeds, n)
		}
	}
	l.recluster(seeds, nil, offset)
}

func (l *Linker) setConstraint(a, b Key, kind ConstraintKind) {
	l.cons[mkPair(a, b)] = kind
	for _, p := range [][2]Key{{a, b}, {b, a}} {
		m := l.consOf[p[0]]
		if m == nil {
			m = map[Key]ConstraintKind{}
			l.consOf[p[0]] = m
		}
		m[p[1]] = kind
	}
}

// Constraints returns every decision, ordered by pair.
func (l *Linker) Constraints() []Constraint {
	out := make([]Constraint, 0, len(l.cons))
	for p, k := range l.cons {
		out = append(out, Constraint{A: p.a, B: p.b, Kind: k})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A != out[j].A {
			return out[i].A.less(out[j].A)
		}
		return out[i].B.less(out[j].B)
	})
	return out
}

// unionEdge is an edge in the clustering of a component.
type unionEdge struct {
	a, b   *node
	weight float64
	sim    float64
	e      *edge
	must   bool
}

// recluster recomputes the clusters of the connected components (over
// links and must-links) of the seeds. trigger is the record whose upsert
// caused it, if any.
func (l *Linker) recluster(seeds []*node, trigger *node, offset int64) {
	// the components
	in := map[*node]bool{}
	var comp []*node
	queue := make([]*node, 0, len(seeds))
	for _, s := range seeds {
		if l.nodes[s.key] == s && !in[s] {
			in[s] = true
			queue = append(queue, s)
		}
	}
	for len(queue) > 0 {
		n := queue[len(queue)-1]
		queue = queue[:len(queue)-1]
		comp = append(comp, n)
		for m := range n.links {
			if !in[m] {
				in[m] = true
				queue = append(queue, m)
			}
		}
		for k, kind := range l.consOf[n.key] {
			if m := l.nodes[k]; kind == MustLink && m != nil && !in[m] {
				in[m] = true
				queue = append(queue, m)
			}
		}
	}
	if len(comp) == 0 {
		return
	}
	sort.Slice(comp, func(i, j int) bool { return comp[i].key.less(comp[j].key) })
	idx := make(map[*node]int, len(comp))
	for i, n := range comp {
		idx[n] = i
	}
	// edges, strongest first; must-links before all
	var edges []unionEdge
	for _, n := range comp {
		for m, e := range n.links {
			if n.key.less(m.key) {
				edges = append(edges, unionEdge{a: n, b: m, weight: e.weight, sim: e.sim, e: e})
			}
		}
		for k, kind := range l.consOf[n.key] {
			if m := l.nodes[k]; kind == MustLink && m != nil && n.key.less(m.key) {
				edges = append(edges, unionEdge{a: n, b: m, weight: math.Inf(1), e: n.links[m], must: true})
			}
		}
	}
	sort.Slice(edges, func(i, j int) bool {
		x, y := edges[i], edges[j]
		if x.weight != y.weight {
			return x.weight > y.weight
		}
		if x.sim != y.sim {
			return x.sim > y.sim
		}
		if x.a.key != y.a.key {
			return x.a.key.less(y.a.key)
		}
		return x.b.key.less(y.b.key)
	})
	parent := make([]int, len(comp))
	groups := make([][]int, len(comp))
	for i := range parent {
		parent[i] = i
		groups[i] = []int{i}
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	var unions []unionEdge
	for _, e := range edges {
		ra, rb := find(idx[e.a]), find(idx[e.b])
		if ra == rb {
			continue
		}
		if l.forbidden(comp, groups[ra], groups[rb], idx) {
			continue
		}
		if l.opts.OnePerSource && !e.must && sharesSource(comp, groups[ra], groups[rb]) {
			continue
		}
		if len(groups[ra]) < len(groups[rb]) {
			ra, rb = rb, ra
		}
		parent[rb] = ra
		groups[ra] = append(groups[ra], groups[rb]...)
		groups[rb] = nil
		unions = append(unions, e)
	}
	// the new groups, each listed by its smallest member
	var roots []int
	for i := range comp {
		if find(i) == i {
			roots = append(roots, i)
		}
	}
	sort.Slice(roots, func(i, j int) bool { return minOf(groups[roots[i]]) < minOf(groups[roots[j]]) })
	// old clusters, oldest first, claim the group holding most of their
	// members that no older cluster claimed
	olds := map[*Cluster]bool{}
	for _, n := range comp {
		if n.cluster != nil {
			olds[n.cluster] = true
		}
	}
	oldList := make([]*Cluster, 0, len(olds))
	for c := range olds {
		oldList = append(oldList, c)
	}
	sort.Slice(oldList, func(i, j int) bool {
		if oldList[i].Created != oldList[j].Created {
			return oldList[i].Created < oldList[j].Created
		}
		return oldList[i].ID < oldList[j].ID
	})
	claim := map[int]*Cluster{}
	claimedBy := map[*Cluster]int{}
	for _, c := range oldList {
		count := map[int]int{}
		for n := range c.members {
			if i, ok := idx[n]; ok {
				count[find(i)]++
			}
		}
		best := -1
		for r, k := range count {
			if claim[r] != nil {
				continue
			}
			if best < 0 || k > count[best] || k == count[best] && minOf(groups[r]) < minOf(groups[best]) {
				best = r
			}
		}
		if best >= 0 {
			claim[best] = c
			claimedBy[c] = best
		}
	}
	// apply
	oldOf := make([]*Cluster, len(comp))
	for i, n := range comp {
		oldOf[i] = n.cluster
	}
	final := map[int]*Cluster{}
	for _, r := range roots {
		c := claim[r]
		if c == nil {
			first := comp[minOf(groups[r])]
			id := uuid.NewSHA1(l.opts.Namespace, []byte(string(l.kind)+"\x00"+first.key.Source+"\x00"+first.key.ID+"\x00"+strconv.FormatInt(offset, 10))).String()
			for k := 1; l.clusters[id] != nil; k++ {
				id = uuid.NewSHA1(l.opts.Namespace, []byte(id+"\x00"+strconv.Itoa(k))).String()
			}
			c = &Cluster{ID: id, Created: offset}
			l.clusters[id] = c
			l.created[id] = c
		}
		c.members = map[*node]struct{}{}
		final[r] = c
	}
	for c := range olds {
		if _, ok := claimedBy[c]; !ok && l.clusters[c.ID] == c {
			delete(l.clusters, c.ID)
			l.removed[c.ID] = true
		}
	}
	for i, n := range comp {
		c := final[find(i)]
		c.members[n] = struct{}{}
		if n.cluster != c {
			l.changed[n.key] = true
		}
		n.cluster = c
	}
	l.decide(comp, idx, unions, oldOf, claimedBy, claim, final, roots, trigger, offset)
}

func minOf(xs []int) int {
	m := xs[0]
	for _, x := range xs[1:] {
		if x < m {
			m = x
		}
	}
	return m
}

// sharesSource reports whether two groups hold records of one source.
func sharesSource(comp []*node, a, b []int) bool {
	for _, i := range a {
		for _, j := range b {
			if comp[i].key.Source == comp[j].key.Source {
				return true
			}
		}
	}
	return false
}

// forbidden reports whether a cannot-link joins two groups.
func (l *Linker) forbidden(comp []*node, a, b []int, idx map[*node]int) bool {
	if len(a) > len(b) {
		a, b = b, a
	}
	for _, i := range a {
		for k, kind := range l.consOf[comp[i].key] {
			if kind != CannotLink {
				continue
			}
			if m := l.nodes[k]; m != nil {
				if j, ok := idx[m]; ok {
					for _, x := range b {
						if x == j {
							return true
						}
					}
				}
			}
		}
	}
	return false
}

// decide logs what a re-clustering changed: joins of the trigger record,
// merges of old clusters, and groups split off old clusters.
func (l *Linker) decide(comp []*node, idx map[*node]int, unions []unionEdge, oldOf []*Cluster, claimedBy map[*Cluster]int, claim map[int]*Cluster, final map[int]*Cluster, roots []int, trigger *node, offset int64) {
	isNew := trigger != nil && oldOf[idx[trigger]] == nil
	if isNew {
		c := trigger.cluster
		if l.created[c.ID] == c && len(c.members) == 1 {
			l.log = append(l.log, Decision{Action: "new", ClusterID: c.ID, Record: trigger.key, Offset: offset})
			return
		}
	}
	// replay the unions with the old cluster of every record as its label
	parent := make([]int, len(comp))
	labels := make([]map[*Cluster]bool, len(comp))
	hasTrigger := make([]bool, len(comp))
	for i := range comp {
		parent[i] = i
		labels[i] = map[*Cluster]bool{}
		if oldOf[i] != nil && comp[i] != trigger {
			labels[i][oldOf[i]] = true
		}
		hasTrigger[i] = comp[i] == trigger
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	logged := map[*Cluster]bool{}
	joined := false
	for _, u := range unions {
		ra, rb := find(idx[u.a]), find(idx[u.b])
		fc := u.a.cluster // both ends end in the same cluster
		a, b := u.a, u.b
		if !labels[ra][fc] && labels[rb][fc] {
			ra, rb = rb, ra
			a, b = b, a
		}
		if labels[ra][fc] && !labels[rb][fc] {
			link := l.linkOf(u)
			if hasTrigger[rb] && !joined && trigger != nil && oldOf[idx[trigger]] != fc {
				joined = true
				l.log = append(l.log, Decision{Action: "join", ClusterID: fc.ID, Record: trigger.key, Matched: a.key, Link: link, Offset: offset})
			}
			for c := range labels[rb] {
				if _, kept := claimedBy[c]; c != fc && !logged[c] && !kept {
					logged[c] = true
					l.log = append(l.log, Decision{Action: "merge", ClusterID: fc.ID, Record: b.key, Matched: a.key, Absorbed: c.ID, Link: link, Offset: offset})
				}
			}
		}
		parent[rb] = ra
		for c := range labels[rb] {
			labels[ra][c] = true
		}
		hasTrigger[ra] = hasTrigger[ra] || hasTrigger[rb]
	}
	// groups that got a new id but hold records of an old cluster
	for _, r := range roots {
		c := final[r]
		if claim[r] != nil {
			continue
		}
		from := map[*Cluster]bool{}
		for n := range c.members {
			if o := oldOf[idx[n]]; o != nil {
				from[o] = true
			}
		}
		var rec Key
		if trigger != nil {
			rec = trigger.key
		} else {
			rec = c.Members()[0]
		}
		ids := make([]string, 0, len(from))
		for o := range from {
			ids = append(ids, o.ID)
		}
		sort.Strings(ids)
		for _, id := range ids {
			l.log = append(l.log, Decision{Action: "split", ClusterID: c.ID, Record: rec, Absorbed: id, Offset: offset})
		}
		if len(ids) == 0 && trigger != nil && c == trigger.cluster {
			l.log = append(l.log, Decision{Action: "new", ClusterID: c.ID, Record: trigger.key, Offset: offset})
		}
	}
}

// linkOf explains the edge of a union.
func (l *Linker) linkOf(u unionEdge) *Link {
	lk := &Link{A: u.a.key, B: u.b.key}
	if u.must {
		lk.Constraint = string(MustLink)
	}
	if u.e != nil {
		lk.Weight = round3(u.e.weight)
		lk.Probability = u.e.prob
		lv := make([]int, len(u.e.levels))
		for i, x := range u.e.levels {
			lv[i] = int(x)
		}
		lk.Comparisons = l.model.explain(&u.a.f, lv)
	}
	return lk
}

// Score compares two known records with the current model.
func (l *Linker) Score(a, b Key) (*Link, error) {
	x, y := l.nodes[a], l.nodes[b]
	if x == nil || y == nil {
		return nil, fmt.Errorf("%w: unknown record %s or %s", ErrInvalid, a, b)
	}
	lv := make([]int, len(l.model.cmps))
	w, _, _, _ := l.model.score(&x.f, &y.f, lv)
	lk := &Link{A: a, B: b, Weight: round3(w), Probability: probability(w), Comparisons: l.model.explain(&x.f, lv)}
	if k, ok := l.cons[mkPair(a, b)]; ok {
		lk.Constraint = string(k)
	}
	return lk, nil
}

// Review returns the pairs in the review band, in different clusters,
// strongest first: pairs whose match probability is between ReviewFloor
// and Precision, or above Precision without a second agreeing
// comparison. Pairs with a decision are left out.
func (l *Linker) Review() []*Link {
	var out []*Link
	for _, k := range sortedKeys(l.nodes) {
		n := l.nodes[k]
		for m, e := range n.review {
			if !n.key.less(m.key) || n.cluster == m.cluster {
				continue
			}
			if _, decided := l.cons[mkPair(n.key, m.key)]; decided {
				continue
			}
			out = append(out, l.linkOf(unionEdge{a: n, b: m, e: e}))
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Weight > out[j].Weight })
	return out
}

// Links returns the accepted links among a cluster's members.
func (l *Linker) Links(id string) []*Link {
	c := l.clusters[id]
	if c == nil {
		return nil
	}
	var out []*Link
	for _, k := range c.Members() {
		n := l.nodes[k]
		for m, e := range n.links {
			if n.key.less(m.key) && m.cluster == c {
				out = append(out, l.linkOf(unionEdge{a: n, b: m, e: e}))
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].A != out[j].A {
			return out[i].A.less(out[j].A)
		}
		return out[i].B.less(out[j].B)
	})
	return out
}

// Restore loads records with the clusters they were stored in (cluster id
// per record, creation offset per cluster), without re-clustering: the
// state a Linker had when it produced them, given the same model and
// constraints (see SetConstraints). The Linker must be empty. Records
// are compared in the order given.
func (l *Linker) Restore(recs []Record, clusterOf map[Key]string, created map[string]int64) error {
	if len(l.nodes) > 0 {
		return fmt.Errorf("%w: restore into a linker that holds records", ErrInvalid)
	}
	for _, r := range recs {
		id := clusterOf[r.Key]
		if id == "" {
			return fmt.Errorf("%w: restore: record %s has no cluster", ErrInvalid, r.Key)
		}
		if l.nodes[r.Key] != nil {
			return fmt.Errorf("%w: restore: record %s twice", ErrInvalid, r.Key)
		}
		c := l.clusters[id]
		if c == nil {
			c = &Cluster{ID: id, Created: created[id], members: map[*node]struct{}{}}
			l.clusters[id] = c
		}
		n := &node{key: r.Key, f: prepare(l.kind, &r), cluster: c}
		c.members[n] = struct{}{}
		l.nodes[r.Key] = n
		l.attach(n)
	}
	l.Drain()
	return nil
}

// SetConstraints loads stored decisions without re-clustering (before
// Restore, or into an empty Linker before replaying a stream).
func (l *Linker) SetConstraints(cs []Constraint) error {
	for _, c := range cs {
		if c.A == c.B || (c.Kind != MustLink && c.Kind != CannotLink) {
			return fmt.Errorf("%w: constraint %v", ErrInvalid, c)
		}
		l.setConstraint(c.A, c.B, c.Kind)
	}
	return nil
}
