package drift_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/drift"
)

// renamedDrift is the drift of the accounts CSV whose AccountName header
// became CompanyName, with sample records.
func renamedDrift(t *testing.T) drift.Drift {
	t.Helper()
	ids := []string{"a1", "a2", "a3", "a4"}
	names := []any{"Acme", "Globex", "Initech", "Hooli"}
	old := accountSnap()
	old.Records = records("AccountName", ids, names)
	new := without(accountSnap(), "AccountName", f("CompanyName", canonical.TypeString, names...))
	new.Records = records("CompanyName", ids, names)
	d, err := drift.Classify(drift.Diff(old, new), accountMapping(), registry(t))
	require.NoError(t, err)
	return drift.Drift{TenantID: "t1", ConnectionID: "c1", Object: "accounts", Mapping: accountMapping(), Old: old, New: new, Diff: d}
}

func TestProposeRenamesAutoApplies(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	d := renamedDrift(t)
	var p drift.Proposer = drift.ProposerFunc(func(_ context.Context, d drift.Drift) ([]drift.Proposal, error) {
		return drift.ProposeRenames(d), nil
	})
	props, err := p.Propose(context.Background(), d)
	require.NoError(t, err)
	require.Len(t, props, 1)
	pr := props[0]
	require.Equal(t, "accounts", pr.Object)
	require.Equal(t, drift.KindRenamed, pr.Change.Kind)
	require.Equal(t, "account_name", pr.Field.Target)
	require.Equal(t, "AccountName", pr.Field.Before.Source)
	require.Equal(t, "CompanyName", pr.Field.After.Source)
	require.Equal(t, canonical.OriginAuto, pr.Field.After.Origin)
	require.Equal(t, pr.Change.Score, pr.Confidence)
	require.Equal(t, 1.0, pr.Evidence.RecordAgreement)

	dec, why := drift.DefaultPolicy().DecideProposal(d, pr, reg)
	require.Equal(t, drift.DecisionAuto, dec, why)

	m, err := pr.MappingAfter(d.Mapping)
	require.NoError(t, err)
	require.Equal(t, d.Mapping.Version, m.Version, "the store assigns the next version")
	fm, ok := m.Field("account_name")
	require.True(t, ok)
	require.Equal(t, "CompanyName", fm.Source)
	require.NoError(t, m.Validate(reg))
	require.Equal(t, "AccountName", d.Mapping.Fields[1].Source, "the active mapping is left alone")
}

func TestProposeRenamesDottedPath(t *testing.T) {
	t.Parallel()
	owners := []any{map[string]any{"id": "u1"}, map[string]any{"id": "u2"}, map[string]any{"id": "u3"}, map[string]any{"id": "u4"}}
	old := without(accountSnap(), "Owner", f("Owner", canonical.TypeObject, owners...))
	new := without(accountSnap(), "Owner", f("Manager", canonical.TypeObject, owners...))
	d, err := drift.Classify(drift.Diff(old, new), accountMapping(), registry(t))
	require.NoError(t, err)
	require.Equal(t, []string{"renamed:Owner->Manager"}, kinds(d))
	props := drift.ProposeRenames(drift.Drift{Mapping: accountMapping(), Old: old, New: new, Diff: d})
	require.Len(t, props, 1)
	require.Equal(t, "owner_id", props[0].Field.Target)
	require.Equal(t, "Manager.id", props[0].Field.After.Source)
}

func TestProposeRenamesWithoutMapping(t *testing.T) {
	t.Parallel()
	d := renamedDrift(t)
	d.Mapping = nil
	require.Empty(t, drift.ProposeRenames(d))
}

func fm(source, target string) *canonical.FieldMapping {
	return &canonical.FieldMapping{Source: source, Target: target, Confidence: 0.9, Origin: canonical.OriginAuto}
}

