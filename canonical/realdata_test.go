package canonical

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestMinorUnits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		currency string
		in       any
		want     string
		reason   string
	}{
		{currency: "usd", in: int64(1000), want: "10"},
		{currency: "USD", in: int64(1999), want: "19.99"},
		{currency: "USD", in: "-250", want: "-2.5"},
		{currency: "EUR", in: 1.0, want: "0.01"},
		{currency: "JPY", in: int64(1000), want: "1000"},
		{currency: "KRW", in: int64(55000), want: "55000"},
		{currency: "KWD", in: int64(1000), want: "1"},
		{currency: "KWD", in: int64(1234), want: "1.234"},
		{currency: "BHD", in: int64(5), want: "0.005"},
		{currency: "CLF", in: int64(12345), want: "1.2345"},
		{currency: "USD", in: 10.5, reason: "not a whole number of minor units"},
		{currency: "", in: int64(1000), reason: "the record has no currency"},
		{currency: "XAU", in: int64(1), reason: "has no ISO 4217 minor unit"},
		{currency: "USD", in: "ten", reason: "not a number"},
	}
	reg := newRegistry(t)
	for _, c := range cases {
		m := Mapping{Entity: "invoice", Fields: []FieldMapping{
			{Source: "id", Target: "invoice_id"},
			{Source: "total", Target: "total_amount", Transform: TransformMinorUnits},
			{Source: "currency", Target: "currency"},
		}}
		mp, err := NewMapper(reg, m, nil)
		require.NoError(t, err)
		rec := map[string]any{"id": "in_1", "total": c.in}
		if c.currency != "" {
			rec["currency"] = c.currency
		}
		ev, errs := mp.Apply(rec, RecordMeta{})
		if c.reason != "" {
			require.Len(t, errs, 1, "%s %v", c.currency, c.in)
			require.Contains(t, errs[0].Reason, c.reason)
			continue
		}
		require.Empty(t, errs, "%s %v", c.currency, c.in)
		got := ev.Data["total_amount"].(decimal.Decimal)
		require.True(t, got.Equal(decimal.RequireFromString(c.want)), "%s %v: %s", c.currency, c.in, got)
	}
	exp, ok := MinorUnitExponent("jpy")
	require.True(t, ok)
	require.Equal(t, 0, exp)
	_, ok = MinorUnitExponent("ABC")
	require.False(t, ok)
}

func TestMinorUnitsValidation(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "account", Fields: []FieldMapping{
		{Source: "id", Target: "account_id"},
		{Source: "rev", Target: "annual_revenue", Transform: TransformMinorUnits},
	}}
	err := m.Validate(newRegistry(t))
	require.ErrorIs(t, err, ErrInvalidMapping)
	require.Contains(t, err.Error(), "needs a currency field")
}

func TestMapperNullTokens(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "cloud_cost", Fields: []FieldMapping{
		{Source: "Id", Target: "cost_id"},
		{Source: "RegionId", Target: "region"},
		{Source: "Day", Target: "usage_date"},
		{Source: "Cost", Target: "cost"},
		{Source: "Qty", Target: "usage_quantity"},
	}}
	mp := newMapper(t, m, nil)
	for _, null := range []string{"NULL", "null", `\N`, "", "  ", " NULL "} {
		ev, errs := mp.Apply(map[string]any{"Id": "1", "RegionId": null, "Day": "2024-09-01", "Cost": "-1.5", "Qty": null}, RecordMeta{})
		require.Empty(t, errs, "%q", null)
		require.NotContains(t, ev.Data, "region")
		require.NotContains(t, ev.Data, "usage_quantity")
	}
	// A required field holding a null token is missing, not text.
	_, errs := mp.Apply(map[string]any{"Id": "1", "Day": "2024-09-01", "Cost": "NULL"}, RecordMeta{})
	require.Len(t, errs, 1)
	require.ErrorIs(t, errs[0], ErrMissingRequired)
	// A mapping may list its own null texts.
	m.NullValues = []string{"n/a"}
	mp = newMapper(t, m, nil)
	ev, errs := mp.Apply(map[string]any{"Id": "1", "RegionId": "NULL", "Day": "2024-09-01", "Cost": "1", "Qty": "n/a"}, RecordMeta{})
	require.Empty(t, errs)
	require.Equal(t, "NULL", ev.Data["region"])
	require.NotContains(t, ev.Data, "usage_quantity")
}

