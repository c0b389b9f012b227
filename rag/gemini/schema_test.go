package gemini

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/generative-ai-go/genai"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/rag"
)

func TestConvertSchema(t *testing.T) {
	t.Parallel()
	s, err := convertSchema(json.RawMessage(`{"properties":{"xs":{"items":{"type":"integer","format":"int64"}},
		"kind":{"type":["string","null"],"enum":["a","b"]}},"required":["xs"],"additionalProperties":false}`))
	require.NoError(t, err)
	require.Equal(t, &genai.Schema{
		Type:     genai.TypeObject,
		Required: []string{"xs"},
		Properties: map[string]*genai.Schema{
			"xs":   {Type: genai.TypeArray, Items: &genai.Schema{Type: genai.TypeInteger, Format: "int64"}},
			"kind": {Type: genai.TypeString, Nullable: true, Enum: []string{"a", "b"}, Format: "enum"},
		},
	}, s)
	s, err = convertSchema(nil)
	require.NoError(t, err)
	require.Nil(t, s)
}

// FuzzConvertSchema checks that any document either converts or fails with
// rag.ErrInvalid, never panics, and that a converted schema is well formed.
func FuzzConvertSchema(f *testing.F) {
	for _, seed := range []string{
		`{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`,
		`{"type":["number","null"]}`,
		`{"items":{"items":{"type":"boolean"}}}`,
		`{"type":"string","enum":["x",1]}`,
		`{"type":{}}`,
		`[]`,
		`null`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		s, err := convertSchema(doc)
		if err != nil {
			if !errors.Is(err, rag.ErrInvalid) {
				t.Fatalf("error %v does not wrap rag.ErrInvalid", err)
			}
			return
		}
		var check func(*genai.Schema, int)
		check = func(s *genai.Schema, depth int) {
			if s == nil {
				return
			}
			if depth > maxSchemaDepth+1 {
				t.Fatalf("schema deeper than %d", maxSchemaDepth)
			}
			if s.Type < genai.TypeString || s.Type > genai.TypeObject {
				t.Fatalf("unexpected type %v", s.Type)
			}
			for _, r := range s.Required {
				if s.Properties[r] == nil {
					t.Fatalf("required %q without property", r)
				}
			}
			check(s.Items, depth+1)
			for _, p := range s.Properties {
				check(p, depth+1)
			}
		}
		check(s, 0)
	})
}
