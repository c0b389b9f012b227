package canonical

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"
)

// benchEntity has 20 fields covering every canonical type.
var benchEntity = Entity{
	Name: "deal_line",
	Fields: []Field{
		{Name: "line_id", Type: String, Required: true},
		{Name: "account_id", Type: Ref, Ref: "account"},
		{Name: "name", Type: String, Required: true},
		{Name: "description", Type: String},
		{Name: "quantity", Type: Integer},
		{Name: "unit_price", Type: Decimal},
		{Name: "amount", Type: Decimal},
		{Name: "discount", Type: Percent},
		{Name: "currency", Type: Currency},
		{Name: "is_active", Type: Boolean},
		{Name: "start_date", Type: Date},
		{Name: "end_date", Type: Date},
		{Name: "created_at", Type: Timestamp},
		{Name: "updated_at", Type: Timestamp},
		{Name: "contact_email", Type: Email},
		{Name: "website", Type: URL},
		{Name: "phone", Type: Phone},
		{Name: "country", Type: Country},
		{Name: "owner_id", Type: String},
		{Name: "stage", Type: String},
	},
}

func benchMapper(b *testing.B) (*Mapper, map[string]any) {
	reg, err := NewRegistry(benchEntity)
	if err != nil {
		b.Fatal(err)
	}
	m := Mapping{Entity: "deal_line", Object: "LineItem", Version: 1}
	for _, f := range benchEntity.Fields {
		m.Fields = append(m.Fields, FieldMapping{Source: "src_" + f.Name, Target: f.Name, Confidence: 0.9, Origin: OriginAuto})
	}
	m.Fields[1].Source = "Account.Id" // one nested path
	mp, err := NewMapper(reg, m, &MapperOptions{Now: func() time.Time { return fixedNow }})
	if err != nil {
		b.Fatal(err)
	}
	rec := map[string]any{
		"src_line_id":       "00kKg000003AbCd",
		"Account":           map[string]any{"Id": "001Kg00000AbCdE"},
		"src_name":          " Platform licence ",
		"src_description":   "Annual platform licence, 50 seats",
		"src_quantity":      50.0,
		"src_unit_price":    json.Number("240.00"),
		"src_amount":        "12,000.00",
		"src_discount":      0.15,
		"src_currency":      "usd",
		"src_is_active":     "true",
		"src_start_date":    "2024-03-01",
		"src_end_date":      "02/28/2025",
		"src_created_at":    "2024-03-01T10:22:11.000+0000",
		"src_updated_at":    int64(1709288531000),
		"src_contact_email": "Jane.Doe@Acme.com",
		"src_website":       "acme.com",
		"src_phone":         "(415) 555-0100",
		"src_country":       "United States",
		"src_owner_id":      "005Kg000001XyZ",
		"src_stage":         "Closed Won",
		"unmapped":          "kept in extras",
	}
	ev, errs := mp.Apply(rec, RecordMeta{TenantID: "t"})
	if len(errs) != 0 || len(ev.Data) != 20 {
		b.Fatalf("setup: %d fields, errors %v", len(ev.Data), errs)
	}
	return mp, rec
}

// BenchmarkApplyMapping20Fields maps a 20-field record (every canonical
// type, one nested path, one extra) into an event, hash and id included.
func BenchmarkApplyMapping20Fields(b *testing.B) {
	mp, rec := benchMapper(b)
	meta := RecordMeta{TenantID: "3f1e2b6c-0000-4000-8000-000000000001", ConnectionID: "c1"}
	b.ReportAllocs()
	for b.Loop() {
		ev, errs := mp.Apply(rec, meta)
		if len(errs) != 0 || ev.EventID == "" {
			b.Fatal("unexpected result")
		}
	}
}

func BenchmarkRecordHash20Fields(b *testing.B) {
	_, rec := benchMapper(b)
	b.ReportAllocs()
	for b.Loop() {
		if RecordHash(rec) == "" {
			b.Fatal("empty hash")
		}
	}
}

// BenchmarkCoerce measures each type on a typical text input.
func BenchmarkCoerce(b *testing.B) {
	inputs := []struct {
		t Type
		v any
	}{
		{String, " Acme Corp "}, {Integer, "1,234"}, {Decimal, "12,000.00"}, {Percent, 0.15},
		{Boolean, "yes"}, {Date, "02/28/2025"}, {Timestamp, "2024-03-01T10:22:11.000+0000"},
		{Email, "Jane.Doe@Acme.com"}, {URL, "acme.com"}, {Phone, "(415) 555-0100"},
		{Currency, "usd"}, {Country, "United States"}, {Ref, map[string]any{"Id": "001"}},
	}
	opts := &CoerceOptions{Region: "US"}
	for _, in := range inputs {
		b.Run(fmt.Sprint(in.t), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Coerce(in.t, in.v, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
