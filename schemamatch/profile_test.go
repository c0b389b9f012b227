package schemamatch

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
)

func TestProfileSamples(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		samples []any
		want    Profile
	}{
		{"emails", []any{"ada@acme.com", "Grace.Hopper@globex.example"}, ProfileEmail},
		{"urls", []any{"www.acme.com", "https://globex.example", "initech.io"}, ProfileURL},
		{"phones", []any{"(415) 555-0100", "+1 212 555 0199", "020 7946 0958"}, ProfilePhone},
		{"currencies", []any{"USD", "eur", "GBP"}, ProfileCurrency},
		{"countries", []any{"United States", "Germany", "France"}, ProfileCountry},
		{"dates", []any{"2025-06-30", "2025-03-31"}, ProfileDate},
		{"datetimes", []any{"2024-03-01T10:22:11.000+0000", "2025-01-07T16:40:02Z"}, ProfileDatetime},
		{"us datetimes", []any{"1/15/2025 10:00 am"}, ProfileDatetime},
		{"unix seconds", []any{int64(1706745600), int64(1709251200)}, ProfileUnixTime},
		{"unix millis text", []any{"1706745600000"}, ProfileUnixTime},
		{"money", []any{12.3456, 0.0021, 980.5}, ProfileMoney},
		{"fractions", []any{0.2, 0.75, 1.0}, ProfileProbability},
		{"counts", []any{int64(1200), int64(45000), int64(85)}, ProfileInteger},
		{"json numbers", []any{json.Number("10"), json.Number("75")}, ProfileInteger},
		{"booleans", []any{true, false}, ProfileBoolean},
		{"yes no", []any{"Yes", "no"}, ProfileBoolean},
		{"uuids", []any{"5f8e3c2a-1b2c-4d5e-8f90-123456789abc"}, ProfileUUID},
		{"salesforce ids", []any{"001Kg00000AbCdEIAV", "005Kg000001aBcD"}, ProfileOpaqueID},
		{"prefixed ids", []any{"cus_PqRsTuVwXyZaBc", "in_1OaBcDEfGhIjKlMn"}, ProfileOpaqueID},
		{"mixed ids", []any{"123456789012", "0A1B2C-3D4E5F-6A7B8C"}, ProfileOpaqueID},
		{"free text", []any{"Key account in the west region", "Strategic partner"}, ProfileText},
		{"labels", []any{"Prospecting", "Closed Won", "Negotiation"}, ProfileLabel},
		{"codes", []any{"us-east-1", "europe-west4"}, ProfileCode},
		{"empty", []any{"", nil, "  "}, ProfileNone},
		{"none", nil, ProfileNone},
		{"disagreeing", []any{true, "ada@acme.com", 12.5}, ProfileMixed},
	}
	for _, c := range cases {
		require.Equal(t, c.want, profileSamples(c.samples).Kind, c.name)
	}
}

func TestProfileFit(t *testing.T) {
	t.Parallel()
	email := canonical.Field{Name: "email", Type: canonical.Email}
	require.Equal(t, 1.0, profileFit(profileSamples([]any{"a@b.co"}), email, false))
	require.Equal(t, -1.0, profileFit(profileSamples([]any{true}), email, false))
	ref := canonical.Field{Name: "account_id", Type: canonical.Ref, Ref: "account"}
	require.Equal(t, 1.0, profileFit(profileSamples([]any{"cus_PqRsTuVwXyZaBc"}), ref, false))
	require.Less(t, profileFit(profileSamples([]any{"Acme Corporation"}), ref, false), 0.0)
	pct := canonical.Field{Name: "probability", Type: canonical.Percent}
	require.Equal(t, 0.6, profileFit(profileSamples([]any{int64(10), int64(100)}), pct, false))
	require.Equal(t, -1.0, profileFit(profileSamples([]any{int64(1000)}), pct, false))
	require.Zero(t, profileFit(profileSamples(nil), pct, false))
}

func TestCoercionRate(t *testing.T) {
	t.Parallel()
	require.Equal(t, -1.0, coercionRate(nil, canonical.Decimal, false))
	require.Equal(t, 1.0, coercionRate([]any{"1,200.50", 3.5}, canonical.Decimal, false))
	require.Equal(t, 0.5, coercionRate([]any{"x", 3.5}, canonical.Decimal, false))
	require.Equal(t, 0.0, coercionRate([]any{int64(2), int64(1)}, canonical.Date, false), "small integers are not times")
	require.Equal(t, 1.0, coercionRate([]any{int64(1706745600)}, canonical.Timestamp, false))
	require.Equal(t, 0.0, coercionRate([]any{int64(250)}, canonical.Boolean, false))
	owner := []any{map[string]any{"id": "005Kg000001aBcD", "name": "Pat"}}
	require.Equal(t, 1.0, coercionRate(owner, canonical.String, true), "a reference object counts by its id")
	require.Equal(t, 0.0, coercionRate(owner, canonical.String, false))
}

func TestTypeCompat(t *testing.T) {
	t.Parallel()
	name := canonical.Field{Name: "account_name", Type: canonical.String}
	require.Less(t, typeCompat(canonical.TypeBoolean, name, false), -1.0)
	require.Zero(t, typeCompat(canonical.TypeString, name, false))
	ts := canonical.Field{Name: "created_at", Type: canonical.Timestamp}
	require.Zero(t, typeCompat(canonical.TypeInteger, ts, false), "unix seconds")
	require.Zero(t, typeCompat(canonical.TypeObject, canonical.Field{Name: "owner_id", Type: canonical.String}, false))
}
