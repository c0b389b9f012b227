// Package schemamatch maps the fields of a source schema to a canonical
// entity, each with a calibrated confidence, offline by default.
//
// # Matching
//
// Matcher.Match takes a canonical.SourceSchema and proposes the canonical
// entity the object holds — or none: orders, order lines, charges,
// subscriptions are not forced into an entity — and a one-to-one mapping
// of source fields to the entity's fields. Every pair of source and
// canonical field is scored from signals that each appear in the
// proposal's Evidence:
//
//   - names: tokenized (camelCase, snake_case, kebab, dotted and slashed
//     paths, run-together words such as "numberofemployees" or
//     "Rechnungsbetrag"), case and diacritics folded, vendor prefixes and
//     suffixes removed ("hs_", "msdyn_", "custbody_", "__c" ...), and
//     words translated to English by the vocabulary: warehouse and ERP
//     abbreviations (cust, nm, amt, dt, crncy, lcl, oppty, usg, rsrc, uom
//     ...), German, French, Spanish, Portuguese, Italian and Dutch business
//     words, and SAP, Odoo, Business Central and NetSuite data-dictionary
//     names (KUNNR, ORT01, FKDAT, amount_residual, tranid ...). They are
//     then compared with the field's name and the lexicon of how systems
//     name it. Names that say nothing ("col_01") are judged on values;
//   - values: a profile of the samples — e-mail, phone, URL or domain,
//     ISO country (alpha-2, alpha-3, names in several languages), ISO
//     currency, dates (ISO, DD.MM.YYYY, US, YYYYMMDD with SAP "00000000"
//     blanks), timestamps, Unix seconds or milliseconds, locale money
//     ("12.500.000,00", "1 250,00 €"), percentages and probabilities,
//     years, fixed-pattern identifiers, enumerations, free text; null-only
//     and constant columns are evidence of nothing. A specific profile
//     proposes a field on its own (an e-mail column on a person-like object
//     is its e-mail), the more strongly the fewer fields it fits. The share
//     of samples that coerce to the canonical type counts too, a known
//     layout (European dates, locale amounts) being a transform away;
//   - embeddings: cosine similarity of the embedded names (rag.Embedder);
//   - memory: mappings this tenant approved before (Remember, kept in a
//     rag.VectorStore).
//
// The signals are combined into log-odds. Pairs are assigned one to one,
// best first; an object (ExtJSON {"$oid": ...}, an address) is never a
// candidate for a scalar field. Of two valid candidates for one target the
// better keeps it and the other is shown as its runner-up; a source field
// with two plausible targets has its odds divided by the rival's.
//
// The entity is chosen from all the evidence: the mappings each entity's
// plan found (fields every entity has, such as ids and timestamps, count
// less), signature fields found together (a person's name, an e-mail and a
// phone make a contact; an amount, a due date and a status an invoice), the
// object's name, a field naming the record type ("object": "charge") and
// the noun of the record's own key ("orderID"), against "no canonical
// entity" (objects the vocabulary lists as fitting none). When "none" is
// likeliest, Entity is empty and nothing is mapped. A field's score is
// conditioned on the entity as p·conf^(1-p), so a modest entity score
// lowers middling mappings but never crushes a confident one, and is then
// calibrated by Platt scaling fitted on the development schemas only
// (BuiltinCalibration, refitted by `aos bench match -fit`); Reliability
// and ExpectedCalibrationError measure it. Thresholds turn confidences into
// decisions: auto (>= 0.85 by default), review (>= 0.60) or reject.
//
// Each source field with a candidate appears once in MatchResult.Mappings;
// a reject is listed with its evidence but counts as unmapped, and
// MatchResult.Unmapped lists every field without an auto or review mapping.
//
// # Vocabulary
//
// Everything the matcher knows about words is data embedded from vocab/
// (see vocab.go for the formats): the lexicon of field and object names,
// the entity signatures, word translations (terms/*.txt), country names,
// stems, weights and the fitted calibration. A word defined twice with
// different meanings fails loading.
//
// # LLM
//
// With an LLM configured, mappings whose raw score lies in 0.5-0.9 are put
// to it with their top candidates; its verdict is blended in, never moving
// a field to a type-incompatible target. An LLM error keeps the offline
// decision and is recorded in the evidence. Offline is the default and
// meets the project's goals alone.
//
// # Errors
//
// Match wraps ErrInvalid for a malformed schema, one beyond
// MatcherOptions.MaxFields (2000 by default) or an unknown entity;
// Remember wraps ErrUnavailable without a VectorStore or when the store is
// unavailable.
//
// # Concurrency
//
// Matcher is safe for concurrent use.
package schemamatch
