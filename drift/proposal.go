package drift

import (
	"context"
	"fmt"
	"strings"

	"github.com/autonomos/autonomos/canonical"
)

// Drift is a detected schema change of one source object, as a Proposer
// receives it.
type Drift struct {
	// TenantID is the owning tenant's UUID.
	TenantID string `json:"tenant_id"`
	// ConnectionID is the UUID of the connection the object belongs to.
	ConnectionID string `json:"connection_id"`
	// Object is the source object, e.g. "Account".
	Object string `json:"object"`
	// Mapping is the object's active mapping; nil when it has none.
	Mapping *canonical.Mapping `json:"mapping,omitempty"`
	// Old and New are the two snapshots compared.
	Old Snapshot `json:"old"`
	New Snapshot `json:"new"`
	// Diff is the classified diff from Old to New.
	Diff SchemaDiff `json:"diff"`
}

// Proposer proposes mapping repairs for a drift; the schema matcher is one.
// Propose returns no proposal when it has nothing to suggest, and an error
// only when it could not work (a cancelled ctx, a failing model). It must
// not modify d and must be safe for concurrent use.
type Proposer interface {
	Propose(ctx context.Context, d Drift) ([]Proposal, error)
}

// ProposerFunc adapts a function to the Proposer interface.
type ProposerFunc func(ctx context.Context, d Drift) ([]Proposal, error)

// Propose calls f(ctx, d).
func (f ProposerFunc) Propose(ctx context.Context, d Drift) ([]Proposal, error) { return f(ctx, d) }

// FieldChange changes the field mapping of one canonical target: Before is
// the active field mapping (nil when the target is not mapped yet), After
// the proposed one (nil to stop mapping the target).
type FieldChange struct {
	// Target is the canonical field whose mapping changes.
	Target string `json:"target"`
	// Before is the active field mapping of Target; nil if none.
	Before *canonical.FieldMapping `json:"before,omitempty"`
	// After is the proposed field mapping of Target; nil removes it.
	After *canonical.FieldMapping `json:"after,omitempty"`
}

// Proposal is one suggested repair of a mapping after drift: either a
// FieldChange or a whole new Mapping, with how sure its maker is and why.
type Proposal struct {
	// Object is the source object the proposal repairs.
	Object string `json:"object"`
	// Change is the (classified) change the proposal answers.
	Change Change `json:"change"`
	// Field is the proposed field mapping change; nil when Mapping is set.
	Field *FieldChange `json:"field,omitempty"`
	// Mapping is a whole proposed mapping, replacing the active one; it
	// wins over Field when both are set.
	Mapping *canonical.Mapping `json:"mapping,omitempty"`
	// Confidence is how sure the proposer is, 0..1.
	Confidence float64 `json:"confidence"`
	// Evidence is what the confidence rests on.
	Evidence Evidence `json:"evidence"`
	// Decision is what the policy decided; empty until decided.
	Decision Decision `json:"decision,omitempty"`
	// DecisionReason says why, as Policy.DecideProposal gives it.
	DecisionReason string `json:"decision_reason,omitempty"`
}

// MappingAfter returns the mapping that applying the proposal to base
// gives: a copy of pr.Mapping when set, else base with pr.Field applied
// (the target's field mapping replaced in place, added at the end, or
// removed). The version is base's: the mapping store assigns the next one.
// The error wraps ErrInvalid when there is nothing to apply the field change
// to, or the change has no target or an After for another target.
func (pr Proposal) MappingAfter(base *canonical.Mapping) (canonical.Mapping, error) {
	if pr.Mapping != nil {
		return pr.Mapping.Clone(), nil
	}
	if base == nil {
		return canonical.Mapping{}, fmt.Errorf("%w: proposal for %q: no active mapping to change", ErrInvalid, pr.Object)
	}
	m := base.Clone()
	fc := pr.Field
	if fc == nil {
		return m, nil
	}
	if fc.Target == "" {
		return canonical.Mapping{}, fmt.Errorf("%w: proposal for %q: field change has no target", ErrInvalid, pr.Object)
	}
	var after *canonical.FieldMapping
	if fc.After != nil {
		a := *fc.After
		if a.Target == "" {
			a.Target = fc.Target
		}
		if a.Target != fc.Target {
			return canonical.Mapping{}, fmt.Errorf("%w: proposal for %q: field change of target %q maps target %q", ErrInvalid, pr.Object, fc.Target, a.Target)
		}
		after = &a
	}
	for i, fm := range m.Fields {
		if fm.Target != fc.Target {
			continue
		}
		if after == nil {
			m.Fields = append(m.Fields[:i], m.Fields[i+1:]...)
		} else {
			m.Fields[i] = *after
		}
		return m, nil
	}
	if after != nil {
		m.Fields = append(m.Fields, *after)
	}
	return m, nil
}

