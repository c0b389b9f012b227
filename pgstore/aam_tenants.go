package pgstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/aam"
)

// CreateTenant creates a tenant with a new random id, in a system
// transaction. An empty name wraps aam.ErrInvalid, a taken one
// aam.ErrConflict. Safe for concurrent use.
func (a *AAM) CreateTenant(ctx context.Context, name string) (aam.Tenant, error) {
	const op = "create tenant"
	if err := aam.ValidateTenantName(name); err != nil {
		return aam.Tenant{}, fmt.Errorf("pgstore: %s: %w", op, err)
	}
	t := aam.Tenant{ID: uuid.New(), Name: name}
	err := a.s.WithSystem(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx,
			"INSERT INTO tenants (id, name) VALUES ($1, $2) RETURNING created_at",
			t.ID, name).Scan(&t.CreatedAt)
	})
	if err != nil {
		return aam.Tenant{}, tenantCreateError(op+" "+quote(name), err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// TenantByName finds a tenant by name, in a system transaction; no such
// tenant wraps aam.ErrNotFound. Safe for concurrent use.
func (a *AAM) TenantByName(ctx context.Context, name string) (aam.Tenant, error) {
	const op = "tenant by name"
	var t aam.Tenant
	err := a.s.WithSystem(ctx, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx,
			"SELECT id, name, created_at FROM tenants WHERE name = $1",
			name).Scan(&t.ID, &t.Name, &t.CreatedAt)
	})
	if err != nil {
		return aam.Tenant{}, aamError(op+" "+quote(name), err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// Tenants lists every tenant ordered by name, in a system transaction.
// Safe for concurrent use.
func (a *AAM) Tenants(ctx context.Context) ([]aam.Tenant, error) {
	var out []aam.Tenant
	err := a.s.WithSystem(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT id, name, created_at FROM tenants ORDER BY name")
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (aam.Tenant, error) {
			var t aam.Tenant
			err := r.Scan(&t.ID, &t.Name, &t.CreatedAt)
			t.CreatedAt = t.CreatedAt.UTC()
			return t, err
		})
		return err
	})
	if err != nil {
		return nil, aamError("list tenants", err)
	}
	return out, nil
}
