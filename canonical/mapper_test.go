package canonical

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var fixedNow = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func accountMapping() Mapping {
	return Mapping{Entity: "account", System: "salesforce", Object: "Account", Version: 4, Fields: []FieldMapping{
		{Source: "Id", Target: "account_id", Confidence: 1, Origin: OriginManual},
		{Source: "Name", Target: "account_name", Confidence: 0.98, Origin: OriginAuto},
		{Source: "Website", Target: "website", Confidence: 0.9, Origin: OriginAuto},
		{Source: "Phone", Target: "phone", Confidence: 0.9, Origin: OriginAuto},
		{Source: "AnnualRevenue", Target: "annual_revenue", Confidence: 0.9, Origin: OriginAuto},
		{Source: "NumberOfEmployees", Target: "employee_count", Confidence: 0.9, Origin: OriginAuto},
		{Source: "BillingAddress.country", Target: "billing_country", Confidence: 0.8, Origin: OriginReviewed},
		{Source: "Owner.id", Target: "owner_id", Confidence: 0.8, Origin: OriginReviewed},
		{Source: "Parent", Target: "parent_account_id", Confidence: 0.7, Origin: OriginLLM},
		{Source: "MetaData.CreateTime", Target: "created_at", Confidence: 0.9, Origin: OriginAuto},
	}}
}

func newMapper(t *testing.T, m Mapping, opts *MapperOptions) *Mapper {
	t.Helper()
	if opts == nil {
		opts = &MapperOptions{}
	}
	if opts.Now == nil {
		opts.Now = func() time.Time { return fixedNow }
	}
	mp, err := NewMapper(newRegistry(t), m, opts)
	require.NoError(t, err)
	return mp
}

func accountRecord() map[string]any {
	return map[string]any{
		"Id":                "001Kg00000AbCdE",
		"Name":              "  Acme Corp ",
		"Website":           "Acme.com",
		"Phone":             "(415) 555-0100",
		"AnnualRevenue":     json.Number("1200000.50"),
		"NumberOfEmployees": 350.0,
		"BillingAddress":    map[string]any{"country": "United States", "city": "SF"},
		"Owner":             map[string]any{"id": "005X", "name": "Ann"},
		"Parent":            map[string]any{"Id": "001PARENT"},
		"MetaData":          map[string]any{"CreateTime": "2024-03-01T10:22:11.000+0000"},
		"Rating":            "Hot",
	}
}

func TestMapperApply(t *testing.T) {
	t.Parallel()
	mp := newMapper(t, accountMapping(), nil)
	meta := RecordMeta{TenantID: "3f1e2b6c-0000-4000-8000-000000000001", ConnectionID: "c0ffee00-0000-4000-8000-000000000002", TraceID: "tr-1"}
	ev, errs := mp.Apply(accountRecord(), meta)
	require.Empty(t, errs)

	require.Equal(t, "account", ev.Entity)
	require.Equal(t, OpUpsert, ev.Op)
	require.Equal(t, "001Kg00000AbCdE", ev.Data["account_id"])
	require.Equal(t, "Acme Corp", ev.Data["account_name"])
	require.Equal(t, "https://acme.com", ev.Data["website"])
	require.Equal(t, "+14155550100", ev.Data["phone"], "phone region comes from billing_country")
	require.Equal(t, "1200000.5", ev.Data["annual_revenue"].(interface{ String() string }).String())
	require.Equal(t, int64(350), ev.Data["employee_count"])
	require.Equal(t, "US", ev.Data["billing_country"])
	require.Equal(t, "005X", ev.Data["owner_id"])
	require.Equal(t, "001PARENT", ev.Data["parent_account_id"])
	require.Equal(t, ts("2024-03-01T10:22:11Z"), ev.Data["created_at"])
	require.Len(t, ev.Data, 10)

	// Only the unused key is an extra; keys read through paths are used.
	require.Equal(t, map[string]any{"Rating": "Hot"}, ev.Extras)

	require.Equal(t, EventMeta{TenantID: meta.TenantID, TraceID: "tr-1", MappingVersion: 4, SchemaVersion: SchemaVersion, EmittedAt: fixedNow}, ev.Meta)
	require.Equal(t, "salesforce", ev.Source.System)
	require.Equal(t, "Account", ev.Source.Object)
	require.Equal(t, "001Kg00000AbCdE", ev.Source.RecordID, "record id defaults to the identifier field")
	require.Equal(t, RecordHash(accountRecord()), ev.Source.RecordHash)
	require.Equal(t, EventID(meta.TenantID, meta.ConnectionID, "Account", "001Kg00000AbCdE", ev.Source.RecordHash), ev.EventID)
	require.NoError(t, newRegistry(t).ValidateEvent(&ev))

	// Same record, same id; changed content, new id.
	again, _ := mp.Apply(accountRecord(), meta)
	require.Equal(t, ev.EventID, again.EventID)
	changed := accountRecord()
	changed["Rating"] = "Cold"
	other, _ := mp.Apply(changed, meta)
	require.NotEqual(t, ev.EventID, other.EventID)
}

