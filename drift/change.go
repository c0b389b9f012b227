package drift

import "github.com/autonomos/autonomos/canonical"

// Kind says what happened to a field.
type Kind string

// The kinds of change.
const (
	// KindAdded: a field the old schema did not have.
	KindAdded Kind = "added"
	// KindRemoved: a field the new schema no longer has, and no unique
	// strong rename candidate took its place.
	KindRemoved Kind = "removed"
	// KindRetyped: a field kept its name but changed its declared type.
	KindRetyped Kind = "retyped"
	// KindRenamed: a removed field whose values reappear under a new name.
	KindRenamed Kind = "renamed"
)

// TypeChange says how a field's declared type changed.
type TypeChange string

// The type changes. Compatible reports which ones keep values readable.
const (
	// TypeSame: the declared type did not change.
	TypeSame TypeChange = "same"
	// TypeWidening: integer to number, or date to datetime; every old value
	// still fits.
	TypeWidening TypeChange = "widening"
	// TypeNarrowing: number to integer, or datetime to date; the new values
	// are a subset of what the old type allowed (CSV type inference flips
	// like this when the sampled rows change).
	TypeNarrowing TypeChange = "narrowing"
	// TypeUndecided: one side is unknown (no values were observed), so the
	// types alone say nothing; sample values decide.
	TypeUndecided TypeChange = "undecided"
	// TypeIncompatible: any other change, e.g. number to string.
	TypeIncompatible TypeChange = "incompatible"
)

// Compatible reports whether values of the old type still read as the new
// one: true for TypeSame, TypeWidening and TypeNarrowing.
func (c TypeChange) Compatible() bool {
	return c == TypeSame || c == TypeWidening || c == TypeNarrowing
}

// CompareTypes classifies the change of a field's declared type from old to
// new. Types are compared normalized (trimmed, lower case, empty meaning
// unknown). It is safe for concurrent use.
func CompareTypes(old, new canonical.FieldType) TypeChange {
	o, n := normType(old), normType(new)
	switch {
	case o == n:
		return TypeSame
	case o == canonical.TypeUnknown || n == canonical.TypeUnknown:
		return TypeUndecided
	case o == canonical.TypeInteger && n == canonical.TypeNumber,
		o == canonical.TypeDate && n == canonical.TypeDatetime:
		return TypeWidening
	case o == canonical.TypeNumber && n == canonical.TypeInteger,
		o == canonical.TypeDatetime && n == canonical.TypeDate:
		return TypeNarrowing
	}
	return TypeIncompatible
}

// Evidence is what a rename candidate or a repair proposal rests on. Scores
// lie in 0..1 and are rounded to three decimals; a measure that could not be
// taken is zero with a zero count beside it.
type Evidence struct {
	// NameSimilarity compares the two field names: the larger of the
	// Jaccard similarity of their word tokens ("AccountName" ->
	// account, name) and their edit-distance similarity, case-insensitive.
	NameSimilarity float64 `json:"name_similarity"`
	// ValueOverlap is the containment of the normalized sample value sets,
	// |old ∩ new| / min(|old|, |new|); SharedValues is |old ∩ new|.
	ValueOverlap float64 `json:"value_overlap"`
	// SharedValues is the number of distinct normalized values both fields
	// hold.
	SharedValues int `json:"shared_values"`
	// RecordAgreement is the share of RecordsCompared records whose old
	// value of the old field equals the new value of the new field.
	RecordAgreement float64 `json:"record_agreement"`
	// RecordsCompared is the number of record ids present in both
	// snapshots on which at least one of the two fields has a value.
	RecordsCompared int `json:"records_compared"`
	// TypeCompatible reports whether the declared types are the same or
	// compatible (see TypeChange.Compatible).
	TypeCompatible bool `json:"type_compatible"`
	// RetrievalHits lists what a retrieval-backed matcher found for the
	// proposal (documents, prior mappings); empty from Diff.
	RetrievalHits []string `json:"retrieval_hits,omitempty"`
	// LLMVerdict is a language model's verdict on the proposal, when one is
	// configured; empty from Diff.
	LLMVerdict string `json:"llm_verdict,omitempty"`
}

