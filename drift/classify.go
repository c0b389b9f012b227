package drift

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/autonomos/autonomos/canonical"
)

// Classify returns a copy of d with every change marked breaking or not for
// the active mapping m, with the canonical fields the changed field feeds
// and the reason:
//
//   - a mapped field removed is breaking, and Required says when it feeds a
//     required canonical field;
//   - a mapped field renamed is breaking until the mapping is repaired,
//     since the mapping still reads the old name;
//   - a mapped field retyped is breaking when one of its new Samples no
//     longer coerces to a target's canonical type (after the mapping's
//     transform), or, without samples, when the retype is incompatible;
//   - anything else (unmapped fields added, removed, renamed or retyped, a
//     mapped field that appears, compatible retypes) is not breaking.
//
// A mapping source names a changed field when it equals the field's name or
// is a dotted path into it ("Owner.id" reads field "Owner"). A nil m means
// the object has no active mapping: nothing is breaking. Classify fails,
// wrapping ErrInvalid, when m is set but reg is nil or does not know m's
// entity (then also wrapping canonical.ErrUnknownEntity). It is safe for
// concurrent use.
func Classify(d SchemaDiff, m *canonical.Mapping, reg *canonical.Registry) (SchemaDiff, error) {
	out := d
	out.Changes = make([]Change, len(d.Changes))
	copy(out.Changes, d.Changes)
	if m == nil {
		for i := range out.Changes {
			c := &out.Changes[i]
			c.Breaking, c.Targets, c.Required = false, nil, false
			c.Reason = "the object has no active mapping"
		}
		return out, nil
	}
	if reg == nil {
		return SchemaDiff{}, fmt.Errorf("%w: classify: registry is nil", ErrInvalid)
	}
	ent, ok := reg.Entity(m.Entity)
	if !ok {
		return SchemaDiff{}, fmt.Errorf("%w: classify: mapping entity %q: %w", ErrInvalid, m.Entity, canonical.ErrUnknownEntity)
	}
	names := make(map[string]bool, len(d.Changes))
	for _, c := range d.Changes {
		names[c.Field] = true
	}
	for i := range out.Changes {
		c := &out.Changes[i]
		fms := mappedFrom(m, c.Field, names)
		c.Breaking, c.Required, c.Targets = false, false, nil
		for _, fm := range fms {
			c.Targets = append(c.Targets, fm.Target)
			if f, ok := ent.Field(fm.Target); ok && f.Required {
				c.Required = true
			}
		}
		if len(fms) == 0 {
			c.Reason = fmt.Sprintf("field %q is not mapped", c.Field)
			if c.Kind == KindRetyped {
				c.Reason += fmt.Sprintf("; its type changed from %s to %s (%s)", c.OldType, c.NewType, c.TypeChange)
			}
			continue
		}
		feeds := targetsText(ent, fms)
		switch c.Kind {
		case KindAdded:
			c.Reason = fmt.Sprintf("mapped field %q appeared; it feeds %s", c.Field, feeds)
		case KindRemoved:
			c.Breaking = true
			c.Reason = fmt.Sprintf("mapped field %q was removed; it feeds %s", c.Field, feeds)
			if len(c.Candidates) > 0 {
				best := c.Candidates[0]
				c.Reason += fmt.Sprintf("; %d rename candidate(s), none unique and strong enough (best %q, score %.2f)", len(c.Candidates), best.Field, best.Score)
			}
		case KindRenamed:
			c.Breaking = true
			c.Reason = fmt.Sprintf("mapped field %q was renamed to %q; it feeds %s, and the mapping reads the old name until it is repaired", c.Field, c.NewField, feeds)
		case KindRetyped:
			c.Breaking, c.Reason = classifyRetype(*c, reg, ent, fms)
		default:
			c.Reason = fmt.Sprintf("unknown change kind %q", c.Kind)
		}
	}
	return out, nil
}

