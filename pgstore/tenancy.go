package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/tenancy"
)

// Tenancy is the PostgreSQL implementation of tenancy.Store: tenants (the
// tenants table the aam store shares), users, per-tenant settings, the
// audit log and idempotency keys, in the tables of migrations 0001 and
// 0008, all under row-level security.
//
// Everything done for a tenant runs in WithTenant as the application role;
// only the operations that no tenant scopes by nature run in WithSystem:
// creating a tenant (and registering its first user), finding a tenant by
// name or id before a token names it, and the login lookup by e-mail. The
// application role cannot UPDATE or DELETE audit rows.
//
// Errors wrap tenancy's sentinels; a taken name or e-mail is a
// tenancy.ErrConflict whose message names which, never the database text.
// Safe for concurrent use.
type Tenancy struct {
	s *Store
}

var _ tenancy.Store = (*Tenancy)(nil)

// NewTenancy returns the tenancy store of s (migrated). It fails with
// tenancy.ErrInvalid if s is nil; it does no I/O.
func NewTenancy(s *Store) (*Tenancy, error) {
	if s == nil {
		return nil, fmt.Errorf("pgstore: new tenancy: %w", tenancy.ErrInvalid)
	}
	return &Tenancy{s: s}, nil
}

// Constraints whose violation tenancyError names for the client.
const (
	constraintTenantName = "tenants_name_key"
	constraintUserEmail  = "users_email_key"
)

// tenancyError is the one place this adapter translates errors to
// tenancy's sentinels. Unique violations become a clean conflict naming
// what is taken; the database text is dropped.
func tenancyError(op string, err error) error {
	if err == nil {
		return nil
	}
	var te *tenancy.Error
	if errors.As(err, &te) {
		return fmt.Errorf("pgstore: %s: %w", op, err)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == codeUniqueViolation {
		switch pgErr.ConstraintName {
		case constraintTenantName:
			return fmt.Errorf("pgstore: %s: %w", op, tenancy.Errorf(tenancy.ErrConflict, "tenant name is taken"))
		case constraintUserEmail:
			return fmt.Errorf("pgstore: %s: %w", op, tenancy.Errorf(tenancy.ErrConflict, "e-mail is taken"))
		}
		return fmt.Errorf("pgstore: %s: %w", op, tenancy.Errorf(tenancy.ErrConflict, "already exists"))
	}
	err = interpretError(err)
	for _, m := range [...]struct{ ours, theirs error }{
		{ErrNotFound, tenancy.ErrNotFound},
		{ErrConflict, tenancy.ErrConflict},
		{ErrInvalid, tenancy.ErrInvalid},
		{ErrForbidden, tenancy.ErrForbidden},
		{ErrClosed, tenancy.ErrUnavailable},
	} {
		if errors.Is(err, m.ours) {
			return fmt.Errorf("pgstore: %s: %w: %w", op, m.theirs, err)
		}
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// tenantCreateError translates the error of the aam store's CreateTenant:
// a taken name is a clean aam.ErrConflict without the database text.
func tenantCreateError(op string, err error) error {
	if errors.Is(tenancyError(op, err), tenancy.ErrConflict) {
		return fmt.Errorf("pgstore: %s: %w: tenant name is taken", op, aam.ErrConflict)
	}
	return aamError(op, err)
}

func nilTenant(op string, id uuid.UUID) error {
	if err := tenancy.ValidateTenantID(id); err != nil {
		return fmt.Errorf("pgstore: %s: %w", op, err)
	}
	return nil
}

// CreateTenant stores t in a system transaction.
func (a *Tenancy) CreateTenant(ctx context.Context, t tenancy.Tenant) error {
	const op = "create tenant"
	if err := t.Validate(); err != nil {
		return fmt.Errorf("pgstore: %s: %w", op, err)
	}
	return tenancyError(op, a.s.WithSystem(ctx, func(tx pgx.Tx) error {
		return insertTenant(ctx, tx, t)
	}))
}

func insertTenant(ctx context.Context, tx pgx.Tx, t tenancy.Tenant) error {
	if _, err := tx.Exec(ctx, "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)",
		t.ID, t.Name, t.CreatedAt); err != nil {
		return err
	}
	if t.RateLimit != 0 {
		_, err := tx.Exec(ctx, "INSERT INTO tenant_settings (tenant_id, rate_limit) VALUES ($1, $2)", t.ID, t.RateLimit)
		return err
	}
	return nil
}

const tenantSelect = `SELECT t.id, t.name, coalesce(s.rate_limit, 0), t.created_at
FROM tenants t LEFT JOIN tenant_settings s ON s.tenant_id = t.id `

// Tenant finds a tenant by id (system transaction: the caller may not be
// scoped to it yet).
func (a *Tenancy) Tenant(ctx context.Context, id uuid.UUID) (tenancy.Tenant, error) {
	return a.tenantWhere(ctx, "tenant", "WHERE t.id = $1", id)
}

// TenantByName finds a tenant by name.
func (a *Tenancy) TenantByName(ctx context.Context, name string) (tenancy.Tenant, error) {
	return a.tenantWhere(ctx, "tenant by name", "WHERE t.name = $1", name)
}

func (a *Tenancy) tenantWhere(ctx context.Context, op, where string, arg any) (tenancy.Tenant, error) {
	var t tenancy.Tenant
	err := a.s.WithSystem(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, tenantSelect+where, arg).Scan(&t.ID, &t.Name, &t.RateLimit, &t.CreatedAt)
	})
	if err != nil {
		return tenancy.Tenant{}, tenancyError(op, err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// SetRateLimit sets the tenant's requests per minute, in the tenant's scope.
func (a *Tenancy) SetRateLimit(ctx context.Context, tenant uuid.UUID, perMinute int) error {
	const op = "set rate limit"
	if err := nilTenant(op, tenant); err != nil {
		return err
	}
	if perMinute < 0 {
		return fmt.Errorf("pgstore: %s: %w", op, tenancy.Errorf(tenancy.ErrInvalid, "rate limit must not be negative"))
	}
	return tenancyError(op, a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM tenants WHERE id = $1", tenant).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return tenancy.Errorf(tenancy.ErrNotFound, "no such tenant")
		}
		_, err := tx.Exec(ctx, `INSERT INTO tenant_settings (tenant_id, rate_limit) VALUES ($1, $2)
			ON CONFLICT (tenant_id) DO UPDATE SET rate_limit = EXCLUDED.rate_limit`, tenant, perMinute)
		return err
	}))
}
