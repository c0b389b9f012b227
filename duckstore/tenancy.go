package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/tenancy"
)

// Tenancy is the local-mode implementation of tenancy.Store on the control
// store: tenants (the tenants table the aam store shares, so users and aam
// data share tenant ids), users, per-tenant settings, the audit log and
// idempotency keys, in the tables of migrations 0001 and 0007.
//
// As in AAM, isolation is by construction: every tenant-scoped statement
// filters by tenant_id. Writes are serialized through a write lock of
// their own (so API writes never queue behind a long sync batch) and
// retried on a DuckDB write-write conflict; the audit log is only ever
// inserted into. Errors wrap tenancy's sentinels; a taken name or e-mail is
// a tenancy.ErrConflict naming which, never DuckDB's text. Safe for
// concurrent use.
type Tenancy struct {
	db *sql.DB
	// w lends AAM's transaction runner (lock, retry on conflict) with a
	// write lock of the Tenancy's own.
	w *AAM
}

var _ tenancy.Store = (*Tenancy)(nil)

// NewTenancy returns the tenancy store of s, which must be open. It fails
// with tenancy.ErrInvalid if s is nil; it does no I/O.
func NewTenancy(s *Store) (*Tenancy, error) {
	if s == nil {
		return nil, fmt.Errorf("duckstore: new tenancy: %w", tenancy.ErrInvalid)
	}
	return &Tenancy{db: s.db, w: &AAM{db: s.db, sem: make(chan struct{}, 1)}}, nil
}

func (a *Tenancy) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return a.w.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error { return fn(tx) })
}

// tenancyError is the one place this adapter translates errors: no rows
// becomes ErrNotFound, a duplicate key a clean ErrConflict naming what is
// taken, a lost write-write conflict ErrConflict, another constraint
// ErrInvalid.
func tenancyError(op string, err error) error {
	var te *tenancy.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &te):
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("duckstore: %s: %w", op, tenancy.Errorf(tenancy.ErrNotFound, "not found"))
	case isDuplicateKey(err):
		what := "tenant name is taken"
		if de, _ := duckError(err); strings.Contains(de.Msg, "email") {
			what = "e-mail is taken"
		}
		return fmt.Errorf("duckstore: %s: %w", op, tenancy.Errorf(tenancy.ErrConflict, "%s", what))
	case isTxConflict(err):
		return fmt.Errorf("duckstore: %s: %w: %w", op, tenancy.ErrConflict, err)
	default:
		if de, ok := duckError(err); ok && de.Type == duckdb.ErrorTypeConstraint {
			return fmt.Errorf("duckstore: %s: %w: %w", op, tenancy.ErrInvalid, err)
		}
	}
	return fmt.Errorf("duckstore: %s: %w", op, err)
}

// tenantCreateError translates the error of the aam store's CreateTenant:
// a taken name is a clean aam.ErrConflict without DuckDB's text.
func tenantCreateError(ctx context.Context, op string, err error) error {
	if isDuplicateKey(err) {
		return fmt.Errorf("duckstore: %s: %w: tenant name is taken", op, aam.ErrConflict)
	}
	return aamError(ctx, op, err)
}

func nilTenant(op string, id uuid.UUID) error {
	if err := tenancy.ValidateTenantID(id); err != nil {
		return fmt.Errorf("duckstore: %s: %w", op, err)
	}
	return nil
}

func tenantExists(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}, id uuid.UUID) error {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM tenants WHERE id = ?", id).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return tenancy.Errorf(tenancy.ErrNotFound, "no such tenant")
	}
	return nil
}

// CreateTenant stores t.
func (a *Tenancy) CreateTenant(ctx context.Context, t tenancy.Tenant) error {
	const op = "create tenant"
	if err := t.Validate(); err != nil {
		return fmt.Errorf("duckstore: %s: %w", op, err)
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error { return insertTenant(ctx, tx, t) }))
}

func insertTenant(ctx context.Context, tx *sql.Tx, t tenancy.Tenant) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM tenants WHERE name = ?", t.Name).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return tenancy.Errorf(tenancy.ErrConflict, "tenant name is taken")
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?)", t.ID, t.Name, t.CreatedAt); err != nil {
		return err
	}
	if t.RateLimit != 0 {
		_, err := tx.ExecContext(ctx, "INSERT INTO tenant_settings (tenant_id, rate_limit) VALUES (?, ?)", t.ID, t.RateLimit)
		return err
	}
	return nil
}

const tenantSelect = `SELECT t.id, t.name, coalesce(s.rate_limit, 0), t.created_at
FROM tenants t LEFT JOIN tenant_settings s ON s.tenant_id = t.id `

// Tenant finds a tenant by id.
func (a *Tenancy) Tenant(ctx context.Context, id uuid.UUID) (tenancy.Tenant, error) {
	return a.tenantWhere(ctx, "tenant", "WHERE t.id = ?", id)
}

// TenantByName finds a tenant by name.
func (a *Tenancy) TenantByName(ctx context.Context, name string) (tenancy.Tenant, error) {
	return a.tenantWhere(ctx, "tenant by name", "WHERE t.name = ?", name)
}

func (a *Tenancy) tenantWhere(ctx context.Context, op, where string, arg any) (tenancy.Tenant, error) {
	var t tenancy.Tenant
	err := a.db.QueryRowContext(ctx, tenantSelect+where, arg).Scan(&t.ID, &t.Name, &t.RateLimit, &t.CreatedAt)
	if err != nil {
		return tenancy.Tenant{}, tenancyError(op, err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// SetRateLimit sets the tenant's requests per minute.
func (a *Tenancy) SetRateLimit(ctx context.Context, tenant uuid.UUID, perMinute int) error {
	const op = "set rate limit"
	if err := nilTenant(op, tenant); err != nil {
		return err
	}
	if perMinute < 0 {
		return fmt.Errorf("duckstore: %s: %w", op, tenancy.Errorf(tenancy.ErrInvalid, "rate limit must not be negative"))
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error {
		if err := tenantExists(ctx, tx, tenant); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO tenant_settings (tenant_id, rate_limit) VALUES (?, ?)
			ON CONFLICT (tenant_id) DO UPDATE SET rate_limit = EXCLUDED.rate_limit`, tenant, perMinute)
		return err
	}))
}
