package aam

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Stage names the step of the mesh a FlowEvent reports on.
type Stage string

// The stages of FlowEvent.
const (
	// StageRead: records read from the source (Count), per batch.
	StageRead Stage = "read"
	// StageMap: records mapped to events (Count) and records that failed
	// (Errors), per batch.
	StageMap Stage = "map"
	// StageAppend: events committed to the stream (Count new ones, Errors
	// the duplicates skipped), per batch, with the commit's latency.
	StageAppend Stage = "append"
	// StageQuarantine: records set aside (Count) or released after a
	// mapping change (Message says which).
	StageQuarantine Stage = "quarantine"
	// StageObserve: a connection's objects were observed (Count objects).
	StageObserve Stage = "observe"
	// StageDrift: a schema change of one object was recorded; Errors is 1
	// when it breaks the mapping.
	StageDrift Stage = "drift"
	// StageSync: one object's sync ended; Count is the events appended,
	// Errors the records quarantined, Message any error.
	StageSync Stage = "sync"
)

// FlowEvent reports what one stage of the mesh did, for live monitoring.
type FlowEvent struct {
	Time         time.Time `json:"time"`
	TenantID     uuid.UUID `json:"tenant_id"`
	ConnectionID uuid.UUID `json:"connection_id"`
	Object       string    `json:"object,omitempty"`
	Stage        Stage     `json:"stage"`
	// Count is the number of items the stage handled (see Stage).
	Count int `json:"count"`
	// Errors is the number of items that failed.
	Errors int `json:"errors"`
	// LatencyMS is how long the stage took, in milliseconds.
	LatencyMS float64 `json:"latency_ms"`
	// TraceID is the sync's trace id, shared with its events.
	TraceID string `json:"trace_id,omitempty"`
	// Message says more, in one line; never secret.
	Message string `json:"message,omitempty"`
}

// FlowBus is where the mesh publishes flow events. Publish must not block
// for long (the pipeline waits for it) and must be safe for concurrent use.
// The mesh logs and otherwise ignores Publish errors: monitoring never
// stops ingestion.
type FlowBus interface {
	Publish(ctx context.Context, e FlowEvent) error
}

// FlowSubscriber is the optional ability of a FlowBus to deliver a tenant's
// events to live subscribers (MemoryBus and redisflow.Bus have it).
// Subscribe returns a channel of the events published for tenant after it
// returns, and a cancel function; the channel is closed after cancel is
// called or ctx is done. Cancel is idempotent and waits until the
// subscription's resources are released.
type FlowSubscriber interface {
	Subscribe(ctx context.Context, tenant uuid.UUID) (<-chan FlowEvent, func(), error)
}