func TestMapperDerivedID(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "cloud_cost", Fields: []FieldMapping{
		{Source: "Day", Target: "usage_date"},
		{Source: "Cost", Target: "cost"},
	}, DerivedID: &DerivedID{Field: "cost_id", From: []string{"Account", "Day", "Resource"}}}
	require.NoError(t, m.Validate(newRegistry(t)))
	missing, err := m.MissingRequired(newRegistry(t))
	require.NoError(t, err)
	require.Empty(t, missing)
	mp := newMapper(t, m, nil)
	rec := map[string]any{"Account": "123", "Day": "2024-09-01", "Resource": "NULL", "Cost": "1"}
	ev, errs := mp.Apply(rec, RecordMeta{RecordID: "line 7"})
	require.Empty(t, errs)
	id := ev.Data["cost_id"].(string)
	require.Len(t, id, 32)
	require.Equal(t, id, ev.Source.RecordID, "the derived id is the record's id")
	again, _ := mp.Apply(map[string]any{"Day": "2024-09-01", "Account": "123", "Cost": "2"}, RecordMeta{})
	require.Equal(t, id, again.Data["cost_id"], "same named values, same id; a null token hashes as missing")
	other, _ := mp.Apply(map[string]any{"Account": "1234", "Day": "2024-09-01", "Cost": "1"}, RecordMeta{})
	require.NotEqual(t, id, other.Data["cost_id"])
	shifted, _ := mp.Apply(map[string]any{"Account": "12", "Day": "32024-09-01", "Cost": "1"}, RecordMeta{})
	require.NotEqual(t, id, shifted.Data["cost_id"], "values do not run into each other")
	got, ok := DeriveID(rec, []string{"Account", "Day", "Resource"}, nil)
	require.True(t, ok)
	require.Equal(t, id, got)
	_, errs = mp.Apply(map[string]any{"Cost": "1", "Resource": "NULL"}, RecordMeta{})
	require.Len(t, errs, 2) // the derived id and usage_date
	require.Contains(t, errs[0].Reason, "derived id")
	require.ErrorIs(t, errs[0], ErrMissingRequired)

	bad := m.Clone()
	bad.DerivedID = &DerivedID{Field: "usage_date", From: []string{"A"}}
	require.ErrorContains(t, bad.Validate(newRegistry(t)), "also the target")
	bad.DerivedID = &DerivedID{Field: "nope", From: nil}
	err = bad.Validate(newRegistry(t))
	require.ErrorContains(t, err, "not a field of the entity")
	require.ErrorContains(t, err, "lists no source fields")
}

func TestMapperTolerate(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "account", Fields: []FieldMapping{
		{Source: "customerID", Target: "account_id"},
		{Source: "companyName", Target: "account_name"},
		{Source: "phone", Target: "phone"},
		{Source: "country", Target: "billing_country"},
	}}
	mp := newMapper(t, m, nil)
	rec := map[string]any{"customerID": "ALFKI", "companyName": "Alfreds", "phone": "(1) 354-2534", "country": "Iceland"}
	ev, errs := mp.Apply(rec, RecordMeta{})
	require.Len(t, errs, 1)
	issues, blocking := mp.Tolerate(rec, &ev, errs)
	require.Empty(t, blocking)
	require.Len(t, issues, 1)
	require.Equal(t, "phone", issues[0].Field)
	require.NotContains(t, ev.Data, "phone")
	require.Equal(t, "(1) 354-2534", ev.Extras["phone"])
	require.Equal(t, "ALFKI", ev.Data["account_id"])

	// A required field failing blocks the whole record, untouched.
	rec = map[string]any{"customerID": map[string]any{"x": 1}, "companyName": "A", "phone": "(1) 354-2534"}
	ev, errs = mp.Apply(rec, RecordMeta{})
	issues, blocking = mp.Tolerate(rec, &ev, errs)
	require.Empty(t, issues)
	require.Equal(t, errs, blocking)
	require.NotContains(t, ev.Extras, "phone")
}

func TestMapperProfileDecidesColumns(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "opportunity", Fields: []FieldMapping{
		{Source: "id", Target: "opportunity_id"},
		{Source: "name", Target: "opportunity_name"},
		{Source: "amt", Target: "amount"},
		{Source: "prob", Target: "probability"},
		{Source: "created", Target: "created_at"},
	}}
	profile := &SourceSchema{Object: "o", Fields: []SourceField{
		{Name: "amt", Samples: []any{"1.250.000", "80.000", "NULL"}},
		{Name: "prob", Samples: []any{0.1, 0.75, 1.0}},
		{Name: "created", Samples: []any{int64(90241268000), int64(-126230400000), int64(1709288531000)}},
	}}
	mp := newMapper(t, m, &MapperOptions{Profile: profile})
	ev, errs := mp.Apply(map[string]any{"id": "1", "name": "x", "amt": "80.000", "prob": 1.0, "created": int64(90241268000)}, RecordMeta{})
	require.Empty(t, errs)
	require.Equal(t, "80000", ev.Data["amount"].(decimal.Decimal).String())
	require.Equal(t, "100", ev.Data["probability"].(decimal.Decimal).String())
	require.Equal(t, 1972, ev.Data["created_at"].(interface{ Year() int }).Year())

	// Without a profile the same values are field errors, never guesses.
	plain := newMapper(t, m, nil)
	_, errs = plain.Apply(map[string]any{"id": "1", "name": "x", "amt": "80.000", "prob": 1.0, "created": int64(90241268000)}, RecordMeta{})
	require.Len(t, errs, 3)

	// A declaration beats the profile.
	m.Fields[2].DecimalMark = "."
	m.Fields[4].Unit = UnitUnixSeconds
	mp = newMapper(t, m, &MapperOptions{Profile: profile})
	ev, errs = mp.Apply(map[string]any{"id": "1", "name": "x", "amt": "80.000", "created": int64(1709288531)}, RecordMeta{})
	require.Empty(t, errs)
	require.Equal(t, "80", ev.Data["amount"].(decimal.Decimal).String())
}

func TestUnitValidation(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "account", Fields: []FieldMapping{
		{Source: "id", Target: "account_id", Unit: UnitUnixMillis},
		{Source: "n", Target: "account_name", Unit: "hours", DecimalMark: ";"},
	}}
	err := m.Validate(newRegistry(t))
	require.ErrorContains(t, err, "does not apply")
	require.ErrorContains(t, err, "unknown unit")
	require.ErrorContains(t, err, "decimal_mark")
}