// AutoApplyBlocked applies the contract rule of repairs: a proposal that
// removes a required canonical field's source, or leaves a field mapping
// whose source values no longer coerce to the target's type, never
// auto-applies. It compares the mapping after the proposal (see
// MappingAfter) with d.Mapping and reports why the proposal is blocked:
//
//   - a required target mapped before is no longer mapped, or is now
//     mapped from a field d.New does not have;
//   - a field mapping the proposal changes, or one reading a field d.Diff
//     reports retyped, reads values in d.New (samples and records) that do
//     not coerce to the target's canonical type.
//
// A proposal that cannot be checked (no registry, an unknown entity, a
// malformed field change) is blocked too. It is safe for concurrent use.
func AutoApplyBlocked(d Drift, pr Proposal, reg *canonical.Registry) (string, bool) {
	if reg == nil {
		return "there is no registry to check it against", true
	}
	after, err := pr.MappingAfter(d.Mapping)
	if err != nil {
		return err.Error(), true
	}
	ent, ok := reg.Entity(after.Entity)
	if !ok {
		return fmt.Sprintf("its entity %q is unknown", after.Entity), true
	}
	var base canonical.Mapping
	if d.Mapping != nil {
		base = *d.Mapping
	}
	newList, newBy := fields(d.New)
	retyped := make(map[string]bool)
	for _, c := range d.Diff.Changes {
		if c.Kind == KindRetyped {
			retyped[c.Field] = true
		}
	}
	for _, f := range ent.Fields {
		if !f.Required {
			continue
		}
		before, had := base.Field(f.Name)
		now, has := after.Field(f.Name)
		switch {
		case had && !has:
			return fmt.Sprintf("it removes the source of required canonical field %s.%s", ent.Name, f.Name), true
		case has && len(newList) > 0 && sourceField(newBy, now.Source) == nil && (!had || !sameSource(before, now)):
			return fmt.Sprintf("required canonical field %s.%s would read field %q, which the source does not have", ent.Name, f.Name, now.Source), true
		}
	}
	for _, fm := range after.Fields {
		src := sourceField(newBy, fm.Source)
		if src == nil {
			continue
		}
		before, had := base.Field(fm.Target)
		if had && sameSource(before, fm) && !retyped[src.name] {
			continue
		}
		if reason := coercionFailure(reg, ent, fm, src.name, src.samples); reason != "" {
			return fmt.Sprintf("field %q: %s", src.name, reason), true
		}
	}
	return "", false
}

// sameSource reports whether two field mappings read the same way.
func sameSource(a, b canonical.FieldMapping) bool {
	return normName(a.Source) == normName(b.Source) && a.Transform == b.Transform
}

// sourceField finds the field a mapping source reads: the field of that
// name, else the first field a dotted prefix of it names ("Owner.id" reads
// "Owner"), as the mapper resolves paths.
func sourceField(byName map[string]*field, source string) *field {
	src := normName(source)
	if f, ok := byName[src]; ok {
		return f
	}
	for i := 0; i < len(src); i++ {
		if src[i] == '.' {
			if f, ok := byName[src[:i]]; ok {
				return f
			}
		}
	}
	return nil
}

// ProposeRenames proposes the obvious repair for every rename of a mapped
// field in d.Diff: read the target from the new name (a dotted path keeps
// its tail), with the rename's score as confidence and its evidence. It
// proposes nothing when d.Mapping is nil. Wrapped in a ProposerFunc it is
// the simplest Proposer; richer matchers add name and retrieval evidence.
func ProposeRenames(d Drift) []Proposal {
	if d.Mapping == nil {
		return nil
	}
	var out []Proposal
	for _, c := range d.Diff.Changes {
		if c.Kind != KindRenamed {
			continue
		}
		for _, fm := range d.Mapping.Fields {
			src := normName(fm.Source)
			if src != c.Field && !strings.HasPrefix(src, c.Field+".") {
				continue
			}
			before, after := fm, fm
			after.Source = c.NewField + src[len(c.Field):]
			after.Confidence = c.Score
			after.Origin = canonical.OriginAuto
			pr := Proposal{
				Object:     d.Object,
				Change:     c,
				Field:      &FieldChange{Target: fm.Target, Before: &before, After: &after},
				Confidence: c.Score,
			}
			if c.Evidence != nil {
				pr.Evidence = *c.Evidence
			}
			out = append(out, pr)
		}
	}
	return out
}