func TestDecideProposalGuards(t *testing.T) {
	t.Parallel()
	reg := registry(t)
	base := renamedDrift(t)
	retyped := func() drift.Drift {
		old := accountSnap()
		new := without(accountSnap(), "Revenue", f("Revenue", canonical.TypeString, "1200", "N/A"))
		d, err := drift.Classify(drift.Diff(old, new), accountMapping(), reg)
		require.NoError(t, err)
		return drift.Drift{Object: "accounts", Mapping: accountMapping(), Old: old, New: new, Diff: d}
	}()
	noRequired := accountMapping()
	noRequired.Fields = noRequired.Fields[:1] // drops account_name

	tests := []struct {
		name    string
		d       drift.Drift
		pr      drift.Proposal
		reg     *canonical.Registry
		want    drift.Decision
		reason  string
		blocked bool // AutoApplyBlocked, whatever the confidence
	}{
		{
			name: "repair of a rename",
			d:    base, reg: reg, want: drift.DecisionAuto,
			pr:     drift.Proposal{Field: &drift.FieldChange{Target: "account_name", Before: fm("AccountName", "account_name"), After: fm("CompanyName", "account_name")}, Confidence: 0.95},
			reason: "at least the auto-apply threshold",
		},
		{
			name: "removing a required field's source never auto-applies",
			d:    base, reg: reg, blocked: true, want: drift.DecisionReview,
			pr:     drift.Proposal{Field: &drift.FieldChange{Target: "account_name", Before: fm("AccountName", "account_name")}, Confidence: 0.99},
			reason: "removes the source of required canonical field account.account_name",
		},
		{
			name: "a whole mapping without a required field never auto-applies",
			d:    base, reg: reg, blocked: true, want: drift.DecisionReview,
			pr:     drift.Proposal{Mapping: noRequired, Confidence: 0.99},
			reason: "removes the source of required canonical field account.account_name",
		},
		{
			name: "removing an optional field's source may auto-apply",
			d:    base, reg: reg, want: drift.DecisionAuto,
			pr: drift.Proposal{Field: &drift.FieldChange{Target: "industry", Before: fm("Industry", "industry")}, Confidence: 0.9},
		},
		{
			name: "pointing a required field at a missing field never auto-applies",
			d:    base, reg: reg, blocked: true, want: drift.DecisionReview,
			pr:     drift.Proposal{Field: &drift.FieldChange{Target: "account_name", After: fm("LegalName", "")}, Confidence: 0.9},
			reason: `would read field "LegalName", which the source does not have`,
		},
		{
			name: "a source whose values do not coerce never auto-applies",
			d:    base, reg: reg, blocked: true, want: drift.DecisionReview,
			pr:     drift.Proposal{Field: &drift.FieldChange{Target: "annual_revenue", Before: fm("Revenue", "annual_revenue"), After: fm("Industry", "annual_revenue")}, Confidence: 0.97},
			reason: `value "Retail" no longer coerces to decimal for annual_revenue`,
		},
		{
			name: "keeping a retyped field whose values fail never auto-applies",
			d:    retyped, reg: reg, blocked: true, want: drift.DecisionReview,
			pr:     drift.Proposal{Change: retyped.Diff.Changes[0], Confidence: 0.9},
			reason: `value "N/A" no longer coerces`,
		},
		{
			name: "guards never raise a decision",
			d:    base, reg: reg, blocked: true, want: drift.DecisionReject,
			pr:     drift.Proposal{Field: &drift.FieldChange{Target: "account_name", Before: fm("AccountName", "account_name")}, Confidence: 0.3},
			reason: "below the review threshold 0.60",
		},
		{
			name: "review band",
			d:    base, reg: reg, want: drift.DecisionReview,
			pr:     drift.Proposal{Field: &drift.FieldChange{Target: "account_name", After: fm("CompanyName", "account_name")}, Confidence: 0.7},
			reason: "in the review band [0.60, 0.85)",
		},
		{
			name: "no registry to check with",
			d:    base, blocked: true, want: drift.DecisionReview,
			pr:     drift.Proposal{Field: &drift.FieldChange{Target: "account_name", After: fm("CompanyName", "account_name")}, Confidence: 0.9},
			reason: "no registry",
		},
		{
			name: "malformed field change",
			d:    base, reg: reg, blocked: true, want: drift.DecisionReview,
			pr:     drift.Proposal{Field: &drift.FieldChange{Target: "account_name", After: fm("CompanyName", "industry")}, Confidence: 0.9},
			reason: "maps target",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, why := drift.DefaultPolicy().DecideProposal(tt.d, tt.pr, tt.reg)
			require.Equal(t, tt.want, got, why)
			require.Contains(t, why, tt.reason)
			reason, blocked := drift.AutoApplyBlocked(tt.d, tt.pr, tt.reg)
			require.Equal(t, tt.blocked, blocked, reason)
		})
	}
}

func TestMappingAfter(t *testing.T) {
	t.Parallel()
	base := accountMapping()
	tests := []struct {
		name    string
		pr      drift.Proposal
		base    *canonical.Mapping
		sources map[string]string // target -> source; "" means unmapped
		err     bool
	}{
		{
			name: "replace in place", base: base,
			pr:      drift.Proposal{Field: &drift.FieldChange{Target: "industry", After: fm("Sector", "")}},
			sources: map[string]string{"industry": "Sector", "account_name": "AccountName"},
		},
		{
			name: "add", base: base,
			pr:      drift.Proposal{Field: &drift.FieldChange{Target: "website", After: fm("Web", "website")}},
			sources: map[string]string{"website": "Web", "industry": "Industry"},
		},
		{
			name: "remove", base: base,
			pr:      drift.Proposal{Field: &drift.FieldChange{Target: "industry"}},
			sources: map[string]string{"industry": "", "account_name": "AccountName"},
		},
		{
			name: "whole mapping wins", base: nil,
			pr:      drift.Proposal{Mapping: &canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{*fm("X", "account_id")}}, Field: &drift.FieldChange{Target: "industry"}},
			sources: map[string]string{"account_id": "X", "industry": ""},
		},
		{name: "nothing to change", base: nil, pr: drift.Proposal{Field: &drift.FieldChange{Target: "industry"}}, err: true},
		{name: "no target", base: base, pr: drift.Proposal{Field: &drift.FieldChange{After: fm("X", "")}}, err: true},
		{name: "other target", base: base, pr: drift.Proposal{Field: &drift.FieldChange{Target: "industry", After: fm("X", "website")}}, err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := tt.pr.MappingAfter(tt.base)
			if tt.err {
				require.ErrorIs(t, err, drift.ErrInvalid)
				return
			}
			require.NoError(t, err)
			for target, src := range tt.sources {
				got, ok := m.Field(target)
				if src == "" {
					require.False(t, ok, target)
					continue
				}
				require.True(t, ok, target)
				require.Equal(t, src, got.Source)
			}
		})
	}
	require.Equal(t, "Industry", base.Fields[2].Source, "the base mapping is left alone")
}
