package gemini_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// testKey is distinctive so a leak into an error message is unmistakable.
const testKey = "AIzaTEST-secret-key-9f8e7d6c5b4a"

// request is one request the fake service received.
type request struct {
	Method string
	Path   string
	Query  string
	APIKey string
	Body   map[string]any
}

// fakeGemini speaks the Gemini REST wire format (v1beta generateContent,
// embedContent, batchEmbedContents) and records every request.
type fakeGemini struct {
	t   testing.TB
	srv *httptest.Server
	dim int

	mu       sync.Mutex
	requests []request
	// generate answers generateContent; nil answers reply(`{"ok":true}`).
	generate http.HandlerFunc
	// override, when set, answers every request after it is recorded.
	override http.HandlerFunc
	// embedValues overrides the vector of a text, for malformed replies.
	embedValues func(text string) []float32
}

func newFake(t testing.TB, dim int) *fakeGemini {
	t.Helper()
	f := &fakeGemini{t: t, dim: dim}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeGemini) setGenerate(h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.generate = h
}

func (f *fakeGemini) recorded() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.requests...)
}

func (f *fakeGemini) serve(w http.ResponseWriter, r *http.Request) {
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		writeError(w, http.StatusBadRequest, "INVALID_ARGUMENT", "body is not JSON")
		return
	}
	f.mu.Lock()
	f.requests = append(f.requests, request{
		Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
		APIKey: r.Header.Get("x-goog-api-key"), Body: body,
	})
	gen, override := f.generate, f.override
	f.mu.Unlock()
	if override != nil {
		override(w, r)
		return
	}
	if r.Method != http.MethodPost {
		writeError(w, http.StatusMethodNotAllowed, "INVALID_ARGUMENT", "POST only")
		return
	}
	if r.Header.Get("x-goog-api-key") != testKey {
		writeError(w, http.StatusForbidden, "PERMISSION_DENIED", "API key not valid. Please pass a valid API key.")
		return
	}
	switch {
	case strings.HasSuffix(r.URL.Path, ":generateContent"):
		if gen == nil {
			gen = reply(`{"ok":true}`)
		}
		gen(w, r)
	case strings.HasSuffix(r.URL.Path, ":embedContent"):
		text := requestText(body)
		writeJSON(w, map[string]any{"embedding": map[string]any{"values": f.vector(text)}})
	case strings.HasSuffix(r.URL.Path, ":batchEmbedContents"):
		reqs, _ := body["requests"].([]any)
		embs := make([]any, 0, len(reqs))
		for _, rq := range reqs {
			m, _ := rq.(map[string]any)
			embs = append(embs, map[string]any{"values": f.vector(requestText(m))})
		}
		writeJSON(w, map[string]any{"embeddings": embs})
	default:
		writeError(w, http.StatusNotFound, "NOT_FOUND", "no such method")
	}
}

// vector is a deterministic fake embedding of text.
func (f *fakeGemini) vector(text string) []float32 {
	f.mu.Lock()
	override := f.embedValues
	f.mu.Unlock()
	if override != nil {
		return override(text)
	}
	v := make([]float32, f.dim)
	for i := range v {
		h := sha256.Sum256([]byte(fmt.Sprintf("%d\x00%s", i, text)))
		v[i] = float32(binary.BigEndian.Uint32(h[:4])%20001)/10000 - 1 + 1e-4
	}
	return v
}

// requestText reads content.parts[*].text of an embedContent request.
func requestText(body map[string]any) string {
	content, _ := body["content"].(map[string]any)
	parts, _ := content["parts"].([]any)
	var b strings.Builder
	for _, p := range parts {
		m, _ := p.(map[string]any)
		s, _ := m["text"].(string)
		b.WriteString(s)
	}
	return b.String()
}

// reply answers generateContent with one candidate holding text and the
// usage metadata of the documented format.
func reply(text string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"candidates": []any{map[string]any{
				"content":      map[string]any{"role": "model", "parts": []any{map[string]any{"text": text}}},
				"finishReason": "STOP",
				"index":        0,
			}},
			"usageMetadata": map[string]any{"promptTokenCount": 12, "candidatesTokenCount": 7, "totalTokenCount": 19},
		})
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, code int, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "message": msg, "status": status}})
}
