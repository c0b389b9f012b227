package drift_test

import (
	"encoding/hex"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
)

func TestFingerprint(t *testing.T) {
	t.Parallel()
	base := schema(f("Id", canonical.TypeString, "a1"), f("Name", canonical.TypeString, "Acme"), f("Revenue", canonical.TypeNumber, 1.5))
	tests := []struct {
		name string
		s    canonical.SourceSchema
		same bool
	}{
		{"identical", base, true},
		{"fields reordered", schema(f("Revenue", canonical.TypeNumber, 1.5), f("Id", canonical.TypeString, "a1"), f("Name", canonical.TypeString, "Acme")), true},
		{"samples changed", schema(f("Id", canonical.TypeString, "zz"), f("Name", canonical.TypeString), f("Revenue", canonical.TypeNumber, 9, 10)), true},
		{"system and object ignored", canonical.SourceSchema{System: "pg", Object: "other", Fields: base.Fields}, true},
		{"names trimmed", schema(f(" Id", canonical.TypeString), f("Name\t", canonical.TypeString), f("Revenue", canonical.TypeNumber)), true},
		{"type case and space ignored", schema(f("Id", "String"), f("Name", " string"), f("Revenue", canonical.TypeNumber)), true},
		{"type changed", schema(f("Id", canonical.TypeString), f("Name", canonical.TypeString), f("Revenue", canonical.TypeInteger)), false},
		{"name case changed", schema(f("id", canonical.TypeString), f("Name", canonical.TypeString), f("Revenue", canonical.TypeNumber)), false},
		{"field renamed", schema(f("Id", canonical.TypeString), f("CompanyName", canonical.TypeString), f("Revenue", canonical.TypeNumber)), false},
		{"field added", schema(f("Id", canonical.TypeString), f("Name", canonical.TypeString), f("Revenue", canonical.TypeNumber), f("Extra", canonical.TypeString)), false},
		{"field removed", schema(f("Id", canonical.TypeString), f("Name", canonical.TypeString)), false},
	}
	want := drift.Fingerprint(base)
	raw, err := hex.DecodeString(want)
	require.NoError(t, err)
	require.Len(t, raw, 32, "a SHA-256 in hex")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := drift.Fingerprint(tt.s)
			if tt.same {
				require.Equal(t, want, got)
			} else {
				require.NotEqual(t, want, got)
			}
		})
	}
}

func TestFingerprintEmptyTypeIsUnknown(t *testing.T) {
	t.Parallel()
	require.Equal(t,
		drift.Fingerprint(schema(f("a", ""))),
		drift.Fingerprint(schema(f("a", canonical.TypeUnknown))))
}

func TestFingerprintNamesDoNotRunTogether(t *testing.T) {
	t.Parallel()
	// A naive concatenation would hash both as "ab" + "c".
	require.NotEqual(t,
		drift.Fingerprint(schema(f("ab", canonical.TypeString), f("c", canonical.TypeString))),
		drift.Fingerprint(schema(f("a", canonical.TypeString), f("bc", canonical.TypeString))))
}
