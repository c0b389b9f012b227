package nlp

import (
	"context"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/dcl"
)

// Query is the typed query an answer ran (never SQL): a catalog metric
// with its effective timeframe, filters, grouping and limit, as of a date.
type Query struct {
	Metric string `json:"metric"`
	// Timeframe is the one asked for, else the metric's default; nil for a
	// snapshot metric asked without one.
	Timeframe *Timeframe        `json:"timeframe"`
	Filters   map[string]string `json:"filters"`
	GroupBy   []string          `json:"group_by"`
	Limit     int               `json:"limit,omitempty"`
	AsOf      string            `json:"as_of"`
}

// Data is what an answer read: the rows (one per group, or one for the
// total), the totals, and the typed query.
type Data struct {
	Query       *Query           `json:"query,omitempty"`
	Rows        []map[string]any `json:"rows"`
	Totals      map[string]any   `json:"totals"`
	Suggestions []string         `json:"suggestions,omitempty"`
	// Notes say what could not be done and why.
	Notes []string `json:"notes,omitempty"`
}

// Source is something an answer read: a view, an agent, the platform's
// own records, or a knowledge-base chunk.
type Source struct {
	// Kind is "view", "agent", "platform" or "chunk".
	Kind string `json:"kind"`
	// Name names the view, agent or platform record set, or the document.
	Name string `json:"name"`
	// Chunk is the chunk id, for Kind "chunk".
	Chunk string `json:"chunk,omitempty"`
	// Score is the retrieval score, for Kind "chunk".
	Score float64 `json:"score,omitempty"`
}

// Answer is the gateway's reply (contract JSON: persona,
// persona_confidence, intent, answer, data, sources).
type Answer struct {
	Persona           Persona  `json:"persona"`
	PersonaConfidence float64  `json:"persona_confidence"`
	Intent            Intent   `json:"intent"`
	Answer            string   `json:"answer"`
	Data              Data     `json:"data"`
	Sources           []Source `json:"sources"`
}

// PlatformReader is what CTO metrics read from the platform's store;
// aam.Store has every method.
type PlatformReader interface {
	Connections(ctx context.Context, tenant uuid.UUID) ([]aam.Connection, error)
	Quarantined(ctx context.Context, tenant, connection uuid.UUID, object string) ([]aam.QuarantinedRecord, error)
	DriftEvents(ctx context.Context, tenant, connection uuid.UUID) ([]aam.DriftEvent, error)
	Proposals(ctx context.Context, tenant uuid.UUID, status aam.ProposalStatus) ([]aam.Proposal, error)
}

// Tenant is the tenant a question is answered for: its id, its DCL views
// and its platform records. Every answer reads only these, so answers are
// tenant-scoped by construction.
type Tenant struct {
	ID uuid.UUID
	// Views are the tenant's DCL views (required for view metrics).
	Views *dcl.Engine
	// Platform holds connections, quarantine, drift and reviews (required
	// for CTO metrics).
	Platform PlatformReader
}
