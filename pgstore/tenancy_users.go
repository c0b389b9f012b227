package pgstore

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/tenancy"
)

// Register creates the tenant and its first user in one system
// transaction.
func (a *Tenancy) Register(ctx context.Context, t tenancy.Tenant, admin tenancy.User) error {
	const op = "register"
	if err := tenancy.ValidateRegistration(t, admin); err != nil {
		return fmt.Errorf("pgstore: %s: %w", op, err)
	}
	return tenancyError(op, a.s.WithSystem(ctx, func(tx pgx.Tx) error {
		if err := insertTenant(ctx, tx, t); err != nil {
			return err
		}
		return insertUser(ctx, tx, admin)
	}))
}

func insertUser(ctx context.Context, tx pgx.Tx, u tenancy.User) error {
	_, err := tx.Exec(ctx, `INSERT INTO users (tenant_id, id, email, password_hash, role, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, u.TenantID, u.ID, u.Email, u.PasswordHash, string(u.Role), u.CreatedAt)
	return err
}

// CreateUser stores u in the tenant's scope and completes done's key in
// the same transaction.
func (a *Tenancy) CreateUser(ctx context.Context, u tenancy.User, done *tenancy.Completion) error {
	const op = "create user"
	if err := nilTenant(op, u.TenantID); err != nil {
		return err
	}
	if done != nil && done.TenantID != u.TenantID {
		return fmt.Errorf("pgstore: %s: %w", op, tenancy.Errorf(tenancy.ErrInvalid, "completion of another tenant"))
	}
	return tenancyError(op, a.s.WithTenant(ctx, u.TenantID, func(tx pgx.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT count(*) FROM tenants WHERE id = $1", u.TenantID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return tenancy.Errorf(tenancy.ErrNotFound, "no such tenant")
		}
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		if done != nil {
			return completeKey(ctx, tx, *done)
		}
		return nil
	}))
}

const userColumns = "id, tenant_id, email, role, password_hash, created_at"

func scanUser(row pgx.Row) (tenancy.User, error) {
	var u tenancy.User
	var role string
	err := row.Scan(&u.ID, &u.TenantID, &u.Email, &role, &u.PasswordHash, &u.CreatedAt)
	u.Role = tenancy.Role(role)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// UserByEmail is the login lookup, across tenants (system transaction).
func (a *Tenancy) UserByEmail(ctx context.Context, email string) (tenancy.User, error) {
	var u tenancy.User
	err := a.s.WithSystem(ctx, func(tx pgx.Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(ctx, "SELECT "+userColumns+" FROM users WHERE email = $1", email))
		return err
	})
	if err != nil {
		return tenancy.User{}, tenancyError("user by email", err)
	}
	return u, nil
}

// Users lists the tenant's users by e-mail.
func (a *Tenancy) Users(ctx context.Context, tenant uuid.UUID) ([]tenancy.User, error) {
	const op = "users"
	if err := nilTenant(op, tenant); err != nil {
		return nil, err
	}
	var out []tenancy.User
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+userColumns+" FROM users ORDER BY email")
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tenancy.User, error) { return scanUser(r) })
		return err
	})
	return out, tenancyError(op, err)
}

// CountUsers counts the tenant's users.
func (a *Tenancy) CountUsers(ctx context.Context, tenant uuid.UUID) (int, error) {
	const op = "count users"
	if err := nilTenant(op, tenant); err != nil {
		return 0, err
	}
	var n int
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, "SELECT count(*) FROM users").Scan(&n)
	})
	return n, tenancyError(op, err)
}

// DeleteUser removes one of the tenant's users; row-level security hides
// other tenants' users, so their ids are simply not found.
func (a *Tenancy) DeleteUser(ctx context.Context, tenant, id uuid.UUID) error {
	const op = "delete user"
	if err := nilTenant(op, tenant); err != nil {
		return err
	}
	return tenancyError(op, a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM users WHERE id = $1", id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return tenancy.Errorf(tenancy.ErrNotFound, "no such user")
		}
		return nil
	}))
}

// SetPasswordHash replaces a user's hash.
func (a *Tenancy) SetPasswordHash(ctx context.Context, tenant, id uuid.UUID, hash string) error {
	const op = "set password hash"
	if err := nilTenant(op, tenant); err != nil {
		return err
	}
	return tenancyError(op, a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE users SET password_hash = $2 WHERE id = $1", id, hash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return tenancy.Errorf(tenancy.ErrNotFound, "no such user")
		}
		return nil
	}))
}
