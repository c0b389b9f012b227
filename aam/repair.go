package aam

import (
	"context"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/drift"
)

// Repairer is the hook where mapping repair plugs in: Observe hands it every
// breaking drift it records, after the drift event is stored and published.
// An implementation typically asks a drift Proposer for repairs, decides
// them with the tenant's drift.Policy and applies the confident ones with
// Mesh.PutMapping. Observe logs and publishes a Repairer's error but does
// not fail because of it. Implementations must be safe for concurrent use.
type Repairer interface {
	Repair(ctx context.Context, req RepairRequest) error
}

// RepairRequest is a breaking drift of one mapped source object, with what
// a repair needs to know.
type RepairRequest struct {
	TenantID uuid.UUID
	// Connection is the drifted connection, without secrets.
	Connection Connection
	// Mapping is the active mapping the drift breaks.
	Mapping MappingVersion
	// Event is the stored drift event.
	Event DriftEvent
	// Diff is the classified diff the event stores as its Changes.
	Diff drift.SchemaDiff
	// Previous and Current are the snapshots before and after the change.
	Previous, Current SchemaSnapshot
}
