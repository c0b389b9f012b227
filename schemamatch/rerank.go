package schemamatch

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/autonomos/autonomos/canonical"
)

// The band of raw scores (before calibration) the LLM may re-rank; outside
// it the offline decision is clear enough.
const (
	rerankLow  = 0.5
	rerankHigh = 0.9
	// llmWeight is how much of the LLM's verdict is blended in.
	llmWeight = 0.4
)

// rerankSchema is the JSON schema of the LLM's answer.
var rerankSchema = json.RawMessage(`{"type":"object","properties":{"choice":{"type":"string"},"confidence":{"type":"number","minimum":0,"maximum":1}},"required":["choice","confidence"]}`)

type llmAnswer struct {
	Choice     string   `json:"choice"`
	Confidence *float64 `json:"confidence"`
}

// rerank asks the LLM about assigned pairs whose confidence is ambiguous
// and blends its verdict in. It may move a field to another candidate the
// offline matcher ranked, never to a type-incompatible one; any error
// keeps the offline decision.
func (m *Matcher) rerank(ctx context.Context, schema canonical.SourceSchema, src []*sourceInfo, pl *entityPlan) {
	calls := 0
	owner := map[int]int{}
	for i, c := range pl.assigned {
		if c != nil {
			owner[c.dst] = i
		}
	}
	for i, c := range pl.assigned {
		if c == nil || c.final < rerankLow || c.final > rerankHigh {
			continue
		}
		if calls >= m.maxLLMCalls || ctx.Err() != nil {
			return
		}
		calls++
		cands := pl.topCandidates(i, 3)
		verdict := &LLMVerdict{Model: m.llm.Model()}
		ans, err := m.askLLM(ctx, schema, src[i], pl.em, cands)
		if err != nil {
			verdict.Error = errorText(err)
			c.ev.LLM = verdict
			continue
		}
		verdict.Choice, verdict.Confidence = ans.Choice, round3(*ans.Confidence)
		llmConf := *ans.Confidence
		current := pl.em.fields[c.dst].field.Name
		switch {
		case ans.Choice == current:
			if c.ev.TypeCompatible && !c.ev.incompatible {
				c.final = (1-llmWeight)*c.final + llmWeight*llmConf
				verdict.Applied = true
			}
		case ans.Choice == "none" || ans.Choice == "":
			c.final *= 1 - llmWeight*llmConf
			verdict.Applied = true
		default:
			alt := pl.findCandidate(ans.Choice, cands)
			if alt != nil && alt.ev.TypeCompatible && !alt.ev.incompatible {
				if _, taken := owner[alt.dst]; !taken {
					delete(owner, c.dst)
					alt.final = (1-llmWeight)*alt.p + llmWeight*llmConf
					alt.ev.LLM = verdict
					verdict.Applied = true
					pl.assigned[i] = alt
					owner[alt.dst] = i
					continue
				}
			}
			// The LLM disagrees with a choice it cannot replace: less sure.
			c.final *= 1 - llmWeight*llmConf/2
			verdict.Applied = true
		}
		c.ev.LLM = verdict
	}
}

// topCandidates returns the source field's best-scored pairs.
func (pl *entityPlan) topCandidates(i, k int) []*candidate {
	row := make([]*candidate, len(pl.matrix[i]))
	for j := range pl.matrix[i] {
		row[j] = &pl.matrix[i][j]
	}
	sort.SliceStable(row, func(a, b int) bool { return row[a].p > row[b].p })
	if len(row) > k {
		row = row[:k]
	}
	if a := pl.assigned[i]; a != nil {
		found := false
		for _, c := range row {
			found = found || c == a
		}
		if !found {
			row = append(row, a)
		}
	}
	return row
}

func (pl *entityPlan) findCandidate(name string, shown []*candidate) *candidate {
	for _, c := range shown {
		if pl.em.fields[c.dst].field.Name == name {
			return c
		}
	}
	return nil
}

func (m *Matcher) askLLM(ctx context.Context, schema canonical.SourceSchema, s *sourceInfo, em *entityModel, cands []*candidate) (*llmAnswer, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "You map fields of a source system to a canonical %q entity.\n", em.name)
	fmt.Fprintf(&b, "Source system %q, object %q, field %q, declared type %q.\n", schema.System, schema.Object, s.field.Name, s.field.Type)
	if len(s.field.Samples) > 0 {
		n := min(len(s.field.Samples), 5)
		samples, _ := json.Marshal(s.field.Samples[:n])
		fmt.Fprintf(&b, "Sample values: %s\n", samples)
	}
	b.WriteString("Candidate canonical fields:\n")
	for _, c := range cands {
		f := em.fields[c.dst].field
		fmt.Fprintf(&b, "- %s (%s): %s\n", f.Name, f.Type, f.Description)
	}
	b.WriteString(`Answer with JSON {"choice": "<one candidate name, or none>", "confidence": <0..1>}.`)
	raw, err := m.llm.GenerateJSON(ctx, b.String(), rerankSchema)
	if err != nil {
		return nil, err
	}
	var ans llmAnswer
	if err := json.Unmarshal(raw, &ans); err != nil {
		return nil, fmt.Errorf("%w: llm answer: %v", ErrInvalid, err)
	}
	if ans.Confidence == nil || *ans.Confidence < 0 || *ans.Confidence > 1 {
		return nil, fmt.Errorf("%w: llm answer: confidence missing or outside 0..1", ErrInvalid)
	}
	ans.Choice = strings.TrimSpace(ans.Choice)
	if ans.Choice != "none" && ans.Choice != "" {
		known := false
		for _, c := range cands {
			known = known || em.fields[c.dst].field.Name == ans.Choice
		}
		if !known {
			return nil, fmt.Errorf("%w: llm answer: choice %q is not a candidate", ErrInvalid, ans.Choice)
		}
	}
	return &ans, nil
}
