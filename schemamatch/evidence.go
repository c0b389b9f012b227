package schemamatch

// Evidence explains a proposed mapping: every signal the confidence was
// combined from, as JSON.
type Evidence struct {
	// Name is the name signal.
	Name NameEvidence `json:"name"`
	// DeclaredType is the source's declared type.
	DeclaredType string `json:"declared_type"`
	// CanonicalType is the canonical field's type.
	CanonicalType string `json:"canonical_type"`
	// TypeCompatible is false when the declared type contradicts the
	// canonical type.
	TypeCompatible bool `json:"type_compatible"`
	// Profile is what the sample values look like; empty without samples.
	Profile string `json:"profile,omitempty"`
	// ProfileFit is how well the profile suits the field, -1..1.
	ProfileFit float64 `json:"profile_fit"`
	// ValueEvidence is the log-odds the value profile adds on its own,
	// whatever the name says; 0 when the profile does not single the
	// field out.
	ValueEvidence float64 `json:"value_evidence,omitempty"`
	// FirstColumnKey is true when an identifier in the first column
	// counted toward the record's own id.
	FirstColumnKey bool `json:"first_column_key,omitempty"`
	// CoercionRate is the share of samples that coerce to the canonical
	// type; absent without samples.
	CoercionRate *float64 `json:"coercion_rate,omitempty"`
	// Embedding is the cosine similarity of the embedded names.
	Embedding float64 `json:"embedding_similarity"`
	// EmbeddingError says why there is no embedding signal (the embedder
	// failed; the match went on without it).
	EmbeddingError string `json:"embedding_error,omitempty"`
	// Retrieval is the closest approved mapping of the tenant, if any.
	Retrieval *RetrievalEvidence `json:"retrieval,omitempty"`
	// RetrievalError says why the memory could not be consulted.
	RetrievalError string `json:"retrieval_error,omitempty"`
	// LLM is the language model's verdict, when one was asked.
	LLM *LLMVerdict `json:"llm,omitempty"`
	// RunnerUp is the strongest competing candidate, if any.
	RunnerUp *Competitor `json:"runner_up,omitempty"`
	// Score is the combined score (log-odds) before competition.
	Score float64 `json:"score"`

	incompatible bool // no sample coerces or the declared type excludes the target
	excluded     bool // never a candidate: an object for a scalar field
}

// NameEvidence is the name signal of a mapping.
type NameEvidence struct {
	// Score is the name similarity, 0..1.
	Score float64 `json:"score"`
	// Tokens are the source name's normalized tokens.
	Tokens []string `json:"tokens"`
	// Matched is the canonical name or lexicon phrase that matched best.
	Matched string `json:"matched,omitempty"`
	// Lexicon is true when Matched is a lexicon synonym rather than the
	// canonical field's own name.
	Lexicon bool `json:"lexicon"`
	// Placeholder is true when the name says nothing ("col_01") and the
	// values alone were judged.
	Placeholder bool `json:"placeholder,omitempty"`
}

// RetrievalEvidence is an approved mapping close to the source field.
type RetrievalEvidence struct {
	// Similarity is the cosine similarity of the approved field's text.
	Similarity float64 `json:"similarity"`
	// System, Object and SourceField name the approved field.
	System      string `json:"system,omitempty"`
	Object      string `json:"object,omitempty"`
	SourceField string `json:"source_field"`
}

// LLMVerdict is what the language model said about a candidate.
type LLMVerdict struct {
	// Model names the model.
	Model string `json:"model"`
	// Choice is the canonical field it chose, or "none".
	Choice string `json:"choice,omitempty"`
	// Confidence is its stated confidence, 0..1.
	Confidence float64 `json:"confidence,omitempty"`
	// Applied is true when the verdict changed the confidence.
	Applied bool `json:"applied"`
	// Error says why the answer was not used (timeout, invalid reply).
	Error string `json:"error,omitempty"`
}

// Competitor is another candidate for the same source or canonical field.
type Competitor struct {
	// SourceField and CanonicalField name the competing pair.
	SourceField    string  `json:"source_field"`
	CanonicalField string  `json:"canonical_field"`
	Confidence     float64 `json:"confidence"`
}
