package dcl_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/dcl"
)

// FuzzParseTenantID: whatever text comes in, an accepted id gives a file
// directly under the data directory, named by the canonical UUID.
func FuzzParseTenantID(f *testing.F) {
	for _, s := range []string{"6ba7b810-9dad-11d1-80b4-00c04fd430c8", "../x", "", "00000000-0000-0000-0000-000000000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := dcl.ParseTenantID(s)
		if err != nil {
			require.ErrorIs(t, err, dcl.ErrInvalid)
			return
		}
		require.True(t, strings.EqualFold(s, id.String()))
		p, err := dcl.TenantFile("/data/dir", id)
		require.NoError(t, err)
		require.Equal(t, "/data/dir", filepath.Dir(p))
		require.Equal(t, "registry_"+id.String()+".duckdb", filepath.Base(p))
	})
}

// FuzzNormalize: the normalizers of unification keys never panic and are
// idempotent, so stored keys compare equal to recomputed ones.
func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Acme, Inc.", "https://www.Acme.com:443/about?x=1", "+1 (415) 555-0100", "Co", "Ünïcode GmbH & Co. KG", "a@b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := dcl.NormalizeName(s)
		require.Equal(t, n, dcl.NormalizeName(n))
		d := dcl.NormalizeDomain(s)
		require.Equal(t, d, dcl.NormalizeDomain(d))
		p := dcl.NormalizePhone(s)
		require.Equal(t, p, dcl.NormalizePhone(p))
		e := dcl.NormalizeEmail(s)
		require.Equal(t, e, dcl.NormalizeEmail(e))
	})
}
