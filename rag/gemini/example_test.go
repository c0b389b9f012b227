package gemini_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"

	"github.com/autonomos/autonomos/rag/gemini"
)

// A stand-in for the Gemini API, answering generateContent in its wire
// format; in production leave Options.Endpoint empty.
func exampleServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"candidates":[{"content":{"role":"model","parts":[{"text":"{\"canonical_field\":\"account.name\",\"confidence\":0.9}"}]},"finishReason":"STOP"}],
			"usageMetadata":{"promptTokenCount":21,"candidatesTokenCount":9,"totalTokenCount":30}}`)
	}))
}

func ExampleNewLLM() {
	srv := exampleServer()
	defer srv.Close()
	ctx := context.Background()

	llm, err := gemini.NewLLM(ctx, "my-api-key", &gemini.Options{Endpoint: srv.URL})
	if err != nil {
		log.Fatal(err)
	}
	defer llm.Close()

	schema := json.RawMessage(`{"type":"object","properties":{
		"canonical_field":{"type":"string"},"confidence":{"type":"number"}},
		"required":["canonical_field","confidence"]}`)
	out, err := llm.GenerateJSON(ctx, "Which canonical field is the source field CompanyName?", schema)
	if err != nil {
		log.Fatal(err) // errors.Is(err, rag.ErrUnavailable): fall back to the offline decision
	}
	fmt.Println(llm.Model(), string(out))
	// Output: gemini-1.5-flash {"canonical_field":"account.name","confidence":0.9}
}

func ExampleNewEmbedder() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"embeddings":[{"values":[0.1,0.2,0.3]},{"values":[0.3,0.2,0.1]}]}`)
	}))
	defer srv.Close()
	ctx := context.Background()

	e, err := gemini.NewEmbedder(ctx, "my-api-key", &gemini.EmbedderOptions{Endpoint: srv.URL, Dimension: 3})
	if err != nil {
		log.Fatal(err)
	}
	defer e.Close()
	vecs, err := e.Embed(ctx, []string{"Company Name", "Close Date"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Model(), vecs)
	// Output: text-embedding-004 [[0.1 0.2 0.3] [0.3 0.2 0.1]]
}
