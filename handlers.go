package autonomos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/jobs"
)

// SyncPayload is the payload of a jobs.TypeConnectionSync job.
type SyncPayload struct {
	ConnectionID uuid.UUID `json:"connection_id"`
}

// NewSyncJob returns a connection-sync job for tenant's connection; at most
// one unfinished sync per connection is queued (its unique key).
func NewSyncJob(tenant, connection uuid.UUID) (jobs.Job, error) {
	payload, err := json.Marshal(SyncPayload{ConnectionID: connection})
	if err != nil {
		return jobs.Job{}, err
	}
	return jobs.Job{Tenant: tenant.String(), Type: jobs.TypeConnectionSync, Payload: payload,
		UniqueKey: "sync:" + connection.String()}, nil
}

// MappingPayload is the payload of a jobs.TypeMappingGeneration job.
type MappingPayload struct {
	ConnectionID uuid.UUID `json:"connection_id"`
}

// NewMappingJob returns a bulk mapping job for tenant's connection: every
// unmapped object is matched and its mapping applied or proposed for
// review; at most one unfinished per connection is queued.
func NewMappingJob(tenant, connection uuid.UUID) (jobs.Job, error) {
	payload, err := json.Marshal(MappingPayload{ConnectionID: connection})
	if err != nil {
		return jobs.Job{}, err
	}
	return jobs.Job{Tenant: tenant.String(), Type: jobs.TypeMappingGeneration, Payload: payload,
		UniqueKey: "mapping:" + connection.String()}, nil
}

// Handlers returns the job handlers of the platform's domain job types:
// connection sync, bulk mapping generation (and the built-in test job). A job whose payload or
// tenant is malformed, or whose connection does not exist, fails at once
// instead of retrying.
func (p *Platform) Handlers() (*jobs.Handlers, error) {
	h := jobs.NewHandlers()
	if err := h.Register(jobs.TypeConnectionSync, p.runSyncJob); err != nil {
		return nil, err
	}
	if err := h.Register(jobs.TypeMappingGeneration, p.runMappingJob); err != nil {
		return nil, err
	}
	if err := h.Register(jobs.TypeTest, jobs.TestHandler); err != nil {
		return nil, err
	}
	return h, nil
}

// connectionJob reads the tenant and the connection id of a job whose
// payload is {"connection_id": UUID}; a malformed one is a permanent error.
func connectionJob(kind string, j *jobs.Job) (tenant, connection uuid.UUID, err error) {
	tenant, err = uuid.Parse(j.Tenant)
	if err != nil {
		return tenant, connection, jobs.Permanent(fmt.Errorf("autonomos: %s job %s: tenant %q is not a UUID", kind, j.ID, j.Tenant))
	}
	var pl SyncPayload
	if err := json.Unmarshal(j.Payload, &pl); err != nil || pl.ConnectionID == uuid.Nil {
		return tenant, connection, jobs.Permanent(fmt.Errorf("autonomos: %s job %s: payload must be {\"connection_id\": UUID}", kind, j.ID))
	}
	return tenant, pl.ConnectionID, nil
}

func (p *Platform) runMappingJob(ctx context.Context, j *jobs.Job) error {
	tenant, conn, err := connectionJob("mapping", j)
	if err != nil {
		return err
	}
	rep, err := p.mesh.ProposeMappings(ctx, tenant, conn, p.matcher, nil)
	if errors.Is(err, aam.ErrNotFound) || errors.Is(err, aam.ErrInvalid) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	counts := map[aam.BulkStatus]int{}
	for _, o := range rep.Objects {
		counts[o.Status]++
	}
	_ = jobs.ReportProgress(ctx, 100, fmt.Sprintf("%d objects: %v", len(rep.Objects), counts))
	return nil
}

func (p *Platform) runSyncJob(ctx context.Context, j *jobs.Job) error {
	tenant, conn, err := connectionJob("sync", j)
	if err != nil {
		return err
	}
	rep, err := p.mesh.Sync(ctx, tenant, conn)
	if errors.Is(err, aam.ErrNotFound) || errors.Is(err, aam.ErrInvalid) {
		return jobs.Permanent(err)
	}
	if err != nil {
		return err
	}
	t := rep.Total()
	_ = jobs.ReportProgress(ctx, 100, fmt.Sprintf("%d events, %d duplicates, %d quarantined", t.Events, t.Duplicates, t.Quarantined))
	return nil
}

// StartWorkers starts a worker pool running the platform's jobs with
// Handlers; stop it with its Stop before Close.
func (p *Platform) StartWorkers(ctx context.Context, opts *jobs.WorkerOptions) (*jobs.Workers, error) {
	h, err := p.Handlers()
	if err != nil {
		return nil, err
	}
	w, err := jobs.NewWorkers(p.jobs, h, opts)
	if err != nil {
		return nil, err
	}
	if err := w.Start(ctx); err != nil {
		return nil, err
	}
	return w, nil
}
