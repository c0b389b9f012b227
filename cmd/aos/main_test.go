package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// runCLI runs the CLI in-process and returns its exit code and outputs.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// specDoc is the part of canonical.json the CLI must reproduce exactly.
type specDoc struct {
	Version  int               `json:"version"`
	Types    map[string]string `json:"types"`
	Entities map[string]struct {
		Fields map[string]struct {
			Type     string `json:"type"`
			Required bool   `json:"required"`
			Ref      string `json:"ref"`
		} `json:"fields"`
	} `json:"entities"`
}

func TestCanonicalMatchesSpec(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "canonical")
	require.Equal(t, 0, code, errOut)

	want, err := os.ReadFile("../../canonical/testdata/canonical.json")
	require.NoError(t, err)
	var got, spec specDoc
	require.NoError(t, json.Unmarshal([]byte(out), &got))
	require.NoError(t, json.Unmarshal(want, &spec))
	require.Equal(t, spec.Version, got.Version)
	require.Equal(t, keys(spec.Types), keys(got.Types), "types")
	require.Equal(t, spec.Entities, got.Entities, "entities, fields, types, required flags and refs")
}

func keys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func TestVersion(t *testing.T) {
	t.Parallel()
	code, out, _ := runCLI(t, "version")
	require.Equal(t, 0, code)
	require.Equal(t, "aos "+Version+"\n", out)
}

func TestUsageErrorsExitTwo(t *testing.T) {
	t.Parallel()
	code, _, errOut := runCLI(t, "no-such-command")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, `unknown command "no-such-command"`)

	code, _, _ = runCLI(t)
	require.Equal(t, 2, code, "no command is a usage error")

	code, _, errOut = runCLI(t, "canonical", "extra")
	require.Equal(t, 2, code)
	require.Contains(t, errOut, "takes no arguments")
}
