package pgstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
)

// WithTenant runs fn in a transaction scoped to one tenant: the transaction
// switches to AppRole (SET LOCAL ROLE) and sets app.tenant_id with
// set_config(..., true), so row-level security shows fn only that tenant's
// rows and rejects writes of other tenants' rows. Both settings end with the
// transaction; the pooled connection carries nothing to its next user.
//
// Use WithTenant for everything done on behalf of an authenticated request
// or a job that belongs to a tenant.
//
// WithTenant commits if fn returns nil and rolls back if fn returns an error
// or panics (the panic continues). Errors from fn and from the database are
// translated (ErrNotFound, ErrConflict, ErrInvalid, ErrForbidden, ErrClosed)
// and keep the original error wrapped. A nil tenantID fails with ErrInvalid
// before any I/O. Safe for concurrent use.
func (s *Store) WithTenant(ctx context.Context, tenantID uuid.UUID, fn func(pgx.Tx) error) error {
	if tenantID == uuid.Nil {
		return fmt.Errorf("pgstore: with tenant: %w: tenant id is the nil uuid", ErrInvalid)
	}
	return s.inTx(ctx, fmt.Sprintf("tenant %q", tenantID.String()), fn,
		"SELECT set_config('role', $1, true), set_config('app.tenant_id', $2, true)",
		AppRole, tenantID.String())
}

// WithSystem runs fn in a system transaction: as the connecting role (the
// owner of the tables), without tenant context, with app.system set for the
// transaction so the owner's system_access policy shows every tenant's rows.
//
// Use WithSystem only for operations that are not scoped to one tenant by
// nature: creating or deleting a tenant, the login lookup of a user by email
// before the tenant is known, pruning expired idempotency keys or old audit
// rows across tenants, operator tooling. Everything else uses WithTenant.
//
// Commit, rollback, panic and error translation behave as in WithTenant.
// Safe for concurrent use.
func (s *Store) WithSystem(ctx context.Context, fn func(pgx.Tx) error) error {
	return s.inTx(ctx, "system transaction", fn, "SELECT set_config('app.system', 'on', true)")
}

func (s *Store) inTx(ctx context.Context, what string, fn func(pgx.Tx) error, setup string, args ...any) error {
	if fn == nil {
		return fmt.Errorf("pgstore: %s: %w: fn is nil", what, ErrInvalid)
	}
	if s.closed.Load() {
		return fmt.Errorf("pgstore: %s: %w", what, ErrClosed)
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("pgstore: %s: begin: %w", what, interpretError(err))
	}
	committed := false
	defer func() {
		if !committed {
			// A failed rollback makes pgx close the connection, so the
			// pool never reuses one left inside the transaction.
			_ = tx.Rollback(ctx)
		}
	}()
	if _, err := tx.Exec(ctx, setup, args...); err != nil {
		return fmt.Errorf("pgstore: %s: set scope: %w", what, interpretError(err))
	}
	if err := fn(tx); err != nil {
		return interpretError(err)
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("pgstore: %s: commit: %w", what, interpretError(err))
	}
	committed = true
	return nil
}
