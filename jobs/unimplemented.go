package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// UnimplementedDriver can be embedded in a third-party Driver so that it
// keeps compiling when methods are added to Driver; every method fails with
// an error wrapping errors.ErrUnsupported. It holds no state.
type UnimplementedDriver struct{}

func unsupported(method string) error {
	return fmt.Errorf("jobs: driver method %s: %w", method, errors.ErrUnsupported)
}

// Enqueue fails with errors.ErrUnsupported.
func (UnimplementedDriver) Enqueue(context.Context, []*Job) ([]EnqueueResult, error) {
	return nil, unsupported("Enqueue")
}

// Dequeue fails with errors.ErrUnsupported.
func (UnimplementedDriver) Dequeue(context.Context, DequeueRequest) ([]*Job, error) {
	return nil, unsupported("Dequeue")
}

// Heartbeat fails with errors.ErrUnsupported.
func (UnimplementedDriver) Heartbeat(context.Context, []Lease, time.Duration) ([]LeaseStatus, error) {
	return nil, unsupported("Heartbeat")
}

// Finish fails with errors.ErrUnsupported.
func (UnimplementedDriver) Finish(context.Context, []Outcome) error { return unsupported("Finish") }

// Progress fails with errors.ErrUnsupported.
func (UnimplementedDriver) Progress(context.Context, Lease, int, string) error {
	return unsupported("Progress")
}

// Get fails with errors.ErrUnsupported.
func (UnimplementedDriver) Get(context.Context, string, string) (*Job, error) {
	return nil, unsupported("Get")
}

// List fails with errors.ErrUnsupported.
func (UnimplementedDriver) List(context.Context, string, State, int) ([]*Job, error) {
	return nil, unsupported("List")
}

// Cancel fails with errors.ErrUnsupported.
func (UnimplementedDriver) Cancel(context.Context, string, string) (*Job, error) {
	return nil, unsupported("Cancel")
}

// Requeue fails with errors.ErrUnsupported.
func (UnimplementedDriver) Requeue(context.Context, string, string) (*Job, error) {
	return nil, unsupported("Requeue")
}

// Recover fails with errors.ErrUnsupported.
func (UnimplementedDriver) Recover(context.Context) (int, error) { return 0, unsupported("Recover") }

// SetTenantLimit fails with errors.ErrUnsupported.
func (UnimplementedDriver) SetTenantLimit(context.Context, string, int) error {
	return unsupported("SetTenantLimit")
}

// Stats fails with errors.ErrUnsupported.
func (UnimplementedDriver) Stats(context.Context) ([]TenantStats, error) {
	return nil, unsupported("Stats")
}

var _ Driver = UnimplementedDriver{}
