package canonical_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/autonomos/autonomos/canonical"
)

// Map one Salesforce Account record into a canonical account event.
func ExampleMapper_Apply() {
	reg, err := canonical.NewRegistry()
	if err != nil {
		panic(err)
	}
	mapping := canonical.Mapping{
		Entity:  "account",
		System:  "salesforce",
		Object:  "Account",
		Version: 1,
		Fields: []canonical.FieldMapping{
			{Source: "Id", Target: "account_id", Confidence: 1, Origin: canonical.OriginManual},
			{Source: "Name", Target: "account_name", Confidence: 0.97, Origin: canonical.OriginAuto},
			{Source: "Website", Target: "website", Confidence: 0.91, Origin: canonical.OriginAuto},
			{Source: "Phone", Target: "phone", Confidence: 0.9, Origin: canonical.OriginAuto},
			{Source: "AnnualRevenue", Target: "annual_revenue", Confidence: 0.88, Origin: canonical.OriginReviewed},
			{Source: "BillingCountry", Target: "billing_country", Confidence: 0.86, Origin: canonical.OriginAuto},
			{Source: "Owner.Id", Target: "owner_id", Confidence: 0.8, Origin: canonical.OriginLLM},
			{Source: "CreatedDate", Target: "created_at", Confidence: 0.95, Origin: canonical.OriginAuto},
		},
	}
	mapper, err := canonical.NewMapper(reg, mapping, nil)
	if err != nil {
		panic(err)
	}
	record := map[string]any{
		"Id":             "001Kg00000AbCdE",
		"Name":           " Acme Corp ",
		"Website":        "acme.com",
		"Phone":          "(415) 555-0100",
		"AnnualRevenue":  1200000.5,
		"BillingCountry": "United States",
		"Owner":          map[string]any{"Id": "005Kg000001XyZ"},
		"CreatedDate":    "2024-03-01T10:22:11.000+0000",
		"Rating":         "Hot",
	}
	event, errs := mapper.Apply(record, canonical.RecordMeta{
		TenantID:     "3f1e2b6c-5d4a-4c1e-9f00-000000000001",
		ConnectionID: "0b7c9e2a-1f3d-4e5a-8b6c-000000000002",
		EmittedAt:    time.Date(2024, 3, 1, 11, 0, 0, 0, time.UTC),
	})
	fmt.Println("errors:", len(errs))
	data, _ := json.MarshalIndent(event.Data, "", "  ")
	fmt.Println(string(data))
	fmt.Println("extras:", event.Extras)
	fmt.Println("record_id:", event.Source.RecordID)
	// Output:
	// errors: 0
	// {
	//   "account_id": "001Kg00000AbCdE",
	//   "account_name": "Acme Corp",
	//   "annual_revenue": "1200000.5",
	//   "billing_country": "US",
	//   "created_at": "2024-03-01T10:22:11Z",
	//   "owner_id": "005Kg000001XyZ",
	//   "phone": "+14155550100",
	//   "website": "https://acme.com"
	// }
	// extras: map[Rating:Hot]
	// record_id: 001Kg00000AbCdE
}

// Apply reports every field that fails, not just the first.
func ExampleMapper_Apply_fieldErrors() {
	reg, _ := canonical.NewRegistry()
	mapper, err := canonical.NewMapper(reg, canonical.Mapping{
		Entity:  "invoice",
		Version: 3,
		Fields: []canonical.FieldMapping{
			{Source: "Id", Target: "invoice_id"},
			{Source: "Total", Target: "total_amount"},
			{Source: "Currency", Target: "currency"},
			{Source: "DueDate", Target: "due_date"},
		},
	}, nil)
	if err != nil {
		panic(err)
	}
	_, errs := mapper.Apply(map[string]any{
		"Id":       "INV-7",
		"Total":    "",
		"Currency": "dollars",
		"DueDate":  "31/02/2024",
	}, canonical.RecordMeta{})
	for _, e := range errs {
		fmt.Println(e)
	}
	// Output:
	// canonical: field "currency" (source "Currency"): invalid currency "dollars": not an ISO 4217 currency code
	// canonical: field "due_date" (source "DueDate"): invalid date "31/02/2024": not a recognised date or time (want RFC 3339, YYYY-MM-DD[ HH:MM:SS], MM/DD/YYYY or Unix seconds)
	// canonical: field "total_amount" (source "Total"): required field has no value
}

// Coerce normalizes one value to a canonical type.
func ExampleCoerce() {
	for _, c := range []struct {
		t canonical.Type
		v any
	}{
		{canonical.Decimal, "$1,234.50"},
		{canonical.Timestamp, "2024-03-01T10:22:11.000+0000"},
		{canonical.Date, "03/01/2024"},
		{canonical.Boolean, "yes"},
		{canonical.Currency, "usd"},
		{canonical.Country, "U.S."},
		{canonical.URL, "acme.com"},
		{canonical.Percent, "35%"},
		{canonical.Ref, map[string]any{"value": "42", "name": "Acme"}},
	} {
		out, err := canonical.Coerce(c.t, c.v, nil)
		fmt.Println(c.t, out, err)
	}
	_, err := canonical.Coerce(canonical.Email, "jane.acme.com", nil)
	fmt.Println(err)
	// Output:
	// decimal 1234.5 <nil>
	// timestamp 2024-03-01 10:22:11 +0000 UTC <nil>
	// date 2024-03-01 <nil>
	// boolean true <nil>
	// currency USD <nil>
	// country US <nil>
	// url https://acme.com <nil>
	// percent 35 <nil>
	// ref 42 <nil>
	// canonical: invalid email "jane.acme.com": want exactly one @
}

// The registry's document is what `aos canonical` prints.
func ExampleRegistry_Document() {
	reg, err := canonical.NewRegistry(canonical.Entity{
		Name:        "ticket",
		Description: "A support ticket.",
		Fields: []canonical.Field{
			{Name: "ticket_id", Type: canonical.String, Required: true},
			{Name: "account_id", Type: canonical.Ref, Ref: "account"},
		},
	})
	if err != nil {
		panic(err)
	}
	doc := reg.Document()
	last, _ := json.Marshal(doc.Entities[len(doc.Entities)-1])
	fmt.Println(reg.Names())
	fmt.Println(string(last))
	// Output:
	// [account contact opportunity invoice cloud_cost ticket]
	// {"description":"A support ticket.","fields":{"ticket_id":{"type":"string","required":true},"account_id":{"type":"ref","ref":"account"}}}
}

// ParseSourceSchema reads a connector's description of a source object.
func ExampleParseSourceSchema() {
	s, err := canonical.ParseSourceSchema([]byte(`{
		"system": "salesforce", "object": "Account",
		"fields": [{"name": "Id", "type": "string"}, {"name": "AnnualRevenue", "type": "number", "samples": [1200000]}]}`))
	if err != nil {
		panic(err)
	}
	fmt.Println(s.System, s.Object, len(s.Fields), s.Fields[1].Samples)

	_, err = canonical.ParseSourceSchema([]byte(`{"fields": [{"name": "Id"}, {"name": "Id"}]}`))
	fmt.Println(err)
	// Output:
	// salesforce Account 2 [1200000]
	// canonical: invalid source schema: field "Id" appears twice (fields 0 and 1)
}

// RecordHash ignores map order and number representation.
func ExampleRecordHash() {
	a := canonical.RecordHash(map[string]any{"Id": "1", "Amount": 10})
	b := canonical.RecordHash(map[string]any{"Amount": json.Number("10.0"), "Id": "1"})
	fmt.Println(a == b, len(a))
	// Output:
	// true 64
}
