package nlp

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/autonomos/autonomos/nlp/timeframe"
)

// keywordWeight is the evidence of one keyword; a synonym counts one per
// word it covers.
const keywordWeight = 0.75

// skeleton drops a word's vowels after the first letter: typing slips
// mostly drop or swap vowels ("spnd" → "spend", "mnth" → "month").
func skeleton(w string) string {
	var b strings.Builder
	for i, r := range w {
		if i > 0 && strings.ContainsRune("aeiouy", r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// MaxQuestionBytes bounds a question's length.
const MaxQuestionBytes = 2000

// ClassifierOptions tunes a Classifier; nil means the defaults.
type ClassifierOptions struct {
	// Time configures the timeframe grammar (week start, fiscal year);
	// default Monday weeks and a January fiscal year.
	Time *timeframe.Options
	// MinMetricScore is the evidence a metric needs: default 0.5 (one
	// keyword shared by a few metrics).
	MinMetricScore float64
}

// Classifier turns a question into a persona and a typed intent over a
// catalog. It is deterministic, works offline, and is safe for concurrent
// use.
type Classifier struct {
	cat      *Catalog
	time     *timeframe.Parser
	minScore float64
	// phrases are the catalog's synonyms, normalized and stemmed.
	phrases  []phrase
	keywords map[string][]int // stemmed keyword → metric indexes
	// weight of a stem: 1/√(number of metrics whose words contain it), so
	// a word shared by many metrics ("invoice", "total") counts less.
	weight   map[string]float64
	dimWords []dimPhrase
	vocab    map[string]bool
	vocabBy  map[int][]string // vocabulary by word length, for typo search
}

type phrase struct {
	metric int
	words  []string
}

type dimPhrase struct {
	words []string
	dims  []string
}

// NewClassifier returns a Classifier over cat (the default catalog when
// nil). Bad options wrap ErrInvalid.
func NewClassifier(cat *Catalog, opts *ClassifierOptions) (*Classifier, error) {
	if cat == nil {
		var err error
		if cat, err = NewCatalog(nil, nil); err != nil {
			return nil, err
		}
	}
	var o ClassifierOptions
	if opts != nil {
		o = *opts
	}
	tp, err := timeframe.New(o.Time)
	if err != nil {
		return nil, fmt.Errorf("nlp: classifier: %w: %v", ErrInvalid, err)
	}
	if o.MinMetricScore < 0 {
		return nil, fmt.Errorf("nlp: classifier: %w: MinMetricScore %v is negative", ErrInvalid, o.MinMetricScore)
	}
	if o.MinMetricScore == 0 {
		o.MinMetricScore = 0.5
	}
	c := &Classifier{cat: cat, time: tp, minScore: o.MinMetricScore, keywords: map[string][]int{}, vocab: map[string]bool{}, vocabBy: map[int][]string{}}
	addVocab := func(ws []string) {
		for _, w := range ws {
			if !c.vocab[w] {
				c.vocab[w] = true
				c.vocabBy[utf8.RuneCountInString(w)] = append(c.vocabBy[utf8.RuneCountInString(w)], w)
			}
		}
	}
	for i, m := range cat.metrics {
		for _, s := range m.Synonyms {
			ws := tokens(s)
			addVocab(ws)
			if len(ws) > 0 {
				c.phrases = append(c.phrases, phrase{metric: i, words: stems(ws)})
			}
		}
		for _, k := range m.Keywords {
			for _, w := range tokens(k) {
				addVocab([]string{w})
				c.keywords[stem(w)] = append(c.keywords[stem(w)], i)
			}
		}
	}
	byWords := map[string]*dimPhrase{}
	for _, d := range cat.dimensions {
		for _, s := range append([]string{d.Name, strings.ReplaceAll(d.Name, "_", " ")}, d.Synonyms...) {
			ws := tokens(s)
			addVocab(ws)
			key := strings.Join(stems(ws), " ")
			if p, ok := byWords[key]; ok {
				if !contains(p.dims, d.Name) {
					p.dims = append(p.dims, d.Name)
				}
				continue
			}
			byWords[key] = &dimPhrase{words: stems(ws), dims: []string{d.Name}}
		}
	}
	keys := make([]string, 0, len(byWords))
	for k := range byWords {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		c.dimWords = append(c.dimWords, *byWords[k])
	}
	addVocab(functionWords)
	addVocab(timeWords)
	for w := range vagueWords {
		addVocab([]string{w})
	}
	for w := range destructiveVerbs {
		addVocab([]string{w})
	}
	for w := range actionVerbs {
		addVocab([]string{w})
	}
	for w := range knowledgeWords {
		addVocab([]string{w})
	}
	for w := range personaWords {
		addVocab([]string{w})
	}
	for _, ws := range c.vocabBy {
		sort.Strings(ws)
	}
	df := map[string]map[int]bool{}
	note := func(w string, m int) {
		if df[w] == nil {
			df[w] = map[int]bool{}
		}
		df[w][m] = true
	}
	for _, ph := range c.phrases {
		for _, w := range ph.words {
			note(w, ph.metric)
		}
	}
	for w, ms := range c.keywords {
		for _, m := range ms {
			note(w, m)
		}
	}
	c.weight = map[string]float64{}
	for w, ms := range df {
		c.weight[w] = math.Max(0.5, 1/math.Sqrt(float64(len(ms))))
	}
	return c, nil
}

// Catalog returns the classifier's catalog.
func (c *Classifier) Catalog() *Catalog { return c.cat }

func stems(ws []string) []string {
	out := make([]string, len(ws))
	for i, w := range ws {
		out[i] = stem(w)
	}
	return out
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// Values are a tenant's actual dimension values, used to resolve filters
// ("EC2" → "AmazonEC2"). Keys are dimension names.
type Values map[string][]string

// Question is what Classify reads.
type Question struct {
	// Text is the question.
	Text string
	// AsOf is the date relative timeframes are resolved against.
	AsOf time.Time
	// Values, when set, are the tenant's dimension values.
	Values Values
}

// correct replaces a token that is not in the vocabulary with the closest
// vocabulary word (one edit for words of 4–7 letters, two from 8), when
// there is one; numbers, ISO dates and known values stay.
func (c *Classifier) correct(w string, extra map[string]bool) string {
	if c.vocab[w] || c.vocab[stem(w)] || extra[w] {
		return w
	}
	n := utf8.RuneCountInString(w)
	if n < 4 || n > 30 {
		return w
	}
	for _, r := range w {
		if r >= '0' && r <= '9' {
			return w
		}
	}
	max := 1
	if n >= 8 {
		max = 2
	}
	best, bestD := "", max+1
	for l := n - max; l <= n+max; l++ {
		for _, v := range c.vocabBy[l] {
			if d := editDistance(w, v, max); d < bestD || (d == bestD && d <= max && skeleton(v) == skeleton(w) && skeleton(best) != skeleton(w)) {
				best, bestD = v, d
			}
		}
	}
	if bestD <= max {
		return best
	}
	return w
}

// Classify parses q. An empty or oversized question wraps ErrInvalid.
func (c *Classifier) Classify(q Question) (Classification, error) {
	text := strings.TrimSpace(q.Text)
	if text == "" {
		return Classification{}, fmt.Errorf("nlp: classify: %w: empty question", ErrInvalid)
	}
	if len(text) > MaxQuestionBytes {
		return Classification{}, fmt.Errorf("nlp: classify: %w: question is longer than %d bytes", ErrInvalid, MaxQuestionBytes)
	}
	if !utf8.ValidString(text) {
		return Classification{}, fmt.Errorf("nlp: classify: %w: question is not valid UTF-8", ErrInvalid)
	}
	asOf := q.AsOf
	if asOf.IsZero() {
		asOf = time.Now().UTC()
	}
	return c.classify(text, asOf, q.Values), nil
}

// parse is the working state of one classification.
type parse struct {
	words []string // normalized, typo-corrected tokens
	// corrected marks words a typo correction changed: their original was
	// unknown, which counts when judging whether a question is off-topic.
	corrected []bool
	stems     []string
	used      []bool // consumed by the timeframe, group-by or filters
}

func (c *Classifier) classify(text string, asOf time.Time, values Values) Classification {
	known := map[string]bool{}
	for _, vs := range values {
		for _, v := range vs {
			for _, w := range tokens(v) {
				known[w] = true
			}
		}
	}
	raw := tokens(text)
	p := &parse{words: make([]string, len(raw)), stems: make([]string, len(raw)), used: make([]bool, len(raw)), corrected: make([]bool, len(raw))}
	for i, w := range raw {
		p.words[i] = c.correct(w, known)
		p.corrected[i] = p.words[i] != w
		p.stems[i] = stem(p.words[i])
	}
	in := Intent{Filters: map[string]string{}, GroupBy: []string{}}

	// Timeframe first: its words must not count as metric evidence.
	if m, ok := c.time.FindTokens(p.words, asOf); ok {
		in.Timeframe = timeframeOf(m.Range)
		for i := m.From; i < m.To && i < len(p.used); i++ {
			p.used[i] = true
		}
	}
	scores, covered := c.metricScores(p)
	personaScores := c.personaScores(p, scores)
	persona, pconf := bestPersona(personaScores)

	best, second := -1, 0.0
	for i, s := range scores {
		if best < 0 || s > scores[best] || (s == scores[best] && c.preferOnTie(i, best, persona)) {
			best = i
		}
	}
	for i, s := range scores {
		if i != best && s > second {
			second = s
		}
	}
	topScore := 0.0
	if best >= 0 {
		topScore = scores[best]
	}

	out := Classification{Persona: persona, PersonaConfidence: pconf}
	switch {
	case c.isDestructive(p, covered):
		in.Kind, in.Reason = KindUnsupported, "the gateway only reads data; it does not change, delete or send anything"
		in.Confidence = 0.95
		in.Suggestions = c.suggestions(persona)
		in.Timeframe = nil
		out.Intent = in
		return out
	case c.isKnowledge(p) && (topScore > 0 || c.internal(p)):
		in.Kind = KindKnowledge
		in.Confidence = round2(0.6 + 0.1*math.Min(topScore, 3))
		out.Intent = in
		return out
	}
	synonymEvidence := false
	if best >= 0 {
		for _, cv := range covered[best] {
			synonymEvidence = synonymEvidence || cv
		}
	}
	if best >= 0 && topScore >= c.minScore && (synonymEvidence || !c.mostlyUnknown(p)) {
		m := c.cat.metrics[best]
		in.Kind, in.Metric = KindMetric, m.Name
		in.Confidence = round2(confidence(topScore, second))
		for i := range covered[best] {
			// A provider or a tenant's value inside a synonym ("AWS
			// spend") is still a filter.
			if covered[best][i] && providerAliases[p.words[i]] == "" && !known[p.words[i]] {
				p.used[i] = true
			}
		}
		c.groupBy(p, m, &in)
		c.filters(p, m, values, &in)
		if !m.Persona.Valid() || persona == "" {
			out.Persona = m.Persona
		}
		// The metric's persona leads: personas rank metrics, never block.
		if out.Persona != m.Persona {
			out.Persona = m.Persona
			out.PersonaConfidence = round2(math.Min(pconf, 0.6))
		}
		out.Intent = in
		return out
	}
	// No metric: vague (clarify) or off-topic (unsupported).
	if c.offTopic(p) {
		in.Kind, in.Reason = KindUnsupported, "the question is outside the metric catalog and the knowledge base"
		in.Confidence = 0.8
		in.Timeframe = nil
		in.Suggestions = c.suggestions(persona)
		out.Intent = in
		return out
	}
	in.Kind, in.Reason = KindClarify, "the question does not name a metric"
	in.Confidence = 0.7
	in.Suggestions = c.suggestions(persona)
	out.Intent = in
	return out
}

// preferOnTie breaks equal metric scores: the metric of the question's
// persona, then catalog order.
func (c *Classifier) preferOnTie(i, j int, persona Persona) bool {
	return c.cat.metrics[i].Persona == persona && c.cat.metrics[j].Persona != persona
}

func confidence(top, second float64) float64 {
	strength := 1 - math.Exp(-top/1.5)
	margin := (top - second) / top
	return math.Max(0.05, math.Min(0.99, strength*(0.55+0.45*margin)))
}

func round2(x float64) float64 { return math.Round(x*100) / 100 }

// metricScores scores every metric: the count of question tokens its
// synonyms cover, plus keywordWeight per other keyword, plus cues (a count
// question favours counts, "how much" favours amounts).
func (c *Classifier) metricScores(p *parse) ([]float64, [][]bool) {
	n := len(c.cat.metrics)
	scores := make([]float64, n)
	covered := make([][]bool, n)
	for i := range covered {
		covered[i] = make([]bool, len(p.stems))
	}
	for _, ph := range c.phrases {
		for i := 0; i+len(ph.words) <= len(p.stems); i++ {
			ok := true
			for k, w := range ph.words {
				// "we" in a synonym stands for any subject: "did we
				// close" also reads "did Bob close".
				if p.used[i+k] || (p.stems[i+k] != w && (w != "we" || k == 0 || isFunctionWord(p.words[i+k]))) {
					ok = false
					break
				}
			}
			if ok {
				for k, w := range ph.words {
					if w != "we" || p.stems[i+k] == "we" {
						covered[ph.metric][i+k] = true
					}
				}
			}
		}
	}
	for m := range scores {
		for i, cv := range covered[m] {
			if cv {
				scores[m] += c.weight[p.stems[i]]
			}
		}
	}
	for i, s := range p.stems {
		if p.used[i] {
			continue
		}
		seen := map[int]bool{}
		for _, m := range c.keywords[s] {
			if !covered[m][i] && !seen[m] {
				scores[m] += keywordWeight * c.weight[s]
				seen[m] = true
			}
		}
	}
	countCue := p.has("how", "many") || p.has("number", "of") || p.hasAny("count", "#", "many")
	amountCue := p.has("how", "much") || p.hasAny("value", "worth", "amount", "$", "dollar", "total", "sum", "size")
	ratioCue := p.hasAny("%", "percent", "percentage", "rate", "ratio", "share", "proportion") || p.has("how", "often")
	for m, mt := range c.cat.metrics {
		if scores[m] == 0 {
			continue
		}
		// The cue adds to a ratio metric with evidence of its own.
		if ratioCue && mt.Unit == UnitRatio {
			scores[m] += 0.8
		}
		if countCue && mt.Unit == UnitCount {
			scores[m] += 0.6
		}
		if amountCue && (mt.Unit == UnitMoney) {
			scores[m] += 0.3
		}
	}
	return scores, covered
}

func (p *parse) has(seq ...string) bool {
	for i := 0; i+len(seq) <= len(p.words); i++ {
		ok := true
		for k, w := range seq {
			if p.words[i+k] != w {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

func (p *parse) hasAny(ws ...string) bool {
	for _, x := range p.words {
		for _, w := range ws {
			if x == w {
				return true
			}
		}
	}
	return false
}

// personaWords are words that point to a persona without naming a metric.
var personaWords = map[string]Persona{
	"coo": COO, "operations": COO, "ops": COO, "finops": COO, "cloud": COO, "aws": COO, "gcp": COO, "azure": COO,
	"infrastructure": COO, "infra": COO, "hosting": COO, "compute": COO, "spend": COO, "vendor": COO,
	"cro": CRO, "sales": CRO, "deals": CRO, "deal": CRO, "quota": CRO, "reps": CRO, "rep": CRO, "crm": CRO, "pipeline": CRO,
	"bookings": CRO, "discount": CRO, "discounts": CRO, "customers": CRO, "accounts": CRO, "opportunities": CRO, "revops": CRO, "go-to-market": CRO, "gtm": CRO,
	"cfo": CFO, "finance": CFO, "financial": CFO, "cash": CFO, "invoices": CFO, "invoice": CFO, "billing": CFO, "books": CFO,
	"receivables": CFO, "collections": CFO, "margin": CFO, "profit": CFO, "revenue": CFO, "accounting": CFO, "ebitda": CFO,
	"cto": CTO, "engineering": CTO, "platform": CTO, "data": CTO, "connectors": CTO, "connector": CTO, "integrations": CTO,
	"schema": CTO, "etl": CTO, "syncs": CTO, "sync": CTO, "technical": CTO, "tech": CTO, "systems": CTO,
}

func (c *Classifier) personaScores(p *parse, scores []float64) map[Persona]float64 {
	ps := map[Persona]float64{}
	for m, s := range scores {
		if s > 0 {
			per := c.cat.metrics[m].Persona
			ps[per] = math.Max(ps[per], s)
		}
	}
	for i, w := range p.words {
		if per, ok := personaWords[w]; ok && !p.used[i] {
			ps[per] += 0.4
		}
	}
	return ps
}

func bestPersona(ps map[Persona]float64) (Persona, float64) {
	var best Persona
	total := 0.0
	for _, per := range Personas {
		total += ps[per]
		if ps[per] > ps[best] || (best == "" && ps[per] > 0) {
			best = per
		}
	}
	if best == "" || total == 0 {
		return "", 0
	}
	// Share of the evidence, sharpened by the absolute amount of it.
	share := ps[best] / total
	strength := 1 - math.Exp(-ps[best]/1.2)
	return best, round2(math.Max(0.05, math.Min(0.99, share*(0.5+0.5*strength))))
}

// destructiveVerbs change or remove data wherever they appear.
var destructiveVerbs = map[string]bool{"delete": true, "drop": true, "truncate": true, "wipe": true, "purge": true,
	"erase": true, "destroy": true, "overwrite": true, "nuke": true, "shred": true}

// actionVerbs ask the system to act when they lead the request.
var actionVerbs = map[string]bool{"remove": true, "update": true, "insert": true, "alter": true, "reset": true,
	"kill": true, "disable": true, "cancel": true, "void": true, "refund": true, "transfer": true, "send": true,
	"email": true, "approve": true, "reject": true, "create": true, "add": true, "edit": true, "change": true,
	"rename": true, "merge": true, "restart": true, "deploy": true, "pay": true, "book": true, "schedule": true,
	"set": true, "write": true, "modify": true, "mark": true, "close": true, "shut": true, "grant": true, "revoke": true,
	"move": true, "post": true, "tweet": true, "order": true, "buy": true, "sell": true, "hire": true, "fire": true,
	"terminate": true, "invite": true, "assign": true, "reassign": true, "upload": true, "export": true, "download": true,
	"run": true, "execute": true, "trigger": true, "stop": true, "pause": true, "resume": true, "apply": true, "launch": true,
	"archive": true, "unsubscribe": true, "forward": true, "share": true, "publish": true, "translate": true,
	"compose": true, "draft": true, "ignore": true, "forget": true, "pretend": true, "replace": true, "rollback": true}

// leadIns are words that may precede an imperative verb.
var leadIns = map[string]bool{"please": true, "can": true, "could": true, "would": true, "will": true, "you": true,
	"go": true, "ahead": true, "and": true, "i": true, "want": true, "need": true, "to": true, "lets": true, "let": true,
	"us": true, "just": true, "now": true, "quickly": true, "immediately": true, "kindly": true, "hey": true, "hello": true, "ok": true, "okay": true}

func (c *Classifier) isDestructive(p *parse, covered [][]bool) bool {
	for _, w := range p.words {
		if destructiveVerbs[w] {
			return true
		}
	}
	if p.has("select", "from") || (p.hasAny("select") && p.hasAny("where", "from")) || p.has("sql", "injection") {
		return true
	}
	for i, w := range p.words {
		if leadIns[w] {
			continue
		}
		// "close rate by owner": the verb is part of a metric's name.
		for m := range covered {
			if covered[m][i] {
				return false
			}
		}
		return actionVerbs[w]
	}
	return false
}

// internal reports words that place a question inside the organisation
// ("our", "we", "policy", "runbook"): a definition question without them
// or any catalog word ("what is the meaning of life") is off-topic.
func (c *Classifier) internal(p *parse) bool {
	if p.hasAny("our", "we", "us", "policy", "policies", "runbook", "runbooks", "procedure", "procedures", "playbook",
		"guideline", "guidelines", "handbook", "sla", "slas", "process", "approves", "approve", "approval", "approvals",
		"signs", "escalation", "company") {
		return true
	}
	for _, w := range p.words {
		if _, ok := personaWords[w]; ok {
			return true
		}
	}
	return false
}

// knowledgeWords mark definition, policy and how-to questions.
var knowledgeWords = map[string]bool{"define": true, "defined": true, "definition": true, "definitions": true,
	"meaning": true, "mean": true, "means": true, "policy": true, "policies": true, "procedure": true, "procedures": true,
	"runbook": true, "runbooks": true, "playbook": true, "guideline": true, "guidelines": true, "explain": true,
	"calculate": true, "calculated": true, "computed": true, "compute": true, "formula": true, "methodology": true,
	"documentation": true, "docs": true, "handbook": true, "sla": true, "slas": true, "terms": true, "rule": true,
	"rules": true, "process": true, "approves": true, "responsible": true, "escalate": true, "escalation": true,
	"threshold": true, "thresholds": true, "counts": true, "treat": true, "recognize": true, "measured": true,
	"measure": true, "why": true, "standard": true, "allowed": true, "supposed": true, "should": true}

// isKnowledge reports a definition, policy or how-to question.
func (c *Classifier) isKnowledge(p *parse) bool {
	w := p.words
	if len(w) == 0 {
		return false
	}
	if p.hasAny("define", "defined", "definition", "definitions", "meaning", "policy", "policies", "procedure", "procedures",
		"runbook", "runbooks", "playbook", "guideline", "guidelines", "formula", "methodology", "documentation",
		"handbook", "sla", "slas", "escalate", "escalation", "explain") {
		return true
	}
	if p.has("what", "does") && p.hasAny("mean", "stand", "means") {
		return true
	}
	if p.has("what", "is", "meant") || p.has("what", "counts", "as") || p.has("what", "is", "considered") || p.has("who", "approves") ||
		p.has("who", "is", "responsible") || p.has("who", "can", "approve") || p.has("payment", "terms") || p.has("what", "are", "our", "terms") {
		return true
	}
	// "how do we count churn", "how is DSO calculated"; not "how much
	// compute", "how many".
	if p.hasAny("how") && !p.has("how", "much") && !p.has("how", "many") && p.hasAny("calculate", "calculated", "computed",
		"compute", "measure", "measured", "treat", "recognize", "handle", "supposed", "should", "process", "count", "counted",
		"define", "track", "tracked", "report", "reported", "classify", "classified", "approve", "approved") {
		return true
	}
	if p.has("difference", "between") || p.has("signs", "off") || p.has("sign", "off") || p.has("who", "decides") {
		return true
	}
	if (p.has("what", "is", "a") || p.has("what", "is", "an") || p.has("what", "are")) && len(w) <= 5 && !p.hasAny("our", "we", "total", "current", "my") {
		return true
	}
	if (p.has("what", "is") || p.has("what", "are")) && len(w) <= 3 && !vagueWords[w[len(w)-1]] {
		// "What is DSO?": a bare term is a definition request.
		return true
	}
	if p.has("what", "should", "we") || p.has("what", "should", "i") || p.has("when", "should") || p.has("are", "we", "allowed") ||
		p.has("is", "it", "allowed") || p.has("what", "is", "the", "process") || p.has("what", "is", "the", "rule") || p.has("why", "is") || p.has("why", "are") || p.has("why", "do") {
		return true
	}
	return false
}

// vagueWords are business words too general to name a metric.
var vagueWords = map[string]bool{"doing": true, "numbers": true, "number": true, "metrics": true, "metric": true,
	"kpi": true, "kpis": true, "performance": true, "status": true, "update": true, "updates": true, "overview": true,
	"summary": true, "report": true, "dashboard": true, "health": true, "results": true, "figures": true, "stats": true,
	"statistics": true, "business": true, "company": true, "things": true, "going": true, "look": true, "looking": true,
	"trend": true, "trends": true, "progress": true, "data": true, "info": true, "information": true, "details": true,
	"how": true, "we": true, "are": true, "our": true, "the": true, "show": true, "me": true, "give": true, "tell": true,
	"snapshot": true, "picture": true, "state": true, "everything": true, "anything": true, "stuff": true, "good": true,
	"bad": true, "well": true, "ok": true, "okay": true, "track": true, "target": true, "targets": true, "goals": true,
	"goal": true, "plan": true, "budget": true, "forecast": true, "hello": true, "help": true, "board": true, "deck": true,
	"quick": true, "brief": true, "briefing": true, "highlights": true, "key": true, "important": true, "latest": true,
	"happening": true, "happened": true, "changed": true, "team": true, "org": true, "organization": true, "doing?": true,
	"new": true, "news": true, "money": true, "finances": true, "sales": true, "operations": true, "ops": true, "finance": true, "engineering": true}

// functionWords are question glue words, never evidence of a topic.
var functionWords = []string{"what", "whats", "is", "are", "was", "were", "be", "been", "the", "a", "an", "of", "for", "in",
	"on", "at", "to", "from", "by", "per", "each", "every", "our", "we", "us", "my", "me", "i", "you", "your", "it", "its",
	"this", "that", "these", "those", "how", "much", "many", "do", "does", "did", "have", "has", "had", "show", "give",
	"tell", "list", "get", "can", "could", "would", "will", "should", "please", "and", "or", "with", "without", "so", "far",
	"right", "now", "currently", "current", "total", "which", "who", "whom", "where", "when", "why", "there", "any", "all",
	"some", "top", "biggest", "largest", "highest", "lowest", "most", "least", "up", "down", "over", "under", "than", "more",
	"less", "about", "across", "broken", "breakdown", "split", "grouped", "group", "versus", "vs", "compared", "between",
	"since", "until", "through", "as", "not", "no", "yes", "still", "just", "only", "again", "also", "yet", "ever", "already",
	"like", "look", "looking", "see", "need", "want", "know", "find", "pull", "check", "quick", "quickly", "exactly",
	"roughly", "approximately", "around", "overall", "whole", "entire", "hello", "hi", "thanks", "thank", "okay", "ok",
	"where", "stand", "standing", "sitting", "at", "got", "gotten", "stands", "today", "do", "company", "org", "one", "two",
	"three", "four", "five", "six", "seven", "eight", "nine", "ten", "their", "they", "them", "out", "into", "off"}

var timeWords = []string{"today", "yesterday", "tomorrow", "week", "weeks", "month", "months", "quarter", "quarters",
	"year", "years", "day", "days", "last", "next", "previous", "prior", "past", "trailing", "rolling", "since", "between",
	"fiscal", "date", "mtd", "qtd", "ytd", "wtd", "ttm", "ltm", "january", "february", "march", "april", "may", "june",
	"july", "august", "september", "october", "november", "december", "daily", "weekly", "monthly", "quarterly", "yearly",
	"annual", "annually", "half", "first", "second", "third", "fourth", "recent", "recently", "ago", "so", "far"}

// offTopic reports a question with content words the catalog does not
// know: neither metric, dimension, time nor vague business words.
func (c *Classifier) offTopic(p *parse) bool {
	content, unknown := 0, 0
	for i, w := range p.words {
		if p.used[i] || isFunctionWord(w) || vagueWords[w] || vagueWords[stem(w)] {
			continue
		}
		if _, err := strconv.Atoi(w); err == nil {
			continue
		}
		content++
		if _, ok := personaWords[w]; ok {
			continue
		}
		if c.vocab[w] || c.vocab[stem(w)] {
			continue
		}
		unknown++
	}
	return unknown > 0 && content > 0
}

// mostlyUnknown reports a question whose unknown content words outnumber
// its known ones ("who won the super bowl": one keyword, two unknowns).
func (c *Classifier) mostlyUnknown(p *parse) bool {
	known, unknown := 0, 0
	for i, w := range p.words {
		if p.used[i] || isFunctionWord(w) || vagueWords[w] {
			continue
		}
		if _, err := strconv.Atoi(w); err == nil {
			continue
		}
		if _, ok := personaWords[w]; (ok || c.vocab[w] || c.vocab[stem(w)]) && !p.corrected[i] {
			known++
		} else {
			unknown++
		}
	}
	return unknown > known
}

var functionSet = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range functionWords {
		m[w] = true
	}
	for _, w := range timeWords {
		m[w] = true
	}
	return m
}()

func isFunctionWord(w string) bool { return functionSet[w] }

// suggestions proposes catalog questions, the persona's first.
func (c *Classifier) suggestions(persona Persona) []string {
	order := []Persona{COO, CRO, CFO, CTO}
	if persona != "" {
		order = append([]Persona{persona}, order...)
	}
	var out []string
	seen := map[string]bool{}
	for _, per := range order {
		for _, m := range c.cat.metrics {
			if m.Persona != per || seen[m.Name] || len(out) >= 4 {
				continue
			}
			seen[m.Name] = true
			q := "What is our " + strings.ReplaceAll(m.Name, "_", " ")
			if m.DefaultTimeframe != "" {
				q += " " + m.DefaultTimeframe
			}
			out = append(out, q+"?")
			if per == persona && len(out) >= 3 {
				break
			}
		}
	}
	return out
}
