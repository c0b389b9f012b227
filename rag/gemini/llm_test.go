package gemini_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/rag"
	"github.com/autonomos/autonomos/rag/gemini"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const matchSchema = `{
	"type": "object",
	"properties": {
		"canonical_field": {"type": "string", "description": "the chosen field"},
		"confidence": {"type": "number"},
		"alternatives": {"type": "array", "items": {"type": "string"}},
		"decision": {"type": "string", "enum": ["auto", "review", "reject"]},
		"note": {"type": ["string", "null"]}
	},
	"required": ["canonical_field", "confidence"]
}`

func setupLLM(t *testing.T, f *fakeGemini, opts *gemini.Options) *gemini.LLM {
	t.Helper()
	var o gemini.Options
	if opts != nil {
		o = *opts
	}
	o.Endpoint = f.srv.URL
	o.HTTPClient = f.srv.Client()
	llm, err := gemini.NewLLM(testenv.Context(t), testKey, &o)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, llm.Close()) })
	return llm
}

func TestGenerateJSONSendsConstrainedRequest(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(reply("  {\"canonical_field\": \"account.name\",\n \"confidence\": 0.91}\n"))
	llm := setupLLM(t, f, &gemini.Options{Model: "gemini-2.0-flash"})
	require.Equal(t, "gemini-2.0-flash", llm.Model())

	out, err := llm.GenerateJSON(testenv.Context(t), "Map CompanyName to a canonical field.", json.RawMessage(matchSchema))
	require.NoError(t, err)
	require.Equal(t, `{"canonical_field":"account.name","confidence":0.91}`, string(out), "the reply, compacted")

	reqs := f.recorded()
	require.Len(t, reqs, 1)
	r := reqs[0]
	require.Equal(t, "/v1beta/models/gemini-2.0-flash:generateContent", r.Path)
	require.Equal(t, testKey, r.APIKey, "the key travels in the x-goog-api-key header")
	require.NotContains(t, r.Query, "key=", "the key is never in the URL")

	contents := r.Body["contents"].([]any)
	require.Len(t, contents, 1)
	part := contents[0].(map[string]any)["parts"].([]any)[0].(map[string]any)
	require.Equal(t, "Map CompanyName to a canonical field.", part["text"])

	gc := r.Body["generationConfig"].(map[string]any)
	require.Equal(t, "application/json", gc["responseMimeType"])
	require.EqualValues(t, 0, gc["temperature"])
	rs := gc["responseSchema"].(map[string]any)
	requireType(t, "OBJECT", rs["type"])
	require.ElementsMatch(t, []any{"canonical_field", "confidence"}, rs["required"])
	props := rs["properties"].(map[string]any)
	require.Len(t, props, 5)
	requireType(t, "STRING", props["canonical_field"].(map[string]any)["type"])
	require.Equal(t, "the chosen field", props["canonical_field"].(map[string]any)["description"])
	requireType(t, "NUMBER", props["confidence"].(map[string]any)["type"])
	alts := props["alternatives"].(map[string]any)
	requireType(t, "ARRAY", alts["type"])
	requireType(t, "STRING", alts["items"].(map[string]any)["type"])
	dec := props["decision"].(map[string]any)
	require.Equal(t, []any{"auto", "review", "reject"}, dec["enum"])
	require.Equal(t, "enum", dec["format"])
	require.Equal(t, true, props["note"].(map[string]any)["nullable"])
}

// requireType accepts the protobuf Type enum in either JSON spelling: the
// client sends numbers (enum-encoding=int), the documentation shows names.
func requireType(t *testing.T, name string, got any) {
	t.Helper()
	numbers := map[string]float64{"STRING": 1, "NUMBER": 2, "INTEGER": 3, "BOOLEAN": 4, "ARRAY": 5, "OBJECT": 6}
	switch v := got.(type) {
	case float64:
		require.Equal(t, numbers[name], v, "type %s", name)
	default:
		require.Equal(t, name, v)
	}
}

