package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
)

// CreateTenant creates a tenant with a new random id. An empty name wraps
// aam.ErrInvalid, a taken one aam.ErrConflict. Safe for concurrent use.
func (a *AAM) CreateTenant(ctx context.Context, name string) (aam.Tenant, error) {
	const op = "create tenant"
	if err := aam.ValidateTenantName(name); err != nil {
		return aam.Tenant{}, fmt.Errorf("duckstore: %s: %w", op, err)
	}
	t := aam.Tenant{ID: uuid.New(), Name: name}
	err := a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		return tx.QueryRowContext(ctx,
			"INSERT INTO tenants (id, name) VALUES (?, ?) RETURNING created_at", t.ID, name).Scan(&t.CreatedAt)
	})
	if err != nil {
		return aam.Tenant{}, tenantCreateError(ctx, op+" "+strconv.Quote(name), err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// TenantByName finds a tenant by name; no such tenant wraps
// aam.ErrNotFound. Safe for concurrent use.
func (a *AAM) TenantByName(ctx context.Context, name string) (aam.Tenant, error) {
	const op = "tenant by name"
	var t aam.Tenant
	err := a.db.QueryRowContext(ctx,
		"SELECT id, name, created_at FROM tenants WHERE name = ?", name).Scan(&t.ID, &t.Name, &t.CreatedAt)
	if err != nil {
		return aam.Tenant{}, aamError(ctx, op+" "+strconv.Quote(name), err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	return t, nil
}

// Tenants lists every tenant ordered by name. Safe for concurrent use.
func (a *AAM) Tenants(ctx context.Context) ([]aam.Tenant, error) {
	const op = "list tenants"
	rows, err := a.db.QueryContext(ctx, "SELECT id, name, created_at FROM tenants ORDER BY name")
	if err != nil {
		return nil, aamError(ctx, op, err)
	}
	defer rows.Close()
	var out []aam.Tenant
	for rows.Next() {
		var t aam.Tenant
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt); err != nil {
			return nil, aamError(ctx, op, err)
		}
		t.CreatedAt = t.CreatedAt.UTC()
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, aamError(ctx, op, err)
	}
	return out, nil
}
