package schemamatch_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/schemamatch"
)

func schemaFiles(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, g := range []string{"../testdata/matching/*.json", "testdata/schemas/*.json"} {
		ps, err := filepath.Glob(g)
		require.NoError(t, err)
		out = append(out, ps...)
	}
	require.NotEmpty(t, out)
	return out
}

// TestGeneralization runs the matcher on synthetic schemas of systems the
// development set does not have (HubSpot, Dynamics, Zoho, Pipedrive,
// Chargebee, Zuora, Xero, QuickBooks, NetSuite, AWS CUR, Azure, GCP, FOCUS
// from another provider, CSV exports, legacy upper-case tables) and checks
// the entity and that every expected mapping is proposed (auto or review)
// with no field mapped that should stay unmapped, allowing one miss per
// file.
func TestGeneralization(t *testing.T) {
	t.Parallel()
	m := newMatcher(t, nil)
	paths, err := filepath.Glob("testdata/schemas/*.json")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(paths), 15)
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			t.Parallel()
			s := loadSchema(t, p)
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			var doc struct {
				Expected struct {
					Entity   string            `json:"entity"`
					Mappings map[string]string `json:"mappings"`
				} `json:"expected"`
			}
			require.NoError(t, json.Unmarshal(b, &doc))
			res, err := m.Match(context.Background(), s, nil)
			require.NoError(t, err)
			require.Equal(t, doc.Expected.Entity, res.Entity)
			require.Greater(t, res.EntityConfidence, 0.9)
			got := mappedFields(res)
			misses := 0
			for src, want := range doc.Expected.Mappings {
				if got[src] != want {
					misses++
					t.Logf("%s -> %q, want %q", src, got[src], want)
				}
			}
			for src, dst := range got {
				if _, ok := doc.Expected.Mappings[src]; !ok {
					misses++
					t.Logf("%s -> %q, want unmapped", src, dst)
				}
			}
			require.LessOrEqual(t, misses, 1)
			for _, f := range res.Mappings {
				if f.Decision == schemamatch.DecisionAuto {
					require.Equal(t, doc.Expected.Mappings[f.SourceField], f.CanonicalField, "auto-applied mapping of %s", f.SourceField)
				}
			}
		})
	}
}
