package dcl_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/dcl/dcltest"
)

func ExampleEngine() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "dcl-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)

	tenant := uuid.MustParse("6ba7b810-9dad-41d1-80b4-00c04fd430c8")
	eng, err := dcl.Open(ctx, dir, tenant, nil)
	if err != nil {
		panic(err)
	}
	defer eng.Close()

	// the canonical stream; in production an aam.EventLog
	stream := dcltest.NewMemorySource()
	account := func(conn, id, name, website string) canonical.Event {
		return canonical.Event{
			EventID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(conn+id)).String(),
			Entity:  "account", Op: canonical.OpUpsert,
			Data:   map[string]any{"account_id": id, "account_name": name, "website": website},
			Meta:   canonical.EventMeta{TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: 1},
			Source: canonical.EventSource{System: conn, ConnectionID: conn, Object: "account", RecordID: id},
		}
	}
	stream.Append(tenant,
		account("salesforce", "001", "Acme, Inc.", "https://www.acme.com"),
		account("hubspot", "9001", "ACME Inc", "https://acme.com/"),
		account("hubspot", "9002", "Globex", "https://globex.com"),
	)
	stream.Append(tenant, canonical.Event{
		EventID: uuid.NewSHA1(uuid.NameSpaceOID, []byte("opp")).String(),
		Entity:  "opportunity", Op: canonical.OpUpsert,
		Data:   map[string]any{"opportunity_id": "006", "opportunity_name": "Renewal", "amount": decimal.RequireFromString("1200.50")},
		Meta:   canonical.EventMeta{TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: 1},
		Source: canonical.EventSource{System: "salesforce", ConnectionID: "salesforce", Object: "Opportunity", RecordID: "006"},
	})

	res, err := eng.Sync(ctx, stream)
	if err != nil {
		panic(err)
	}
	fmt.Println("events:", res.Events, "checkpoint:", res.Offset)

	page, err := eng.Query(ctx, "accounts", dcl.QueryOptions{
		Fields: []string{"account_name", dcl.ColUnifiedID},
		Sort:   []dcl.SortKey{{Field: "account_name"}},
	})
	if err != nil {
		panic(err)
	}
	first := page.Rows[0][dcl.ColUnifiedID]
	for _, r := range page.Rows {
		fmt.Printf("%-10s same company as Acme, Inc.: %v\n", r["account_name"], r[dcl.ColUnifiedID] == first)
	}

	sum, err := eng.Aggregate(ctx, "opportunities", dcl.AggregateOptions{Func: dcl.AggSum, Field: "amount"})
	if err != nil {
		panic(err)
	}
	fmt.Println("pipeline:", sum[0].Value)
	// Output:
	// events: 4 checkpoint: 4
	// ACME Inc   same company as Acme, Inc.: true
	// Acme, Inc. same company as Acme, Inc.: true
	// Globex     same company as Acme, Inc.: false
	// pipeline: 1200.5
}

func ExampleCFO() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "dcl-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	tenant := uuid.MustParse("0d9f5a2e-8c1b-4f7e-9a3d-5b6c7d8e9f01")
	eng, err := dcl.Open(ctx, dir, tenant, nil)
	if err != nil {
		panic(err)
	}
	defer eng.Close()

	stream := dcltest.NewMemorySource()
	invoice := func(id, amount, due string) canonical.Event {
		dueDate, _ := canonical.ParseCivilDate(due)
		return canonical.Event{
			EventID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(id)).String(),
			Entity:  "invoice", Op: canonical.OpUpsert,
			Data: map[string]any{"invoice_id": id, "total_amount": decimal.RequireFromString(amount),
				"status": "open", "issue_date": canonical.CivilDate{Year: 2024, Month: 1, Day: 1}, "due_date": dueDate},
			Meta:   canonical.EventMeta{TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: 1},
			Source: canonical.EventSource{System: "erp", ConnectionID: "erp", Object: "invoice", RecordID: id},
		}
	}
	stream.Append(tenant, invoice("INV-1", "1000", "2024-03-20"), invoice("INV-2", "250.50", "2024-01-15"))
	if _, err := eng.Sync(ctx, stream); err != nil {
		panic(err)
	}

	res, err := eng.RunAgent(ctx, &dcl.CFO{}, time.Date(2024, 3, 31, 0, 0, 0, 0, time.UTC))
	if err != nil {
		panic(err)
	}
	for _, b := range res.Metrics.(dcl.CFOMetrics).Ageing {
		fmt.Printf("%-7s %s\n", b.Bucket, b.Amount.StringFixed(2))
	}
	// Output:
	// current 0.00
	// 1-30    1000.00
	// 31-60   0.00
	// 61-90   250.50
	// 90+     0.00
}