func TestGenerateJSONWithoutSchema(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(reply(`[1, 2, 3]`))
	llm := setupLLM(t, f, nil)
	require.Equal(t, gemini.DefaultModel, llm.Model())
	out, err := llm.GenerateJSON(testenv.Context(t), "three numbers", nil)
	require.NoError(t, err)
	require.Equal(t, `[1,2,3]`, string(out))
	gc := f.recorded()[0].Body["generationConfig"].(map[string]any)
	require.Equal(t, "application/json", gc["responseMimeType"])
	require.NotContains(t, gc, "responseSchema")
}

func TestGarbageReplyIsInvalid(t *testing.T) {
	t.Parallel()
	for name, text := range map[string]string{
		"prose":     "Sure! The best match is account.name.",
		"truncated": `{"canonical_field": "account.na`,
		"empty":     "",
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t, 8)
			f.setGenerate(reply(text))
			llm := setupLLM(t, f, nil)
			_, err := llm.GenerateJSON(testenv.Context(t), "map it", json.RawMessage(matchSchema))
			require.ErrorIs(t, err, rag.ErrInvalid)
			require.NotErrorIs(t, err, rag.ErrUnavailable)
			require.ErrorContains(t, err, "not valid JSON")
		})
	}
}

func TestNoCandidateIsInvalid(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"candidates": []any{}, "usageMetadata": map[string]any{"promptTokenCount": 3}})
	})
	llm := setupLLM(t, f, nil)
	_, err := llm.GenerateJSON(testenv.Context(t), "map it", nil)
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorContains(t, err, "no candidate")
}

func TestSlowServerTimesOut(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done() // never answers; released when the client gives up
	})
	llm := setupLLM(t, f, &gemini.Options{Timeout: 150 * time.Millisecond})
	start := time.Now()
	_, err := llm.GenerateJSON(testenv.Context(t), "map it", nil)
	require.ErrorIs(t, err, rag.ErrUnavailable)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 10*time.Second, "the call returns once its timeout expires")
	require.NotContains(t, err.Error(), testKey)
}

func TestServerErrorIsUnavailable(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusInternalServerError, "INTERNAL", "backend exploded")
	})
	llm := setupLLM(t, f, nil)
	_, err := llm.GenerateJSON(testenv.Context(t), "map it", nil)
	require.ErrorIs(t, err, rag.ErrUnavailable)
	require.ErrorContains(t, err, "backend exploded")
}

func TestBadRequestIsInvalid(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "schema not supported")
	})
	llm := setupLLM(t, f, &gemini.Options{Breaker: gemini.BreakerOptions{ConsecutiveFailures: 2}})
	for i := 0; i < 3; i++ {
		_, err := llm.GenerateJSON(testenv.Context(t), "map it", nil)
		require.ErrorIs(t, err, rag.ErrInvalid)
	}
	require.Len(t, f.recorded(), 3, "a rejected request is not a service failure: the breaker stays closed")
}

func TestBreakerOpensAfterConsecutiveFailures(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusInternalServerError, "INTERNAL", "down")
	})
	reg := prometheus.NewRegistry()
	llm := setupLLM(t, f, &gemini.Options{
		Breaker: gemini.BreakerOptions{ConsecutiveFailures: 3, OpenFor: time.Hour},
		Metrics: reg,
	})
	ctx := testenv.Context(t)
	for i := 0; i < 3; i++ {
		_, err := llm.GenerateJSON(ctx, "map it", nil)
		require.ErrorIs(t, err, rag.ErrUnavailable)
		require.NotContains(t, err.Error(), "breaker")
	}
	require.Len(t, f.recorded(), 3)

	f.setGenerate(reply(`{"ok":true}`)) // the service recovers, but the breaker is open
	for i := 0; i < 5; i++ {
		_, err := llm.GenerateJSON(ctx, "map it", nil)
		require.ErrorIs(t, err, rag.ErrUnavailable)
		require.ErrorContains(t, err, "circuit breaker open")
	}
	require.Len(t, f.recorded(), 3, "an open breaker sends no request")
	require.Equal(t, 3.0, counterValue(t, reg, "aos_gemini_calls_total", map[string]string{"operation": "generate", "outcome": "unavailable"}))
	require.Equal(t, 5.0, counterValue(t, reg, "aos_gemini_calls_total", map[string]string{"operation": "generate", "outcome": "breaker_open"}))
}

