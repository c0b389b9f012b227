// Package nlp is the NLP gateway, the "Ask" layer: it classifies an
// executive's question by persona (COO, CRO, CFO, CTO) and parses it into
// a typed query over a closed metric catalog, then answers it from the
// tenant's DCL views, agents and platform records, or from the tenant's
// knowledge base for definition and policy questions. It never generates
// SQL.
//
// Classifier is deterministic and works offline; Gateway adds answers,
// the knowledge base (package kb), redaction (package pii) and the query
// history. Timeframes come from package timeframe.
//
// # Errors
//
// Errors wrap ErrInvalid (empty or oversized questions, bad dates, bad
// catalog entries), ErrNotFound, ErrUnavailable (a backend the answer
// needs is missing), or the underlying dcl, aam or kb error.
//
// # Concurrency
//
// Catalog, Classifier and Gateway are safe for concurrent use.
package nlp
