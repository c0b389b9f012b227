package namewords

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplit(t *testing.T) {
	t.Parallel()
	for in, want := range map[string][]string{
		"AnnualRevenue":       {"annual", "revenue"},
		"billing_postal_code": {"billing", "postal", "code"},
		"HTTPStatusCode":      {"http", "status", "code"},
		"address1_city":       {"address", "city"},
		"Fälligkeitsdatum":    {"falligkeitsdatum"},
		"Straße":              {"strasse"},
		"Número de factura":   {"numero", "de", "factura"},
		"Country/Region Code": {"country", "region", "code"},
		"Rabatt %":            {"rabatt", "percent"},
		"col_01":              {"col"},
	} {
		require.Equal(t, want, Split(in), in)
	}
}

func TestFold(t *testing.T) {
	t.Parallel()
	require.Equal(t, "deutschland", Fold("Deutschland"))
	require.Equal(t, "osterreich", Fold("Österreich"))
	require.Equal(t, "facturacion", Fold("Facturación"))
	require.Equal(t, "strasse", Fold("STRASSE"))
}