// Candidate is a possible new name of a removed field.
type Candidate struct {
	// Field is the added field's name.
	Field string `json:"field"`
	// Type is the added field's declared type.
	Type canonical.FieldType `json:"type"`
	// Score is how likely the added field is the removed one renamed, 0..1.
	Score float64 `json:"score"`
	// Evidence is what the score rests on.
	Evidence Evidence `json:"evidence"`
}

// Change is one difference between two schemas, and after Classify its
// effect on the active mapping. Its JSON form is what a drift event stores:
//
//	{"kind":"renamed","field":"AccountName","new_field":"CompanyName",
//	 "old_type":"string","new_type":"string","score":0.95,
//	 "evidence":{...},"candidates":[...],"breaking":true,
//	 "targets":["account_name"],"required":true,"reason":"..."}
type Change struct {
	// Kind says what happened.
	Kind Kind `json:"kind"`
	// Field is the field's name (trimmed); for a rename, the old name.
	Field string `json:"field"`
	// NewField is the new name of a renamed field.
	NewField string `json:"new_field,omitempty"`
	// OldType is the old declared type; empty for an added field.
	OldType canonical.FieldType `json:"old_type,omitempty"`
	// NewType is the new declared type; empty for a removed field.
	NewType canonical.FieldType `json:"new_type,omitempty"`
	// TypeChange classifies OldType -> NewType for retyped and renamed
	// fields.
	TypeChange TypeChange `json:"type_change,omitempty"`
	// Score is the chosen candidate's score, for a rename.
	Score float64 `json:"score,omitempty"`
	// Evidence is the chosen candidate's evidence, for a rename.
	Evidence *Evidence `json:"evidence,omitempty"`
	// Samples holds the new field's distinct non-empty values (the
	// schema's samples, then the sample records' values), at most
	// canonical.MaxSamples, for retyped and renamed fields: Classify
	// checks that they still coerce.
	Samples []any `json:"samples,omitempty"`
	// Candidates ranks the possible new names of a removed or renamed
	// field, best first (for a rename, the chosen one first).
	Candidates []Candidate `json:"candidates,omitempty"`

	// Breaking is set by Classify: the change breaks the active mapping.
	Breaking bool `json:"breaking"`
	// Targets are the canonical fields the field feeds in the active
	// mapping, set by Classify; empty when it is not mapped.
	Targets []string `json:"targets,omitempty"`
	// Required is set by Classify when one of Targets is a required field
	// of the mapping's entity.
	Required bool `json:"required,omitempty"`
	// Reason says, after Classify, why the change is breaking or not.
	Reason string `json:"reason,omitempty"`
}

// SchemaDiff is the result of Diff: the changes from one snapshot of a
// source object to the next, ordered as the old schema's fields (removed,
// renamed, retyped), then added fields in the new schema's order.
type SchemaDiff struct {
	// From is the old schema's Fingerprint.
	From string `json:"from"`
	// To is the new schema's Fingerprint.
	To string `json:"to"`
	// Changes lists the changes; empty when the schemas agree.
	Changes []Change `json:"changes"`
}

// Empty reports whether the diff holds no change.
func (d SchemaDiff) Empty() bool { return len(d.Changes) == 0 }

// Breaking reports whether any change is breaking; meaningful after
// Classify.
func (d SchemaDiff) Breaking() bool {
	for _, c := range d.Changes {
		if c.Breaking {
			return true
		}
	}
	return false
}

// Renames returns the rename changes, in order.
func (d SchemaDiff) Renames() []Change {
	var out []Change
	for _, c := range d.Changes {
		if c.Kind == KindRenamed {
			out = append(out, c)
		}
	}
	return out
}