// classifyRetype decides whether a mapped field's retype breaks its
// targets.
func classifyRetype(c Change, reg *canonical.Registry, ent canonical.Entity, fms []canonical.FieldMapping) (bool, string) {
	change := fmt.Sprintf("field %q changed type from %s to %s (%s)", c.Field, c.OldType, c.NewType, c.TypeChange)
	if len(c.Samples) == 0 {
		if c.TypeChange.Compatible() || c.TypeChange == TypeUndecided {
			return false, change + "; no sample values to check, and the types do not conflict"
		}
		return true, change + "; the types are incompatible and no sample value shows it still coerces"
	}
	for _, fm := range fms {
		if reason := coercionFailure(reg, ent, fm, c.Field, c.Samples); reason != "" {
			return true, change + "; " + reason
		}
	}
	return false, fmt.Sprintf("%s; its sample values still coerce for %s", change, targetsText(ent, fms))
}

// coercionFailure returns why one of values (of the source field named
// field) does not coerce through fm to its target's canonical type, or ""
// when they all do. The values go through a Mapper of fm alone, so the
// transform and dotted paths act as in the pipeline; a field mapping the
// Mapper refuses is checked with canonical.Coerce alone.
func coercionFailure(reg *canonical.Registry, ent canonical.Entity, fm canonical.FieldMapping, field string, values []any) string {
	target, ok := ent.Field(fm.Target)
	if !ok {
		return ""
	}
	key := field
	if normName(fm.Source) == field {
		key = fm.Source
	}
	probe := fm
	probe.Confidence, probe.Origin = 1, canonical.OriginManual
	// The values are the column's profile: units and decimal marks are
	// decided from them, as the pipeline decides them from the snapshot.
	samples := values
	if len(samples) > canonical.MaxSamples {
		samples = samples[:canonical.MaxSamples]
	}
	profile := &canonical.SourceSchema{Fields: []canonical.SourceField{{Name: key, Samples: samples}}}
	mp, err := canonical.NewMapper(reg, canonical.Mapping{Entity: ent.Name, Fields: []canonical.FieldMapping{probe}}, &canonical.MapperOptions{DropExtras: true, Profile: profile})
	for _, v := range values {
		if mp == nil || err != nil {
			if _, cerr := canonical.Coerce(target.Type, v, nil); cerr != nil {
				return fmt.Sprintf("value %s no longer coerces to %s for %s: %v", quoteValue(v), target.Type, fm.Target, cerr)
			}
			continue
		}
		_, errs := mp.Apply(map[string]any{key: v}, canonical.RecordMeta{RecordID: "probe"})
		for _, fe := range errs {
			if fe.Field == fm.Target && errors.Is(fe, canonical.ErrInvalidValue) {
				return fmt.Sprintf("value %s no longer coerces to %s for %s: %s", quoteValue(v), target.Type, fm.Target, fe.Reason)
			}
		}
	}
	return ""
}

// mappedFrom returns the field mappings that read the field named name:
// their source is the name, or a dotted path into it that is not itself the
// name of another changed field.
func mappedFrom(m *canonical.Mapping, name string, changed map[string]bool) []canonical.FieldMapping {
	var out []canonical.FieldMapping
	for _, fm := range m.Fields {
		src := normName(fm.Source)
		if src == name || (strings.HasPrefix(src, name+".") && !changed[src]) {
			out = append(out, fm)
		}
	}
	return out
}

// targetsText lists the targets of fms for a reason: "account_name
// (required), industry".
func targetsText(ent canonical.Entity, fms []canonical.FieldMapping) string {
	parts := make([]string, 0, len(fms))
	for _, fm := range fms {
		s := ent.Name + "." + fm.Target
		if f, ok := ent.Field(fm.Target); ok && f.Required {
			s += " (required)"
		}
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// quoteValue writes a sample value for a reason, quoted and bounded.
func quoteValue(v any) string {
	s := fmt.Sprint(v)
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return fmt.Sprintf("%q", s)
}
