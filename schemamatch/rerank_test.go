package schemamatch_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/schemamatch"
)

// fakeLLM answers every prompt with a function of it.
type fakeLLM struct {
	answer func(ctx context.Context, prompt string) (json.RawMessage, error)
	calls  atomic.Int64
}

func (f *fakeLLM) Model() string { return "fake-llm" }

func (f *fakeLLM) GenerateJSON(ctx context.Context, prompt string, schema json.RawMessage) (json.RawMessage, error) {
	f.calls.Add(1)
	if !json.Valid(schema) {
		return nil, fmt.Errorf("%w: schema is not JSON", schemamatch.ErrInvalid)
	}
	return f.answer(ctx, prompt)
}

// ambiguous has a field the offline matcher is unsure about.
var ambiguous = canonical.SourceSchema{System: "crm", Object: "Opportunity", Fields: []canonical.SourceField{
	{Name: "Name", Type: canonical.TypeString, Samples: []any{"Acme renewal"}},
	{Name: "Amount", Type: canonical.TypeNumber, Samples: []any{1200.5}},
	{Name: "StageCode", Type: canonical.TypeString, Samples: []any{"S1", "S4"}},
	{Name: "CloseDate", Type: canonical.TypeDate, Samples: []any{"2025-01-31"}},
}}

func matchField(t *testing.T, m *schemamatch.Matcher, src string) schemamatch.FieldMatch {
	t.Helper()
	res, err := m.Match(context.Background(), ambiguous, nil)
	require.NoError(t, err)
	for _, f := range res.Mappings {
		if f.SourceField == src {
			return f
		}
	}
	t.Fatalf("no mapping for %s", src)
	return schemamatch.FieldMatch{}
}

func TestLLMRerank(t *testing.T) {
	t.Parallel()
	offline := matchField(t, newMatcher(t, nil), "StageCode")
	require.Equal(t, "stage", offline.CanonicalField)
	// The LLM band (0.5-0.9) applies to the score before calibration,
	// which lifts it a little.
	require.GreaterOrEqual(t, offline.Confidence, 0.5)
	require.LessOrEqual(t, offline.Confidence, 0.95)

	t.Run("agreement raises confidence", func(t *testing.T) {
		t.Parallel()
		llm := &fakeLLM{answer: func(_ context.Context, prompt string) (json.RawMessage, error) {
			require.Contains(t, prompt, "StageCode")
			return json.RawMessage(`{"choice":"stage","confidence":0.99}`), nil
		}}
		f := matchField(t, newMatcher(t, &schemamatch.MatcherOptions{LLM: llm}), "StageCode")
		require.Equal(t, "stage", f.CanonicalField)
		require.Greater(t, f.Confidence, offline.Confidence)
		require.NotNil(t, f.Evidence.LLM)
		require.True(t, f.Evidence.LLM.Applied)
		require.Equal(t, "fake-llm", f.Evidence.LLM.Model)
		require.Positive(t, llm.calls.Load())
	})
	t.Run("none lowers confidence", func(t *testing.T) {
		t.Parallel()
		llm := &fakeLLM{answer: func(context.Context, string) (json.RawMessage, error) {
			return json.RawMessage(`{"choice":"none","confidence":0.9}`), nil
		}}
		f := matchField(t, newMatcher(t, &schemamatch.MatcherOptions{LLM: llm}), "StageCode")
		require.Less(t, f.Confidence, offline.Confidence)
	})
	t.Run("timeout keeps the offline decision", func(t *testing.T) {
		t.Parallel()
		llm := &fakeLLM{answer: func(ctx context.Context, _ string) (json.RawMessage, error) {
			tctx, cancel := context.WithTimeout(ctx, time.Millisecond)
			defer cancel()
			<-tctx.Done()
			return nil, fmt.Errorf("%w: %w", rag.ErrUnavailable, tctx.Err())
		}}
		f := matchField(t, newMatcher(t, &schemamatch.MatcherOptions{LLM: llm}), "StageCode")
		require.Equal(t, offline.CanonicalField, f.CanonicalField)
		require.Equal(t, offline.Confidence, f.Confidence)
		require.Equal(t, offline.Decision, f.Decision)
		require.Contains(t, f.Evidence.LLM.Error, "deadline")
		require.False(t, f.Evidence.LLM.Applied)
	})
	for name, reply := range map[string]string{
		"garbage":          `not json at all`,
		"no confidence":    `{"choice":"stage"}`,
		"out of range":     `{"choice":"stage","confidence":7}`,
		"unknown field":    `{"choice":"warp_drive","confidence":0.9}`,
		"wrong json shape": `[1,2,3]`,
	} {
		t.Run(name+" keeps the offline decision", func(t *testing.T) {
			t.Parallel()
			llm := &fakeLLM{answer: func(context.Context, string) (json.RawMessage, error) {
				return json.RawMessage(reply), nil
			}}
			f := matchField(t, newMatcher(t, &schemamatch.MatcherOptions{LLM: llm}), "StageCode")
			require.Equal(t, offline.Confidence, f.Confidence)
			require.Equal(t, offline.CanonicalField, f.CanonicalField)
			require.NotEmpty(t, f.Evidence.LLM.Error)
		})
	}
	t.Run("never moves to a type-incompatible field", func(t *testing.T) {
		t.Parallel()
		llm := &fakeLLM{answer: func(_ context.Context, prompt string) (json.RawMessage, error) {
			// Pick a boolean field when it is offered.
			for _, f := range []string{"is_won", "is_closed", "probability", "amount"} {
				if strings.Contains(prompt, "- "+f+" ") {
					return json.RawMessage(`{"choice":"` + f + `","confidence":1}`), nil
				}
			}
			return json.RawMessage(`{"choice":"none","confidence":0.1}`), nil
		}}
		f := matchField(t, newMatcher(t, &schemamatch.MatcherOptions{LLM: llm}), "StageCode")
		require.NotContains(t, []string{"is_won", "is_closed", "probability", "amount"}, f.CanonicalField)
	})
	t.Run("sure mappings are not asked about", func(t *testing.T) {
		t.Parallel()
		llm := &fakeLLM{answer: func(_ context.Context, prompt string) (json.RawMessage, error) {
			require.NotContains(t, prompt, `field "CloseDate"`)
			return json.RawMessage(`{"choice":"none","confidence":0.5}`), nil
		}}
		f := matchField(t, newMatcher(t, &schemamatch.MatcherOptions{LLM: llm}), "CloseDate")
		require.Nil(t, f.Evidence.LLM)
	})
}
