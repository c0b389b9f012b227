package schemamatch

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
)

// Each detector with the values it must recognise and near-misses it must
// not.
func TestDetectors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		samples []any
		want    Profile
	}{
		// e-mail
		{"emails", []any{"anna.schmidt@firma.de", "j.weiss@beispiel.de", "Info@Deco-Addict.com"}, ProfileEmail},
		{"near-miss: handles", []any{"@anna", "@jwe", "@petra"}, ProfileLabel},
		// phone
		{"phones", []any{"+49 30 1234567", "089 / 445566", "+49 (0)221 98765", "0711-123456"}, ProfilePhone},
		{"near-miss: order numbers", []any{"2024-0001", "2024-0002", "2024-0003"}, ProfileIdentifier},
		{"near-miss: digits without phone punctuation", []any{"5624081052", "9264429205"}, ProfileNumericID},
		{"near-miss: sales order numbers", []any{"SO-100045", "SO-100046", "SO-100047"}, ProfileIdentifier},
		// URL and domain
		{"urls and domains", []any{"https://boulangerie-dupont.fr", "www.sarl-martin.fr", "cabinet-moreau.fr"}, ProfileURL},
		{"near-miss: versions", []any{"1.2.3", "10.4.12", "2.0.1"}, ProfileCode},
		// country
		{"alpha-2", []any{"DE", "AT", "CH"}, ProfileCountry},
		{"alpha-3", []any{"DEU", "FRA", "ITA"}, ProfileCountry},
		{"names in several languages", []any{"Deutschland", "Österreich", "España", "Belgique", "Brasil"}, ProfileCountry},
		{"near-miss: words", []any{"Berlin", "Madrid", "Lyon"}, ProfileLabel},
		// currency
		{"currencies", []any{"EUR", "usd", "CHF"}, ProfileCurrency},
		{"near-miss: three-letter words", []any{"ABC", "XYZ", "FOO"}, ProfileLabel},
		// dates
		{"iso dates", []any{"2024-03-01", "2024-03-31"}, ProfileDate},
		{"DD.MM.YYYY", []any{"12.03.2023", "05.11.2022", "30.01.2024"}, ProfileDate},
		{"DD/MM/YYYY", []any{"15/01/2024", "30/06/2024"}, ProfileDate},
		{"US dates", []any{"3/1/2024", "3/31/2024"}, ProfileDate},
		{"YYYYMMDD with SAP blanks", []any{"20190312", "20200115", "00000000"}, ProfileDate},
		{"YYYYMMDD numbers", []any{json.Number("20240115"), json.Number("20240201")}, ProfileDate},
		{"timestamps with zone", []any{"2024-05-01 00:00:00 +0000", "2024-05-01T00:00:00+02:00"}, ProfileDatetime},
		{"unix seconds", []any{json.Number("1706745600"), json.Number("1709251200")}, ProfileUnixTime},
		{"unix milliseconds", []any{json.Number("1706745600000")}, ProfileUnixTime},
		{"near-miss: invalid month", []any{"2024-13-01", "2024-14-02", "2024-15-03"}, ProfileIdentifier},
		{"near-miss: HHMMSS times", []any{"101512", "093001", "140022"}, ProfileIdentifier},
		// money and percentages
		{"european money", []any{"12.500.000,00", "1.210,00", "0,00", "840,34"}, ProfileMoney},
		{"french money", []any{"1 250,00 €", "3 000,00 €", "375,00 €"}, ProfileMoney},
		{"us money", []any{"$1,234.56", "$99.90"}, ProfileMoney},
		{"percent strings", []any{"20%", "50%", "100%"}, ProfileProbability},
		{"fractions", []any{0.6, 0.1, 1.0}, ProfileProbability},
		{"near-miss: years", []any{json.Number("2019"), json.Number("2020"), json.Number("2024")}, ProfileYear},
		// identifiers, enumerations, free text
		{"fixed-pattern ids", []any{"C-100231", "C-100232", "C-100245"}, ProfileIdentifier},
		{"leading-zero keys", []any{"0000100001", "0000100002"}, ProfileNumericID},
		{"enumeration", []any{"PAID", "OPEN", "PAID", "OPEN"}, ProfileEnum},
		{"free text", []any{"Key account in the west region", "Met at the fair in Hanover"}, ProfileText},
		// nothing
		{"null only", []any{nil, "", nil}, ProfileNone},
		{"constant", []any{"100", "100", "100"}, ProfileConstant},
		{"constant currency stays a currency", []any{"EUR", "EUR", "EUR"}, ProfileCurrency},
	}
	for _, c := range cases {
		require.Equal(t, c.want, profileSamples(c.samples).Kind, c.name)
	}
}

func TestDetectorFits(t *testing.T) {
	t.Parallel()
	reg := newTestRegistry(t)
	opp, _ := reg.Entity("opportunity")
	amount, _ := opp.Field("amount")
	years := profileSamples([]any{json.Number("2019"), json.Number("2020"), json.Number("2024")})
	require.Less(t, profileFit(years, amount, false), 0.0, "a year column is not an amount")
	money := profileSamples([]any{"12.500,00", "250.000,00"})
	require.Greater(t, profileFit(money, amount, false), 0.0)
	constant := profileSamples([]any{"100", "100", "100"})
	require.Zero(t, profileFit(constant, amount, false), "a constant column is no evidence")
	closeDate, _ := opp.Field("close_date")
	versions := profileSamples([]any{"1.2.3", "10.4.12"})
	require.Less(t, profileFit(versions, closeDate, false), 0.0, "a version string is not a date")
	inv, _ := reg.Entity("invoice")
	due, _ := inv.Field("due_date")
	require.Equal(t, 1.0, coercionRate([]any{"14.02.2024", "00000000", "20240301"}, due.Type, false), "European and SAP dates are a transform away")
	total, _ := inv.Field("total_amount")
	require.Equal(t, 1.0, coercionRate([]any{"1 250,00 €", "12.500.000,00"}, total.Type, false))
}

func TestParseLocaleNumber(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]float64{
		"12.500.000,00": 12500000, "1 250,00 €": 1250, "$1,234.56": 1234.56, "0,0088": 0.0088,
		"1'250.50": 1250.5, "-42": -42, "5,83": 5.83,
	} {
		f, _, ok := parseLocaleNumber(in)
		require.True(t, ok, in)
		require.InDelta(t, want, f, 1e-9, in)
	}
	for _, in := range []string{"1.2.3", "12,5,0", "abc", "2024-01-01", ""} {
		_, _, ok := parseLocaleNumber(in)
		require.False(t, ok, in)
	}
}

func newTestRegistry(t *testing.T) *canonical.Registry {
	t.Helper()
	reg, err := canonical.NewRegistry()
	require.NoError(t, err)
	return reg
}
