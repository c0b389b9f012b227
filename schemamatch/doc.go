// Package schemamatch maps the fields of a source schema to a canonical
// entity with calibrated confidences, offline by default.
//
// # Matching
//
// Matcher.Match takes a canonical.SourceSchema and proposes the canonical
// entity (with a confidence) and a one-to-one mapping of source fields to
// the entity's fields. Every pair of source and canonical field is scored
// from signals that each appear in the proposal's Evidence:
//
//   - names: tokenized (camelCase, snake_case, kebab, dotted and slashed
//     paths, run-together lower case such as "numberofemployees"), vendor
//     prefixes and suffixes removed ("hs_", "msdyn_", "__c", "_value",
//     "lineItem/", "properties." ...), abbreviations expanded ("amt",
//     "qty", "acct" ...), and compared with the field's name and a domain
//     lexicon of how CRMs, billing systems and cloud cost exports name it;
//   - values: a profile of the samples (e-mail, URL, phone, currency code,
//     country, date, timestamp, Unix time, money, probability, boolean,
//     opaque id, text ...) and the share of samples that coerce to the
//     canonical type, with the declared source type;
//   - embeddings: cosine similarity of the embedded names (Embedder);
//   - memory: mappings this tenant approved before (Remember, kept in a
//     VectorStore), so a person's approval makes the next similar match
//     confident.
//
// The signals are combined into log-odds and mapped to a probability by a
// logistic function whose coefficients were set on the development
// schemas and checked on rewritten variants of them (Reliability gives the
// reliability table). Pairs are then assigned one to one, best first, and a
// mapping whose canonical field another source field would also claim (or
// whose source field has another plausible target) has its odds divided by
// the rival's. Thresholds turn confidences into decisions: auto (>= 0.85 by
// default), review (>= 0.60) or reject.
//
// Each source field with a candidate appears once in MatchResult.Mappings;
// a reject is listed with its evidence but counts as unmapped, and
// MatchResult.Unmapped lists every field without an auto or review mapping.
//
// With an LLM configured, mappings whose confidence lies in 0.5-0.9 are put
// to it with their top candidates; its verdict is blended in, never moving
// a field to a type-incompatible target. An LLM error keeps the offline
// decision and is recorded in the evidence.
//
// # Errors
//
// Match wraps ErrInvalid for a malformed schema, one beyond
// MatcherOptions.MaxFields (2000 by default) or an unknown entity; Remember
// wraps ErrUnavailable without a VectorStore.
//
// # Concurrency
//
// Matcher is safe for concurrent use.
package schemamatch