func TestBreakerRecoversAfterOpenFor(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusInternalServerError, "INTERNAL", "down")
	})
	llm := setupLLM(t, f, &gemini.Options{Breaker: gemini.BreakerOptions{ConsecutiveFailures: 1, OpenFor: 50 * time.Millisecond}})
	ctx := testenv.Context(t)
	_, err := llm.GenerateJSON(ctx, "map it", nil)
	require.ErrorIs(t, err, rag.ErrUnavailable)
	f.setGenerate(reply(`{"ok":true}`))
	require.Eventually(t, func() bool {
		out, err := llm.GenerateJSON(ctx, "map it", nil)
		return err == nil && string(out) == `{"ok":true}`
	}, 5*time.Second, 20*time.Millisecond, "a trial call after OpenFor closes the breaker")
}

func TestCallerCancellationDoesNotTripBreaker(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	started := make(chan struct{}, 16)
	f.setGenerate(func(w http.ResponseWriter, r *http.Request) {
		started <- struct{}{}
		<-r.Context().Done()
	})
	reg := prometheus.NewRegistry()
	llm := setupLLM(t, f, &gemini.Options{Breaker: gemini.BreakerOptions{ConsecutiveFailures: 2}, Metrics: reg})
	for i := 0; i < 4; i++ {
		ctx, cancel := context.WithCancel(testenv.Context(t))
		go func() {
			<-started
			cancel()
		}()
		_, err := llm.GenerateJSON(ctx, "map it", nil)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, rag.ErrUnavailable)
		cancel()
	}
	f.setGenerate(reply(`{"ok":true}`))
	out, err := llm.GenerateJSON(testenv.Context(t), "map it", nil)
	require.NoError(t, err, "four cancelled calls did not open a breaker that opens after two failures")
	require.Equal(t, `{"ok":true}`, string(out))
	require.Equal(t, 4.0, counterValue(t, reg, "aos_gemini_calls_total", map[string]string{"outcome": "canceled"}))
}

func TestTokenTelemetry(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(reply(`{"ok":true}`)) // usage: 12 prompt, 7 candidates
	reg := prometheus.NewRegistry()
	llm := setupLLM(t, f, &gemini.Options{Metrics: reg})
	ctx := testenv.Context(t)
	for i := 0; i < 3; i++ {
		_, err := llm.GenerateJSON(ctx, "map it", nil)
		require.NoError(t, err)
	}
	f.setGenerate(reply(`not json`)) // tokens are spent even on a useless reply
	_, err := llm.GenerateJSON(ctx, "map it", nil)
	require.ErrorIs(t, err, rag.ErrInvalid)

	model := map[string]string{"model": gemini.DefaultModel}
	require.Equal(t, 48.0, counterValue(t, reg, "aos_gemini_tokens_total", with(model, "kind", "prompt")))
	require.Equal(t, 28.0, counterValue(t, reg, "aos_gemini_tokens_total", with(model, "kind", "candidates")))
	require.Equal(t, 3.0, counterValue(t, reg, "aos_gemini_calls_total", with(model, "outcome", "ok")))
	require.Equal(t, 1.0, counterValue(t, reg, "aos_gemini_calls_total", with(model, "outcome", "invalid")))
	require.Equal(t, uint64(4), histogramCount(t, reg, "aos_gemini_call_duration_seconds", map[string]string{"operation": "generate"}))
}

