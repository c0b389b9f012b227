package gemini

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/google/generative-ai-go/genai"

	"github.com/autonomos/autonomos/rag"
)

// maxSchemaDepth bounds nesting so a pathological schema cannot exhaust
// the stack.
const maxSchemaDepth = 32

// jsonSchema is the subset of JSON Schema that Gemini's responseSchema can
// express; other keywords (title, minimum, additionalProperties...) are
// ignored, because the model cannot be constrained by them.
type jsonSchema struct {
	Type        json.RawMessage        `json:"type"`
	Format      string                 `json:"format"`
	Description string                 `json:"description"`
	Nullable    bool                   `json:"nullable"`
	Enum        []any                  `json:"enum"`
	Items       *jsonSchema            `json:"items"`
	Properties  map[string]*jsonSchema `json:"properties"`
	Required    []string               `json:"required"`
}

var schemaTypes = map[string]genai.Type{
	"string":  genai.TypeString,
	"number":  genai.TypeNumber,
	"integer": genai.TypeInteger,
	"boolean": genai.TypeBoolean,
	"array":   genai.TypeArray,
	"object":  genai.TypeObject,
}

// convertSchema turns a JSON Schema document into Gemini's Schema. An
// empty document means no schema (nil). Errors wrap rag.ErrInvalid.
func convertSchema(doc json.RawMessage) (*genai.Schema, error) {
	if len(doc) == 0 {
		return nil, nil
	}
	var js jsonSchema
	if err := json.Unmarshal(doc, &js); err != nil {
		return nil, fmt.Errorf("%w: schema is not a JSON Schema object: %v", rag.ErrInvalid, err)
	}
	return js.convert("$", 0)
}

func (js *jsonSchema) convert(path string, depth int) (*genai.Schema, error) {
	if js == nil {
		return nil, fmt.Errorf("%w: schema %s is null", rag.ErrInvalid, path)
	}
	if depth > maxSchemaDepth {
		return nil, fmt.Errorf("%w: schema nests deeper than %d levels", rag.ErrInvalid, maxSchemaDepth)
	}
	s := &genai.Schema{Format: js.Format, Description: js.Description, Nullable: js.Nullable, Required: js.Required}
	typ, nullable, err := js.typeName(path)
	if err != nil {
		return nil, err
	}
	s.Nullable = s.Nullable || nullable
	var ok bool
	if s.Type, ok = schemaTypes[typ]; !ok {
		return nil, fmt.Errorf("%w: schema %s: unsupported type %q", rag.ErrInvalid, path, typ)
	}
	for i, e := range js.Enum {
		str, ok := e.(string)
		if !ok {
			return nil, fmt.Errorf("%w: schema %s: enum value %d is not a string", rag.ErrInvalid, path, i)
		}
		s.Enum = append(s.Enum, str)
	}
	if len(s.Enum) > 0 && s.Format == "" {
		s.Format = "enum"
	}
	if js.Items != nil {
		if s.Items, err = js.Items.convert(path+"[]", depth+1); err != nil {
			return nil, err
		}
	}
	if len(js.Properties) > 0 {
		names := make([]string, 0, len(js.Properties))
		for name := range js.Properties {
			names = append(names, name)
		}
		sort.Strings(names) // deterministic error reporting
		s.Properties = make(map[string]*genai.Schema, len(names))
		for _, name := range names {
			if s.Properties[name], err = js.Properties[name].convert(path+"."+name, depth+1); err != nil {
				return nil, err
			}
		}
	}
	for _, r := range s.Required {
		if _, ok := s.Properties[r]; !ok {
			return nil, fmt.Errorf("%w: schema %s: required property %q is not defined", rag.ErrInvalid, path, r)
		}
	}
	return s, nil
}

// typeName reads "type": a name, or a pair of a name and "null". Without a
// type, properties imply an object and items an array.
func (js *jsonSchema) typeName(path string) (string, bool, error) {
	if len(js.Type) == 0 {
		switch {
		case js.Properties != nil:
			return "object", false, nil
		case js.Items != nil:
			return "array", false, nil
		}
		return "", false, fmt.Errorf("%w: schema %s has no type", rag.ErrInvalid, path)
	}
	var one string
	if err := json.Unmarshal(js.Type, &one); err == nil {
		return one, false, nil
	}
	var many []string
	if err := json.Unmarshal(js.Type, &many); err != nil {
		return "", false, fmt.Errorf("%w: schema %s: type must be a string or an array of strings", rag.ErrInvalid, path)
	}
	var name string
	nullable := false
	for _, t := range many {
		if t == "null" {
			nullable = true
			continue
		}
		if name != "" {
			return "", false, fmt.Errorf("%w: schema %s: a union of types other than null is not supported", rag.ErrInvalid, path)
		}
		name = t
	}
	if name == "" {
		return "", false, fmt.Errorf("%w: schema %s: type has no non-null member", rag.ErrInvalid, path)
	}
	return name, nullable, nil
}