func TestMapperReportsAllErrors(t *testing.T) {
	t.Parallel()
	mp := newMapper(t, accountMapping(), nil)
	rec := accountRecord()
	rec["Name"] = "   "               // required, empty
	rec["Website"] = "ftp://acme.com" // bad url
	rec["AnnualRevenue"] = "lots"     // bad decimal
	rec["NumberOfEmployees"] = 12.5   // not whole
	rec["MetaData"] = map[string]any{"CreateTime": "someday"}
	ev, errs := mp.Apply(rec, RecordMeta{})
	require.Len(t, errs, 5)

	byField := map[string]FieldError{}
	for _, e := range errs {
		byField[e.Field] = e
	}
	require.ErrorIs(t, byField["account_name"], ErrMissingRequired)
	require.Equal(t, "Name", byField["account_name"].Source)
	require.Equal(t, `canonical: field "website" (source "Website"): invalid url "ftp://acme.com": scheme "ftp" is not http or https`, byField["website"].Error())
	require.Equal(t, `canonical: field "annual_revenue" (source "AnnualRevenue"): invalid decimal "lots": not a number`, byField["annual_revenue"].Error())
	require.Equal(t, `canonical: field "employee_count" (source "NumberOfEmployees"): invalid integer 12.5: not a whole number`, byField["employee_count"].Error())
	require.Equal(t, "MetaData.CreateTime", byField["created_at"].Source)
	for _, f := range []string{"website", "annual_revenue", "employee_count", "created_at"} {
		require.True(t, errors.Is(byField[f], ErrInvalidValue), f)
		_, present := ev.Data[f]
		require.False(t, present, f)
	}
	// Fields that did coerce are still there.
	require.Equal(t, "001Kg00000AbCdE", ev.Data["account_id"])
	require.Error(t, newRegistry(t).ValidateEvent(&ev))
}

func TestMapperMissingAndUnmappedRequired(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "invoice", Version: 1, Fields: []FieldMapping{{Source: "Id", Target: "invoice_id"}}}
	mp := newMapper(t, m, nil)
	_, errs := mp.Apply(map[string]any{}, RecordMeta{})
	require.Len(t, errs, 2)
	require.Equal(t, `canonical: field "invoice_id" (source "Id"): required field has no value`, errs[0].Error())
	require.Equal(t, `canonical: field "total_amount": required field is not mapped`, errs[1].Error())

	// Deletes do not need required fields.
	ev, errs := mp.Apply(map[string]any{"Id": "INV-1"}, RecordMeta{Op: OpDelete})
	require.Empty(t, errs)
	require.Equal(t, OpDelete, ev.Op)
	require.Equal(t, "INV-1", ev.Source.RecordID)

	_, errs = mp.Apply(map[string]any{"Id": "INV-1"}, RecordMeta{Op: "merge"})
	require.NotEmpty(t, errs)
	require.ErrorContains(t, errs[0], `invalid value "merge": unknown op`)
}

