package nlp

import (
	"encoding/json"
	"time"

	"github.com/autonomos/autonomos/nlp/timeframe"
)

// Kind is what a question asks for.
type Kind string

// The intent kinds (contract).
const (
	// KindMetric: a number from the metric catalog.
	KindMetric Kind = "metric"
	// KindKnowledge: a definition or policy, answered from the tenant's
	// documents with citations.
	KindKnowledge Kind = "knowledge"
	// KindClarify: too vague to answer; suggestions say what can be asked.
	KindClarify Kind = "clarify"
	// KindUnsupported: off-topic, or a request to change data.
	KindUnsupported Kind = "unsupported"
)

// Timeframe is a half-open date range: Start inclusive, End exclusive,
// both YYYY-MM-DD.
type Timeframe struct {
	Start string `json:"start"`
	End   string `json:"end"`
	Label string `json:"label"`
}

func timeframeOf(r timeframe.Range) *Timeframe {
	return &Timeframe{Start: r.Start.Format(time.DateOnly), End: r.End.Format(time.DateOnly), Label: r.Label}
}

// Range returns the timeframe as dates.
func (t Timeframe) Range() (start, end time.Time, err error) {
	if start, err = time.Parse(time.DateOnly, t.Start); err != nil {
		return
	}
	end, err = time.Parse(time.DateOnly, t.End)
	return
}

// Intent is a parsed question (contract JSON: kind, metric, timeframe,
// filters, group_by, confidence). Limit and Suggestions travel with it in
// Go but are not part of its JSON; answers carry them in data.
type Intent struct {
	Kind Kind
	// Metric is a catalog metric name for KindMetric, else empty (JSON null).
	Metric string
	// Timeframe is nil when the question names none.
	Timeframe *Timeframe
	// Filters maps a dimension to a value.
	Filters map[string]string
	// GroupBy lists dimensions, in the order asked.
	GroupBy []string
	// Confidence is 0..1.
	Confidence float64
	// Limit is N of "top N", 0 when not asked.
	Limit int
	// Suggestions are questions to ask instead, for KindClarify and
	// KindUnsupported.
	Suggestions []string
	// Reason says why a question was not a metric or knowledge question.
	Reason string
}

type intentJSON struct {
	Kind       Kind              `json:"kind"`
	Metric     *string           `json:"metric"`
	Timeframe  *Timeframe        `json:"timeframe"`
	Filters    map[string]string `json:"filters"`
	GroupBy    []string          `json:"group_by"`
	Confidence float64           `json:"confidence"`
}

// MarshalJSON writes the contract shape.
func (in Intent) MarshalJSON() ([]byte, error) {
	j := intentJSON{Kind: in.Kind, Timeframe: in.Timeframe, Filters: in.Filters, GroupBy: in.GroupBy, Confidence: in.Confidence}
	if in.Metric != "" {
		m := in.Metric
		j.Metric = &m
	}
	if j.Filters == nil {
		j.Filters = map[string]string{}
	}
	if j.GroupBy == nil {
		j.GroupBy = []string{}
	}
	return json.Marshal(j)
}

// UnmarshalJSON reads the contract shape.
func (in *Intent) UnmarshalJSON(b []byte) error {
	var j intentJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*in = Intent{Kind: j.Kind, Timeframe: j.Timeframe, Filters: j.Filters, GroupBy: j.GroupBy, Confidence: j.Confidence}
	if j.Metric != nil {
		in.Metric = *j.Metric
	}
	return nil
}

// Classification is the answer of Classify (contract JSON: persona,
// persona_confidence, intent). Persona is empty when nothing in the
// question points to one.
type Classification struct {
	Persona           Persona `json:"persona"`
	PersonaConfidence float64 `json:"persona_confidence"`
	Intent            Intent  `json:"intent"`
}
