package nlp

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/nlp/pii"
	"github.com/autonomos/autonomos/nlp/timeframe"
	"github.com/autonomos/autonomos/rag"
)

// GatewayOptions configures a Gateway; nil means the defaults.
type GatewayOptions struct {
	// Catalog is the metric catalog: default NewCatalog(nil, nil).
	Catalog *Catalog
	// Time configures timeframes (week start, fiscal year): default
	// Monday weeks, January fiscal year.
	Time *timeframe.Options
	// Knowledge answers definition and policy questions; nil means none
	// (knowledge questions are answered with a note saying so).
	Knowledge KnowledgeBase
	// History stores each question, redacted; nil keeps none.
	History HistoryStore
	// Redact redacts text before it is logged, stored or sent to an LLM;
	// default a pii.Redactor with the built-in recognizers and the names of
	// the tenant's contacts (from its contacts view) as a deny-list.
	Redact func(ctx context.Context, tenant uuid.UUID, text string) string
	// LLM, when set, is asked to pick the metric of low-confidence
	// questions; its answer is used only when it names a catalog metric.
	LLM rag.LLM
	// LLMBelow is the confidence under which the LLM is asked: default 0.35.
	LLMBelow float64
	// Now gives the current time: default time.Now.
	Now func() time.Time
}

// KnowledgeBase finds the chunks of a tenant's documents that answer a
// question.
type KnowledgeBase interface {
	Search(ctx context.Context, tenant uuid.UUID, query string, k int) ([]Chunk, error)
}

// Chunk is a retrieved piece of a document.
type Chunk struct {
	ID       string  `json:"id"`
	Document string  `json:"document"`
	Heading  string  `json:"heading,omitempty"`
	Text     string  `json:"text"`
	Score    float64 `json:"score"`
}

// HistoryStore keeps a tenant's questions (already redacted).
type HistoryStore interface {
	Record(ctx context.Context, tenant uuid.UUID, e HistoryEntry) error
}

// HistoryEntry is one asked question, as stored.
type HistoryEntry struct {
	At       time.Time `json:"at"`
	Question string    `json:"question"`
	Persona  Persona   `json:"persona"`
	Kind     Kind      `json:"kind"`
	Metric   string    `json:"metric,omitempty"`
	// Confidence of the intent.
	Confidence float64 `json:"confidence"`
	// Error, when the question could not be answered.
	Error string `json:"error,omitempty"`
}

// Gateway classifies questions and answers them from a tenant's views,
// platform records and knowledge base. It is safe for concurrent use.
type Gateway struct {
	cls  *Classifier
	opts GatewayOptions
	week time.Weekday
}

// NewGateway returns a Gateway. Bad options wrap ErrInvalid.
func NewGateway(opts *GatewayOptions) (*Gateway, error) {
	var o GatewayOptions
	if opts != nil {
		o = *opts
	}
	if o.LLMBelow < 0 || o.LLMBelow > 1 {
		return nil, fmt.Errorf("nlp: gateway: %w: LLMBelow %v is outside 0..1", ErrInvalid, o.LLMBelow)
	}
	if o.LLMBelow == 0 {
		o.LLMBelow = 0.35
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	cls, err := NewClassifier(o.Catalog, &ClassifierOptions{Time: o.Time})
	if err != nil {
		return nil, err
	}
	g := &Gateway{cls: cls, opts: o, week: time.Monday}
	if o.Time != nil {
		if o.Time.WeekStartSunday {
			g.week = time.Sunday
		} else if o.Time.WeekStart != time.Sunday {
			g.week = o.Time.WeekStart
		}
	}
	return g, nil
}

// Classifier returns the gateway's classifier.
func (g *Gateway) Classifier() *Classifier { return g.cls }

// Request is a question to answer (the JSON body of POST /api/v1/nlp/query).
type Request struct {
	Query string `json:"query"`
	// AsOf is YYYY-MM-DD; empty means today (UTC).
	AsOf string `json:"as_of,omitempty"`
}

func (g *Gateway) asOf(s string) (time.Time, error) {
	if s == "" {
		n := g.opts.Now().UTC()
		return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC), nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("nlp: %w: as_of %q is not YYYY-MM-DD", ErrInvalid, s)
	}
	return t, nil
}

// Classify classifies a question without a tenant (filters are not
// matched against a tenant's values). Errors wrap ErrInvalid.
func (g *Gateway) Classify(req Request) (Classification, error) {
	asOf, err := g.asOf(req.AsOf)
	if err != nil {
		return Classification{}, err
	}
	return g.cls.Classify(Question{Text: req.Query, AsOf: asOf})
}

