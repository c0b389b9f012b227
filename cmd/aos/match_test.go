package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
)

// matchOutput is the CLI contract of `aos match`.
type matchOutput struct {
	Entity           string  `json:"entity"`
	EntityConfidence float64 `json:"entity_confidence"`
	Mappings         []struct {
		SourceField    string          `json:"source_field"`
		CanonicalField string          `json:"canonical_field"`
		Confidence     float64         `json:"confidence"`
		Decision       string          `json:"decision"`
		Evidence       json.RawMessage `json:"evidence"`
	} `json:"mappings"`
	Unmapped []string `json:"unmapped"`
}

func TestMatchFollowsTheContract(t *testing.T) {
	t.Parallel()
	path := "../../testdata/matching/salesforce_account.json"
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	var truth struct {
		Expected struct {
			Entity   string            `json:"entity"`
			Mappings map[string]string `json:"mappings"`
		} `json:"expected"`
	}
	require.NoError(t, json.Unmarshal(raw, &truth))

	code, out, errOut := runCLI(t, "match", "--schema", path)
	require.Equal(t, 0, code, errOut)
	var got matchOutput
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&got), "output has exactly the contract's keys")
	require.Equal(t, truth.Expected.Entity, got.Entity)
	require.Greater(t, got.EntityConfidence, 0.0)
	require.NotNil(t, got.Unmapped)
	targets := map[string]bool{}
	for _, m := range got.Mappings {
		require.Contains(t, []string{"auto", "review", "reject"}, m.Decision)
		require.NotEmpty(t, m.Evidence)
		if m.Decision == "auto" {
			require.GreaterOrEqual(t, m.Confidence, 0.85)
			require.Equal(t, truth.Expected.Mappings[m.SourceField], m.CanonicalField, "auto mapping of %q", m.SourceField)
		}
		if m.Decision != "reject" {
			require.False(t, targets[m.CanonicalField], "canonical field %q claimed twice", m.CanonicalField)
			targets[m.CanonicalField] = true
		}
	}
}

func TestMatchInvalidDocumentsExitTwo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	huge := `{"system":"x","object":"y","fields":[{"name":"a","type":"string","samples":["` + strings.Repeat("x", canonical.MaxSchemaBytes) + `"]}]}`
	cases := map[string]string{
		"no fields":      `{"system":"x","object":"y","fields":[]}`,
		"nameless field": `{"system":"x","object":"y","fields":[{"type":"string"}]}`,
		"duplicate":      `{"system":"x","object":"y","fields":[{"name":"a"},{"name":"a"}]}`,
		"not json":       `{"fields": [`,
		"too large":      huge,
	}
	for name, doc := range cases {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		require.NoError(t, os.WriteFile(path, []byte(doc), 0o644))
		code, out, errOut := runCLI(t, "match", "--schema", path)
		require.Equal(t, 2, code, name)
		require.Empty(t, out, name)
		require.NotEmpty(t, errOut, name)
	}
	code, _, errOut := runCLI(t, "match", "--schema", "../../testdata/matching/stripe_invoice.json", "--entity", "planet")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown entity "planet"`)
	code, _, _ = runCLI(t, "match")
	require.Equal(t, 2, code, "-schema is required")
}

func TestBenchMatchScoresTheDevSet(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "bench", "match", "--dir", "../../testdata/matching")
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, "auto-apply precision")
	require.Contains(t, out, "reliability")
	r := lastResult(t, out)
	require.Equal(t, "match", r.Name)
	require.Equal(t, "recall", r.Unit)
	require.GreaterOrEqual(t, r.Ours, 0.95, "recall at the review threshold on the dev set")
	require.Positive(t, r.Reference)
}
