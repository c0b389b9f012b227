package schemamatch

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTokenize(t *testing.T) {
	t.Parallel()
	v := newVocabulary(builtinLexicon())
	cases := []struct {
		name string
		want []string
	}{
		{"AnnualRevenue", []string{"annual", "revenue"}},
		{"billing_postal_code", []string{"bill", "postal", "code"}},
		{"lineItem/UnblendedCost", []string{"unblended", "cost"}},
		{"Region__c", []string{"region"}},
		{"hs_lastmodifieddate", []string{"last", "modify", "date"}},
		{"msdyn_numberofemployees", []string{"number", "of", "employee"}},
		{"_parentaccountid_value", []string{"parent", "account", "id"}},
		{"properties.createdate", []string{"create", "date"}},
		{"address1_stateorprovince", []string{"address", "state", "or", "province"}},
		{"TOTAL_AMT", []string{"total", "amount"}},
		{"CUST-ID", []string{"customer", "id"}},
		{"Invoice #", []string{"invoice", "number"}},
		{"Turnover (GBP)", []string{"turnover"}},
		{"HTTPStatusCode", []string{"http", "status", "code"}},
		{"telephone1", []string{"phone"}},
		{"MetaData.CreateTime", []string{"create", "time"}},
		{"x_custom_field", []string{"field"}},
		{"opp_close_dt", []string{"opportunity", "close", "date"}},
	}
	for _, c := range cases {
		require.Equal(t, c.want, v.tokenize(c.name), c.name)
	}
}

func TestSegment(t *testing.T) {
	t.Parallel()
	v := newVocabulary(builtinLexicon())
	require.Equal(t, []string{"number", "of", "employees"}, v.segment("numberofemployees"))
	require.Equal(t, []string{"close", "date"}, v.segment("closedate"))
	require.Nil(t, v.segment("xqzzyvvk"), "no cover by known words")
	require.Nil(t, v.segment("amount"), "a single word is not split")
}

func TestDiceAndContradiction(t *testing.T) {
	t.Parallel()
	require.InDelta(t, 1.0, dice([]string{"close", "date"}, []string{"date", "close"}), 1e-9)
	require.Zero(t, dice([]string{"hosted", "url"}, []string{"number"}))
	require.Greater(t, dice([]string{"adress"}, []string{"address"}), 0.5, "one typo still matches")
	require.True(t, contradicts([]string{"resource", "name"}, []string{"resource", "id"}))
	require.True(t, contradicts([]string{"usage", "end"}, []string{"usage", "start"}))
	require.False(t, contradicts([]string{"resource", "id"}, []string{"resource", "id"}))
}