// Ask classifies req for tenant t and answers it from t's views, platform
// records or knowledge base. Invalid requests wrap ErrInvalid; a backend
// the answer needs that is missing wraps ErrUnavailable. The question is
// recorded in the history, redacted, whatever the outcome.
func (g *Gateway) Ask(ctx context.Context, t Tenant, req Request) (Answer, error) {
	asOf, err := g.asOf(req.AsOf)
	if err != nil {
		return Answer{}, err
	}
	values, err := TenantValues(ctx, t)
	if err != nil {
		return Answer{}, err
	}
	cl, err := g.cls.Classify(Question{Text: req.Query, AsOf: asOf, Values: values})
	if err != nil {
		return Answer{}, err
	}
	redact, err := g.redactor(ctx, t)
	if err != nil {
		return Answer{}, err
	}
	cl = g.assist(ctx, redact, req.Query, cl)
	ans, err := g.answer(ctx, t, req.Query, asOf, cl, redact)
	g.record(ctx, t.ID, redact, req.Query, cl, err)
	return ans, err
}

// redactor returns the tenant's redaction function.
func (g *Gateway) redactor(ctx context.Context, t Tenant) (func(string) string, error) {
	if g.opts.Redact != nil {
		return func(s string) string { return g.opts.Redact(ctx, t.ID, s) }, nil
	}
	names, err := ContactNames(ctx, t.Views)
	if err != nil {
		return nil, err
	}
	r := pii.New(&pii.Options{Names: names})
	return r.Redact, nil
}

// MaxContactNames bounds the deny-list read from a contacts view.
const MaxContactNames = 100_000

