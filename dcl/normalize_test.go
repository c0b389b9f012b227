package dcl_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/dcl"
)

func TestNormalize(t *testing.T) {
	t.Parallel()
	names := map[string]string{
		"Acme, Inc.":            "acme",
		"ACME Inc":              "acme",
		"acme":                  "acme",
		"Acme Analytics":        "acme analytics",
		"Globex Corporation":    "globex",
		"Initech LLC":           "initech",
		"Müller GmbH & Co. KG":  "müller gmbh and",
		"I.B.M. Corp.":          "ibm",
		"O'Neil Ltd":            "oneil",
		"  Co  ":                "co",
		"The Company Co., Ltd.": "the",
	}
	for in, want := range names {
		require.Equal(t, want, dcl.NormalizeName(in), in)
	}
	domains := map[string]string{
		"https://www.acme.com/about": "acme.com",
		"acme.com":                   "acme.com",
		"HTTP://Acme.COM:8080?q=1":   "acme.com",
		"jane@acme.com":              "acme.com",
		"localhost":                  "",
		"":                           "",
	}
	for in, want := range domains {
		require.Equal(t, want, dcl.NormalizeDomain(in), in)
	}
	require.Equal(t, "14155550100", dcl.NormalizePhone("+1 (415) 555-0100"))
	require.Empty(t, dcl.NormalizePhone("555-01"))
	require.Equal(t, "jane@acme.com", dcl.NormalizeEmail(" Jane@ACME.com "))
	require.Empty(t, dcl.NormalizeEmail("jane"))
	require.Equal(t, "opportunities", dcl.ViewName("opportunity"))
	require.Equal(t, "cloud_costs", dcl.ViewName("cloud_cost"))
	require.Equal(t, "accounts", dcl.ViewName("account"))
}
