package drift_test

import (
	"context"
	"fmt"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
)

// The AccountName column of a CSV was renamed CompanyName: its values
// reappear under the new name on the same records, so Diff reports a rename
// rather than a removed and an added field.
func ExampleDiff() {
	old := drift.Snapshot{
		Schema: canonical.SourceSchema{System: "csv", Object: "accounts", Fields: []canonical.SourceField{
			{Name: "Id", Type: canonical.TypeString},
			{Name: "AccountName", Type: canonical.TypeString},
			{Name: "Employees", Type: canonical.TypeInteger},
		}},
		Records: map[string]map[string]any{
			"a1": {"Id": "a1", "AccountName": "Acme", "Employees": int64(10)},
			"a2": {"Id": "a2", "AccountName": "Globex", "Employees": int64(250)},
			"a3": {"Id": "a3", "AccountName": "Initech", "Employees": int64(40)},
		},
	}
	new := drift.Snapshot{
		Schema: canonical.SourceSchema{System: "csv", Object: "accounts", Fields: []canonical.SourceField{
			{Name: "Id", Type: canonical.TypeString},
			{Name: "CompanyName", Type: canonical.TypeString},
			{Name: "Employees", Type: canonical.TypeNumber},
			{Name: "Region", Type: canonical.TypeString},
		}},
		Records: map[string]map[string]any{
			"a1": {"Id": "a1", "CompanyName": "Acme", "Employees": 10.5, "Region": "EMEA"},
			"a2": {"Id": "a2", "CompanyName": "Globex", "Employees": int64(250), "Region": "APAC"},
			"a3": {"Id": "a3", "CompanyName": "Initech", "Employees": int64(40), "Region": "EMEA"},
		},
	}
	d := drift.Diff(old, new)
	for _, c := range d.Changes {
		switch c.Kind {
		case drift.KindRenamed:
			fmt.Printf("%s %s -> %s: score %.2f, %d/%d records agree\n", c.Kind, c.Field, c.NewField, c.Score,
				int(c.Evidence.RecordAgreement*float64(c.Evidence.RecordsCompared)), c.Evidence.RecordsCompared)
		case drift.KindRetyped:
			fmt.Printf("%s %s: %s -> %s (%s)\n", c.Kind, c.Field, c.OldType, c.NewType, c.TypeChange)
		default:
			fmt.Printf("%s %s\n", c.Kind, c.Field)
		}
	}
	// Output:
	// renamed AccountName -> CompanyName: score 0.87, 3/3 records agree
	// retyped Employees: integer -> number (widening)
	// added Region
}

// Classify judges each change against the active mapping: removing a
// mapped column breaks it, and the change says a required canonical field
// loses its source.
func ExampleClassify() {
	reg, err := canonical.NewRegistry()
	if err != nil {
		panic(err)
	}
	mapping := &canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{
		{Source: "Id", Target: "account_id", Confidence: 1},
		{Source: "Name", Target: "account_name", Confidence: 1},
	}}
	old := drift.Snapshot{Schema: canonical.SourceSchema{Fields: []canonical.SourceField{
		{Name: "Id", Type: canonical.TypeString}, {Name: "Name", Type: canonical.TypeString}, {Name: "Notes", Type: canonical.TypeString},
	}}}
	new := drift.Snapshot{Schema: canonical.SourceSchema{Fields: []canonical.SourceField{
		{Name: "Id", Type: canonical.TypeString},
	}}}
	d, err := drift.Classify(drift.Diff(old, new), mapping, reg)
	if err != nil {
		panic(err)
	}
	fmt.Println("breaking:", d.Breaking())
	for _, c := range d.Changes {
		fmt.Printf("%s %s: breaking=%v required=%v: %s\n", c.Kind, c.Field, c.Breaking, c.Required, c.Reason)
	}
	// Output:
	// breaking: true
	// removed Name: breaking=true required=true: mapped field "Name" was removed; it feeds account.account_name (required)
	// removed Notes: breaking=false required=false: field "Notes" is not mapped
}

// Decide maps a proposal's confidence to what happens to it.
func ExamplePolicy_Decide() {
	p := drift.DefaultPolicy()
	for _, c := range []float64{0.92, 0.85, 0.7, 0.4} {
		fmt.Println(c, p.Decide(c))
	}
	// Output:
	// 0.92 auto
	// 0.85 auto
	// 0.7 review
	// 0.4 reject
}

// Fingerprints ignore field order and samples but not names or types.
func ExampleFingerprint() {
	a := canonical.SourceSchema{Fields: []canonical.SourceField{
		{Name: "Id", Type: canonical.TypeString}, {Name: "Amount", Type: canonical.TypeNumber, Samples: []any{1.5}},
	}}
	b := canonical.SourceSchema{Fields: []canonical.SourceField{
		{Name: "Amount", Type: canonical.TypeNumber}, {Name: "Id", Type: canonical.TypeString},
	}}
	c := canonical.SourceSchema{Fields: []canonical.SourceField{
		{Name: "Id", Type: canonical.TypeString}, {Name: "Amount", Type: canonical.TypeInteger},
	}}
	fmt.Println(drift.Fingerprint(a) == drift.Fingerprint(b))
	fmt.Println(drift.Fingerprint(a) == drift.Fingerprint(c))
	// Output:
	// true
	// false
}

// A drift goes from diff to classification to repair proposals, which the
// tenant's policy decides.
func ExampleProposeRenames() {
	reg, err := canonical.NewRegistry()
	if err != nil {
		panic(err)
	}
	mapping := &canonical.Mapping{Entity: "account", Version: 4, Fields: []canonical.FieldMapping{
		{Source: "Id", Target: "account_id", Confidence: 1},
		{Source: "AccountName", Target: "account_name", Confidence: 1},
	}}
	names := []any{"Acme", "Globex", "Initech", "Hooli", "Umbrella"}
	old := drift.Snapshot{Schema: canonical.SourceSchema{Fields: []canonical.SourceField{
		{Name: "Id", Type: canonical.TypeString}, {Name: "AccountName", Type: canonical.TypeString, Samples: names},
	}}}
	new := drift.Snapshot{Schema: canonical.SourceSchema{Fields: []canonical.SourceField{
		{Name: "Id", Type: canonical.TypeString}, {Name: "CompanyName", Type: canonical.TypeString, Samples: names},
	}}}
	diff, err := drift.Classify(drift.Diff(old, new), mapping, reg)
	if err != nil {
		panic(err)
	}
	d := drift.Drift{Object: "accounts", Mapping: mapping, Old: old, New: new, Diff: diff}

	var proposer drift.Proposer = drift.ProposerFunc(func(_ context.Context, d drift.Drift) ([]drift.Proposal, error) {
		return drift.ProposeRenames(d), nil
	})
	proposals, err := proposer.Propose(context.Background(), d)
	if err != nil {
		panic(err)
	}
	for _, pr := range proposals {
		decision, _ := drift.DefaultPolicy().DecideProposal(d, pr, reg)
		fmt.Printf("%s: %s -> %s, confidence %.2f: %s\n", pr.Field.Target, pr.Field.Before.Source, pr.Field.After.Source, pr.Confidence, decision)
	}
	// Output:
	// account_name: AccountName -> CompanyName, confidence 0.86: auto
}
