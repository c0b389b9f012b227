// Package drift detects and judges schema drift of source objects: it
// fingerprints a source schema, diffs two observations of it, classifies
// each change against the active mapping, and decides what to do with the
// mapping repairs a Proposer suggests.
//
// # Fingerprints
//
// Fingerprint hashes the normalized (name, type) pairs of a SourceSchema.
// Names are trimmed of surrounding white space but keep their case: mappings
// read source fields by exact name, so "AccountName" becoming "accountname"
// is a change that can break a mapping. Types are lower-cased and an empty
// type reads as unknown. Field order and sample values do not count, so
// re-discovering an unchanged source gives the same fingerprint, and two
// schemas (whose field names stay distinct once trimmed) have the same
// fingerprint exactly when Diff finds no change between them.
//
// # Diff
//
// Diff compares an old and a new Snapshot (a schema plus optional sample
// records keyed by record id) and reports fields added, removed, retyped and
// renamed. A removed field whose values reappear under a new name is a
// rename, not a drop and an add: each (removed, added) pair is scored from
//
//   - record agreement: on record ids present in both snapshots, the share
//     whose old value of the removed field equals the new value of the added
//     field (values compared as normalized text); it weighs most, and is
//     discounted when fewer than three records could be compared;
//   - value overlap: the containment of the two fields' normalized value
//     sets (schema samples plus record values), discounted when they share
//     fewer than four values, as two boolean columns always share
//     {true, false};
//   - name similarity: token and edit-distance similarity of the names.
//
// Pairs scoring at least RenameCandidateScore are listed as ranked
// Candidates of the removed field. The best pair becomes a rename when it
// scores at least RenameScore and no other pair of either field comes within
// RenameMargin of it; otherwise the fields stay removed and added, with the
// candidates kept as evidence. Without any sample value the score rests on
// the names alone and is halved, so a rename is never concluded from names.
//
// Retypes carry a TypeChange: integer to number and date to datetime are
// widenings, the reverse narrowings, both compatible; a change from or to
// unknown (a field without observed values) is undecided and left to the
// sample values; anything else is incompatible.
//
// # Classification
//
// Classify marks each change breaking or not against the active mapping,
// with the reason. A mapped source field removed, or renamed (the mapping
// still reads the old name: breaking until repaired), is breaking, and the
// change says when it feeds a required canonical field. A mapped field
// retyped is breaking when one of its new sample values no longer coerces to
// the canonical target type (canonical.Coerce, after the mapping's
// transform), or, lacking samples, when the retype is incompatible.
// Unmapped fields added or removed and compatible retypes are not breaking.
//
// # Repairs
//
// A Proposer (the schema matcher) turns a Drift into Proposals: a field
// mapping change or a whole new mapping, with a confidence and its Evidence.
// Policy decides each one: at or above AutoApply it is applied
// automatically, at or above Review it waits for a person, below it is
// rejected (defaults 0.85 and 0.60). Policy.DecideProposal adds the contract
// rule that a proposal removing a required canonical field's source, or
// leaving a field whose values no longer coerce to its target, never
// auto-applies, whatever its confidence.
//
// All types marshal to JSON; SchemaDiff.Changes is the form stored with a
// drift event.
//
// # Errors
//
// Classify, NewPolicy, Policy.Validate and Proposal.MappingAfter return
// errors wrapping ErrInvalid (Classify also canonical.ErrUnknownEntity for a
// mapping of an unknown entity). Fingerprint and Diff accept any input and
// never fail or panic.
//
// # Concurrency
//
// Every function is pure and safe for concurrent use, and never modifies
// its arguments. Returned values may share slices and pointers (samples,
// candidates, evidence) with the arguments: copy before modifying them.
package drift