func TestAPIKeyNeverInErrors(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	llm := setupLLM(t, f, &gemini.Options{Timeout: 100 * time.Millisecond, Breaker: gemini.BreakerOptions{ConsecutiveFailures: 100}})
	ctx := testenv.Context(t)
	handlers := map[string]http.HandlerFunc{
		"garbage": reply("nope"),
		"500":     func(w http.ResponseWriter, r *http.Request) { writeError(w, 500, "INTERNAL", "x") },
		"echo": func(w http.ResponseWriter, r *http.Request) {
			// A misbehaving proxy that echoes the key in its error.
			writeError(w, 502, "UNAVAILABLE", "bad key "+r.Header.Get("x-goog-api-key"))
		},
		"slow": func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
	}
	for name, h := range handlers {
		f.setGenerate(h)
		_, err := llm.GenerateJSON(ctx, "map it", nil)
		require.Error(t, err, name)
		require.NotContains(t, err.Error(), testKey, name)
		require.NotContains(t, err.Error(), "secret-key", name)
	}
	for _, r := range f.recorded() {
		require.NotContains(t, r.Path+"?"+r.Query, testKey)
	}

	// The transport failure of an unreachable endpoint does not show it either.
	dead := newFake(t, 8)
	dead.srv.Close()
	llm2, err := gemini.NewLLM(ctx, testKey, &gemini.Options{Endpoint: dead.srv.URL, Timeout: time.Second})
	require.NoError(t, err)
	defer llm2.Close()
	_, err = llm2.GenerateJSON(ctx, "map it", nil)
	require.ErrorIs(t, err, rag.ErrUnavailable)
	require.NotContains(t, err.Error(), testKey)
}

func TestNewLLMValidates(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	_, err := gemini.NewLLM(ctx, "", nil)
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.ErrorContains(t, err, "apiKey")
	for field, o := range map[string]gemini.Options{
		"Options.Timeout":         {Timeout: -time.Second},
		"Options.Endpoint":        {Endpoint: "not a url"},
		"Options.Breaker.OpenFor": {Breaker: gemini.BreakerOptions{OpenFor: -1}},
	} {
		_, err := gemini.NewLLM(ctx, testKey, &o)
		require.ErrorIs(t, err, rag.ErrInvalid, field)
		require.ErrorContains(t, err, field)
		require.NotContains(t, err.Error(), testKey)
	}
}

func TestInvalidArgumentsSendNothing(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	llm := setupLLM(t, f, nil)
	ctx := testenv.Context(t)
	_, err := llm.GenerateJSON(ctx, "  ", nil)
	require.ErrorIs(t, err, rag.ErrInvalid)
	for _, schema := range []string{
		`not json`,
		`{"type": "date"}`,
		`{"type": ["string", "integer"]}`,
		`{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["b"]}`,
		`{"type": "string", "enum": [1, 2]}`,
		`{"description": "no type"}`,
		`{"type": "object", "properties": {"a": null}}`,
	} {
		_, err := llm.GenerateJSON(ctx, "map it", json.RawMessage(schema))
		require.ErrorIs(t, err, rag.ErrInvalid, schema)
	}
	deep := strings.Repeat(`{"type":"array","items":`, 40) + `{"type":"string"}` + strings.Repeat(`}`, 40)
	_, err = llm.GenerateJSON(ctx, "map it", json.RawMessage(deep))
	require.ErrorIs(t, err, rag.ErrInvalid)
	require.Empty(t, f.recorded())
}

func TestConcurrentCalls(t *testing.T) {
	t.Parallel()
	f := newFake(t, 8)
	f.setGenerate(reply(`{"ok":true}`))
	llm := setupLLM(t, f, nil)
	ctx := testenv.Context(t)
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		go func() {
			_, err := llm.GenerateJSON(ctx, "map it", nil)
			errs <- err
		}()
	}
	for i := 0; i < 16; i++ {
		require.NoError(t, <-errs)
	}
	require.Len(t, f.recorded(), 16)
}
