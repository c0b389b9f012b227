package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
)

func TestUnifyListMergeSplit(t *testing.T) {
	t.Parallel()
	data := testenv.DataDir(t)
	ingest(t, "--data-dir", data, "--tenant", "demo", "--files", "../../testdata/demo/crm", "--mapping", "../../testdata/demo/mapping.json")
	base := []string{"--data-dir", data, "--tenant", "demo"}
	list := func(extra ...string) (clusters []map[string]any, other []map[string]any) {
		code, out, errOut := runCLI(t, append(append([]string{"unify", "list"}, base...), extra...)...)
		require.Equal(t, 0, code, errOut)
		for _, row := range jsonLines(t, out) {
			if row["type"] == "cluster" {
				clusters = append(clusters, row)
			} else {
				other = append(other, row)
			}
		}
		return clusters, other
	}
	ref := func(c map[string]any, i int) string {
		m := c["members"].([]any)[i].(map[string]any)
		return m["connection_id"].(string) + "/" + m["record_id"].(string)
	}
	all, _ := list("--all")
	require.GreaterOrEqual(t, len(all), 2)
	var singles []string
	for _, c := range all {
		if len(c["members"].([]any)) == 1 {
			singles = append(singles, ref(c, 0))
		}
	}
	require.GreaterOrEqual(t, len(singles), 2)
	a, b := singles[0], singles[1]
	together := func() bool {
		cs, _ := list()
		for _, c := range cs {
			var ms []string
			for i := range c["members"].([]any) {
				ms = append(ms, ref(c, i))
			}
			j := strings.Join(ms, " ")
			if strings.Contains(j, a) && strings.Contains(j, b) {
				return true
			}
		}
		return false
	}
	require.False(t, together())
	code, out, errOut := runCLI(t, append(append([]string{"unify", "merge"}, base...), a, b)...)
	require.Equal(t, 0, code, errOut)
	require.Contains(t, out, `"must_link"`)
	require.True(t, together())
	_, other := list()
	require.Equal(t, "decision", other[len(other)-1]["type"])
	code, _, errOut = runCLI(t, append(append([]string{"unify", "split"}, base...), a, b)...)
	require.Equal(t, 0, code, errOut)
	require.False(t, together())

	for name, args := range map[string][]string{
		"no action":   {"unify"},
		"bad action":  {"unify", "fuse", "--data-dir", data, "--tenant", "demo"},
		"one record":  append([]string{"unify", "merge", "--data-dir", data, "--tenant", "demo"}, a),
		"bad record":  {"unify", "merge", "--data-dir", data, "--tenant", "demo", "nope", a},
		"same record": {"unify", "split", "--data-dir", data, "--tenant", "demo", a, a},
		"bad entity":  {"unify", "list", "--data-dir", data, "--tenant", "demo", "--entity", "deal"},
	} {
		code, _, errOut := runCLI(t, args...)
		require.Equal(t, 2, code, "%s: %s", name, errOut)
	}
}

func TestBenchUnify(t *testing.T) {
	t.Parallel()
	code, out, errOut := runCLI(t, "bench", "unify", "--dir", "../../internal/unifybench/testdata/heldout")
	require.Equal(t, 0, code, errOut)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 3)
	var last struct {
		Name      string  `json:"name"`
		Ours      float64 `json:"ours"`
		Reference float64 `json:"reference"`
		Unit      string  `json:"unit"`
		Ratio     float64 `json:"ratio"`
		N         int     `json:"n"`
	}
	require.NoError(t, json.Unmarshal([]byte(lines[2]), &last))
	require.Equal(t, "unify", last.Name)
	require.Equal(t, "f1", last.Unit)
	require.Greater(t, last.Ours, last.Reference)
	require.Positive(t, last.N)
	code, _, _ = runCLI(t, "bench", "unify", "--dir", t.TempDir())
	require.Equal(t, 2, code, "a directory without the files")
}
