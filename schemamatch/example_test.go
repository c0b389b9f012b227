package schemamatch_test

import (
	"context"
	"fmt"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

// ExampleMatcher_Match proposes the mapping of a HubSpot deals export,
// offline, with the built-in lexicon, value profiles and local embedder.
func ExampleMatcher_Match() {
	reg, err := canonical.NewRegistry()
	if err != nil {
		panic(err)
	}
	m, err := schemamatch.NewMatcher(reg, nil)
	if err != nil {
		panic(err)
	}
	doc := []byte(`{"system": "hubspot", "object": "deals", "fields": [
	  {"name": "hs_object_id", "type": "string", "samples": ["9001"]},
	  {"name": "dealname", "type": "string", "samples": ["Acme expansion"]},
	  {"name": "amount", "type": "number", "samples": [12000, 4500.5]},
	  {"name": "closedate", "type": "datetime", "samples": ["2025-03-31T00:00:00Z"]},
	  {"name": "num_notes", "type": "integer", "samples": [3]}
	]}`)
	schema, err := canonical.ParseSourceSchema(doc)
	if err != nil {
		panic(err)
	}
	res, err := m.Match(context.Background(), *schema, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println("entity:", res.Entity)
	for _, f := range res.Mappings {
		fmt.Printf("%s -> %s (%s)\n", f.SourceField, f.CanonicalField, f.Decision)
	}
	fmt.Println("unmapped:", res.Unmapped)
	// Output:
	// entity: opportunity
	// hs_object_id -> opportunity_id (auto)
	// dealname -> opportunity_name (auto)
	// amount -> amount (auto)
	// closedate -> close_date (auto)
	// unmapped: [num_notes]
}

// ExampleMatcher_Remember shows how an approval makes the next match of a
// field no rule knows confident. The memory here is a small in-memory
// store; production uses rag/duckvec or rag/pgvec.
func ExampleMatcher_Remember() {
	reg, _ := canonical.NewRegistry()
	m, _ := schemamatch.NewMatcher(reg, &schemamatch.MatcherOptions{Store: newMemStore()})
	ctx := context.Background()
	field := canonical.SourceField{Name: "Zorglub__c", Type: canonical.TypeNumber, Samples: []any{1200.5}}
	schema := canonical.SourceSchema{System: "acme_crm", Object: "Deals", Fields: []canonical.SourceField{field}}
	opts := &schemamatch.MatchOptions{Entity: "opportunity", Tenant: "tenant-1"}

	res, _ := m.Match(ctx, schema, opts)
	fmt.Println("before:", res.Unmapped)
	_ = m.Remember(ctx, "tenant-1", schemamatch.ApprovedMapping{System: "acme_crm", Object: "Deals", Field: field, Entity: "opportunity", CanonicalField: "amount"})
	res, _ = m.Match(ctx, schema, opts)
	fmt.Printf("after: %s -> %s (%s)\n", res.Mappings[0].SourceField, res.Mappings[0].CanonicalField, res.Mappings[0].Decision)
	// Output:
	// before: [Zorglub__c]
	// after: Zorglub__c -> amount (auto)
}

// ExampleMatcher_Match_noEntity shows the matcher abstaining: an order
// table fits no canonical entity, so nothing is mapped.
func ExampleMatcher_Match_noEntity() {
	reg, err := canonical.NewRegistry()
	if err != nil {
		panic(err)
	}
	m, err := schemamatch.NewMatcher(reg, nil)
	if err != nil {
		panic(err)
	}
	schema := canonical.SourceSchema{System: "shop", Object: "orders", Fields: []canonical.SourceField{
		{Name: "orderID", Type: canonical.TypeInteger, Samples: []any{10248, 10249, 10250}},
		{Name: "customerID", Type: canonical.TypeString, Samples: []any{"VINET", "TOMSP", "HANAR"}},
		{Name: "orderDate", Type: canonical.TypeDatetime, Samples: []any{"1996-07-04 00:00:00", "1996-07-05 00:00:00"}},
		{Name: "freight", Type: canonical.TypeNumber, Samples: []any{32.38, 11.61, 65.83}},
	}}
	res, err := m.Match(context.Background(), schema, nil)
	if err != nil {
		panic(err)
	}
	fmt.Printf("entity: %q, mappings: %d, unmapped: %v\n", res.Entity, len(res.Mappings), res.Unmapped)
	// Output:
	// entity: "", mappings: 0, unmapped: [orderID customerID orderDate freight]
}

// ExampleFitCalibration fits Platt scaling to judged raw scores: here the
// raw scores were too modest, so the fit lifts them.
func ExampleFitCalibration() {
	var outcomes []schemamatch.Outcome
	for i := 0; i < 100; i++ {
		outcomes = append(outcomes, schemamatch.Outcome{Confidence: 0.7, Correct: i < 90})
	}
	c, err := schemamatch.FitCalibration(outcomes)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Validate() == nil, c.Intercept > 0)
	// Output:
	// true true
}