// ContactNames reads the names of the contacts in a tenant's contacts view
// ("First Last"), for the redaction deny-list; nil views give none.
func ContactNames(ctx context.Context, views *dcl.Engine) ([]string, error) {
	if views == nil {
		return nil, nil
	}
	var names []string
	err := scan(ctx, views, "contacts", []string{"first_name", "last_name"}, nil, func(r dcl.Row) {
		if len(names) < MaxContactNames {
			if n := strings.TrimSpace(toText(r["first_name"]) + " " + toText(r["last_name"])); n != "" {
				names = append(names, n)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("nlp: contact names: %w", err)
	}
	return names, nil
}

func (g *Gateway) record(ctx context.Context, tenant uuid.UUID, redact func(string) string, q string, cl Classification, err error) {
	if g.opts.History == nil {
		return
	}
	e := HistoryEntry{At: g.opts.Now().UTC(), Question: redact(q), Persona: cl.Persona, Kind: cl.Intent.Kind,
		Metric: cl.Intent.Metric, Confidence: cl.Intent.Confidence}
	if err != nil {
		e.Error = redact(err.Error())
	}
	// A history failure never fails the answer; the store reports it.
	_ = g.opts.History.Record(ctx, tenant, e)
}

// assist asks the LLM, when configured, to pick a metric for a
// low-confidence question; only a catalog metric is accepted.
func (g *Gateway) assist(ctx context.Context, redact func(string) string, q string, cl Classification) Classification {
	if g.opts.LLM == nil || cl.Intent.Kind == KindUnsupported || cl.Intent.Kind == KindKnowledge || cl.Intent.Confidence >= g.opts.LLMBelow {
		return cl
	}
	var names []string
	for _, m := range g.cls.cat.metrics {
		names = append(names, m.Name+": "+m.Meaning)
	}
	prompt := "Pick the metric an executive's question asks for, or \"none\".\nMetrics:\n" + strings.Join(names, "\n") +
		"\nQuestion: " + redact(q)
	schema := json.RawMessage(`{"type":"object","properties":{"metric":{"type":"string"}},"required":["metric"]}`)
	raw, err := g.opts.LLM.GenerateJSON(ctx, prompt, schema)
	if err != nil {
		return cl
	}
	var out struct {
		Metric string `json:"metric"`
	}
	if json.Unmarshal(raw, &out) != nil {
		return cl
	}
	m, ok := g.cls.cat.Metric(out.Metric)
	if !ok {
		return cl
	}
	cl.Intent.Kind, cl.Intent.Metric, cl.Persona = KindMetric, m.Name, m.Persona
	cl.Intent.Confidence = g.opts.LLMBelow
	cl.Intent.Suggestions, cl.Intent.Reason = nil, ""
	return cl
}

func (g *Gateway) answer(ctx context.Context, t Tenant, q string, asOf time.Time, cl Classification, redact func(string) string) (Answer, error) {
	ans := Answer{Persona: cl.Persona, PersonaConfidence: cl.PersonaConfidence, Intent: cl.Intent, Sources: []Source{},
		Data: Data{Rows: []map[string]any{}, Totals: map[string]any{}}}
	in := cl.Intent
	switch in.Kind {
	case KindClarify:
		ans.Answer = "Which number do you mean? For example: " + strings.Join(in.Suggestions, " ")
		ans.Data.Suggestions = in.Suggestions
		return ans, nil
	case KindUnsupported:
		ans.Answer = "I can't help with that: " + in.Reason + "."
		ans.Data.Suggestions = in.Suggestions
		return ans, nil
	case KindKnowledge:
		// The question goes to the embedder redacted, the placeholders
		// dropped: they carry no meaning to match.
		return g.knowledge(ctx, t, placeholderRE.ReplaceAllString(redact(q), " "), ans)
	}
	m, ok := g.cls.cat.Metric(in.Metric)
	if !ok {
		return Answer{}, fmt.Errorf("nlp: %w: metric %q is not in the catalog", ErrInvalid, in.Metric)
	}
	query := &Query{Metric: m.Name, Timeframe: in.Timeframe, Filters: in.Filters, GroupBy: in.GroupBy, Limit: in.Limit,
		AsOf: asOf.Format(time.DateOnly)}
	if query.Timeframe == nil && m.DefaultTimeframe != "" {
		tp, _ := timeframe.New(g.opts.Time)
		if r, ok := tp.Find(m.DefaultTimeframe, asOf); ok {
			query.Timeframe = timeframeOf(r)
		}
	}
	x := &executor{t: t, asOf: asOf, weekStart: g.week, opts: &g.opts}
	res, err := x.run(ctx, query)
	if err != nil {
		return Answer{}, err
	}
	ans.Data = Data{Query: query, Rows: res.rows, Totals: res.totals, Notes: res.notes}
	ans.Sources = res.sources
	ans.Answer = wordAnswer(m, query, res)
	return ans, nil
}

func (g *Gateway) knowledge(ctx context.Context, t Tenant, q string, ans Answer) (Answer, error) {
	if g.opts.Knowledge == nil {
		ans.Answer = "This is a definition or policy question, and no knowledge base is configured for this tenant."
		ans.Data.Notes = []string{"no knowledge base configured"}
		return ans, nil
	}
	chunks, err := g.opts.Knowledge.Search(ctx, t.ID, q, 5)
	if err != nil {
		return Answer{}, err
	}
	rows := make([]map[string]any, 0, len(chunks))
	for _, c := range chunks {
		rows = append(rows, map[string]any{"chunk": c.ID, "document": c.Document, "heading": c.Heading, "text": c.Text, "score": c.Score})
		ans.Sources = append(ans.Sources, Source{Kind: "chunk", Name: c.Document, Chunk: c.ID, Score: c.Score})
	}
	ans.Data.Rows = rows
	ans.Data.Totals = map[string]any{"chunks": len(chunks)}
	if len(chunks) == 0 {
		ans.Answer = "I found nothing about that in this tenant's documents."
		return ans, nil
	}
	ans.Answer = firstSentences(chunks[0].Text, 2) + " [" + chunks[0].ID + "]"
	return ans, nil
}

var placeholderRE = regexp.MustCompile(`<[A-Z_]+>`)

// firstSentences returns up to n sentences of text, Markdown headings
// dropped.
func firstSentences(text string, n int) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		lines = append(lines, strings.TrimLeft(l, "-* "))
	}
	s := strings.Join(lines, " ")
	out, count := []rune{}, 0
	rs := []rune(s)
	for i, r := range rs {
		out = append(out, r)
		if (r == '.' || r == '!' || r == '?') && (i+1 == len(rs) || rs[i+1] == ' ') {
			count++
			if count == n {
				break
			}
		}
	}
	if len(out) > 400 {
		out = append(out[:397], '.', '.', '.')
	}
	return strings.TrimSpace(string(out))
}

// TenantValues reads a tenant's dimension values for filter matching:
// distinct values of each dimension column in its views (at most
// MaxValuesPerDimension each), account names and connection names.
func TenantValues(ctx context.Context, t Tenant) (Values, error) {
	vals := Values{}
	if t.Views != nil {
		for _, spec := range []viewSpec{cloudSpec, oppSpec, acctSpec, invSpec} {
			for dim, col := range spec.columns {
				if dim == "account" {
					continue
				}
				rows, err := t.Views.Aggregate(ctx, spec.view, dcl.AggregateOptions{Func: dcl.AggCount, GroupBy: col})
				if err != nil {
					return nil, fmt.Errorf("nlp: tenant values: %w", err)
				}
				for _, r := range rows {
					if s := toText(r.Group); s != "" && len(vals[dim]) < MaxValuesPerDimension && !contains(vals[dim], s) {
						vals[dim] = append(vals[dim], s)
					}
				}
			}
		}
		rows, err := t.Views.Aggregate(ctx, "accounts", dcl.AggregateOptions{Func: dcl.AggCount, GroupBy: "account_name"})
		if err != nil {
			return nil, fmt.Errorf("nlp: tenant values: %w", err)
		}
		for _, r := range rows {
			if s := toText(r.Group); s != "" && len(vals["account"]) < MaxValuesPerDimension {
				vals["account"] = append(vals["account"], s)
			}
		}
	}
	if t.Platform != nil {
		conns, err := t.Platform.Connections(ctx, t.ID)
		if err != nil {
			return nil, fmt.Errorf("nlp: tenant values: %w", err)
		}
		for _, c := range conns {
			vals["connection"] = append(vals["connection"], c.Name)
		}
	}
	return vals, nil
}

// MaxValuesPerDimension bounds the values TenantValues reads per dimension.
const MaxValuesPerDimension = 500