func TestMapperPaths(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "invoice", Version: 1, Fields: []FieldMapping{
		{Source: "Id", Target: "invoice_id"},
		{Source: "Totals.gross", Target: "total_amount"},  // literal dotted key wins
		{Source: "Lines.1.amount", Target: "amount_paid"}, // list index
		{Source: "CustomerRef", Target: "account_id"},     // object with value
		{Source: "Meta.Data.Status", Target: "status"},    // key "Meta.Data" then "Status"
		{Source: "Currency.code", Target: "currency"},     // missing path: absent
		{Source: "AmountCents", Target: "amount_due", Transform: TransformCentsToUnits},
	}}
	mp := newMapper(t, m, nil)
	rec := map[string]any{
		"Id":           json.Number("17"),
		"Totals.gross": "99.95",
		"Totals":       map[string]any{"gross": "1.00"},
		"Lines":        []any{map[string]any{"amount": 1}, map[string]any{"amount": "2.50"}},
		"CustomerRef":  map[string]any{"value": "42", "name": "Acme"},
		"Meta.Data":    map[string]any{"Status": "paid"},
		"AmountCents":  int64(1999),
	}
	ev, errs := mp.Apply(rec, RecordMeta{RecordID: "given"})
	require.Empty(t, errs)
	require.Equal(t, "17", ev.Data["invoice_id"])
	require.Equal(t, "99.95", ev.Data["total_amount"].(interface{ String() string }).String())
	require.Equal(t, "2.5", ev.Data["amount_paid"].(interface{ String() string }).String())
	require.Equal(t, "42", ev.Data["account_id"])
	require.Equal(t, "paid", ev.Data["status"])
	require.Equal(t, "19.99", ev.Data["amount_due"].(interface{ String() string }).String())
	_, ok := ev.Data["currency"]
	require.False(t, ok)
	require.Equal(t, "given", ev.Source.RecordID)
	require.Nil(t, ev.Extras)
}

func TestMapperOptions(t *testing.T) {
	t.Parallel()
	m := Mapping{Entity: "contact", Version: 1, Fields: []FieldMapping{
		{Source: "id", Target: "contact_id"},
		{Source: "last", Target: "last_name"},
		{Source: "tel", Target: "phone"},
		{Source: "country", Target: "mailing_country"},
	}}
	mp := newMapper(t, m, &MapperOptions{DefaultRegion: "gb", DropExtras: true})
	ev, errs := mp.Apply(map[string]any{"id": "c1", "last": "Doe", "tel": "020 7946 0958", "x": 1}, RecordMeta{EmittedAt: time.Date(2025, 1, 1, 1, 0, 0, 0, time.FixedZone("x", 3600))})
	require.Empty(t, errs)
	require.Equal(t, "+442079460958", ev.Data["phone"], "default region")
	require.Nil(t, ev.Extras)
	require.Equal(t, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), ev.Meta.EmittedAt)

	// The record's own country beats the default region.
	ev, errs = mp.Apply(map[string]any{"id": "c1", "last": "Doe", "tel": "(415) 555-0100", "country": "USA"}, RecordMeta{})
	require.Empty(t, errs)
	require.Equal(t, "+14155550100", ev.Data["phone"])

	_, err := NewMapper(newRegistry(t), m, &MapperOptions{DefaultRegion: "Narnia"})
	require.ErrorIs(t, err, ErrInvalidMapping)
	require.ErrorContains(t, err, `MapperOptions.DefaultRegion "Narnia"`)
	_, err = NewMapper(nil, m, nil)
	require.ErrorContains(t, err, "registry is nil")
	bad := m.Clone()
	bad.Fields[0].Target = "nope"
	_, err = NewMapper(newRegistry(t), bad, nil)
	require.ErrorIs(t, err, ErrInvalidMapping)

	// The Mapper keeps its own copy of the mapping.
	mp2 := newMapper(t, m, nil)
	got := mp2.Mapping()
	got.Fields[0].Source = "changed"
	require.Equal(t, "id", mp2.Mapping().Fields[0].Source)
}

func TestMapperConcurrentUse(t *testing.T) {
	t.Parallel()
	mp := newMapper(t, accountMapping(), nil)
	want, _ := mp.Apply(accountRecord(), RecordMeta{TenantID: "t"})
	done := make(chan Event)
	for range 8 {
		go func() {
			ev, _ := mp.Apply(accountRecord(), RecordMeta{TenantID: "t"})
			done <- ev
		}()
	}
	for range 8 {
		ev := <-done
		require.Equal(t, want.EventID, ev.EventID)
	}
}
