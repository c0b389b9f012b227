package duckstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/tenancy"
)

// Register creates the tenant and its first user in one transaction.
func (a *Tenancy) Register(ctx context.Context, t tenancy.Tenant, admin tenancy.User) error {
	const op = "register"
	if err := tenancy.ValidateRegistration(t, admin); err != nil {
		return fmt.Errorf("duckstore: %s: %w", op, err)
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error {
		if err := insertTenant(ctx, tx, t); err != nil {
			return err
		}
		return insertUser(ctx, tx, admin)
	}))
}

func insertUser(ctx context.Context, tx *sql.Tx, u tenancy.User) error {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email = ?", u.Email).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return tenancy.Errorf(tenancy.ErrConflict, "e-mail is taken")
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO users (tenant_id, id, email, password_hash, role, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, u.TenantID, u.ID, u.Email, u.PasswordHash, string(u.Role), u.CreatedAt)
	return err
}

// CreateUser stores u and completes done's key in the same transaction.
func (a *Tenancy) CreateUser(ctx context.Context, u tenancy.User, done *tenancy.Completion) error {
	const op = "create user"
	if err := nilTenant(op, u.TenantID); err != nil {
		return err
	}
	if done != nil && done.TenantID != u.TenantID {
		return fmt.Errorf("duckstore: %s: %w", op, tenancy.Errorf(tenancy.ErrInvalid, "completion of another tenant"))
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error {
		if err := tenantExists(ctx, tx, u.TenantID); err != nil {
			return err
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

func scanUser(row rowScanner) (tenancy.User, error) {
	var u tenancy.User
	var role string
	err := row.Scan(&u.ID, &u.TenantID, &u.Email, &role, &u.PasswordHash, &u.CreatedAt)
	u.Role = tenancy.Role(role)
	u.CreatedAt = u.CreatedAt.UTC()
	return u, err
}

// UserByEmail is the login lookup, across tenants.
func (a *Tenancy) UserByEmail(ctx context.Context, email string) (tenancy.User, error) {
	u, err := scanUser(a.db.QueryRowContext(ctx, "SELECT "+userColumns+" FROM users WHERE email = ?", email))
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
	rows, err := a.db.QueryContext(ctx, "SELECT "+userColumns+" FROM users WHERE tenant_id = ? ORDER BY email", tenant)
	if err != nil {
		return nil, tenancyError(op, err)
	}
	defer rows.Close()
	var out []tenancy.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, tenancyError(op, err)
		}
		out = append(out, u)
	}
	return out, tenancyError(op, rows.Err())
}

// CountUsers counts the tenant's users.
func (a *Tenancy) CountUsers(ctx context.Context, tenant uuid.UUID) (int, error) {
	const op = "count users"
	if err := nilTenant(op, tenant); err != nil {
		return 0, err
	}
	var n int
	err := a.db.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE tenant_id = ?", tenant).Scan(&n)
	return n, tenancyError(op, err)
}

// DeleteUser removes one of the tenant's users.
func (a *Tenancy) DeleteUser(ctx context.Context, tenant, id uuid.UUID) error {
	const op = "delete user"
	if err := nilTenant(op, tenant); err != nil {
		return err
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error {
		return affectedOne(tx.ExecContext(ctx, "DELETE FROM users WHERE tenant_id = ? AND id = ?", tenant, id))
	}))
}

// SetPasswordHash replaces a user's hash.
func (a *Tenancy) SetPasswordHash(ctx context.Context, tenant, id uuid.UUID, hash string) error {
	const op = "set password hash"
	if err := nilTenant(op, tenant); err != nil {
		return err
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error {
		return affectedOne(tx.ExecContext(ctx, "UPDATE users SET password_hash = ? WHERE tenant_id = ? AND id = ?", hash, tenant, id))
	}))
}

// affectedOne turns a statement that changed no row into ErrNotFound.
func affectedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return tenancy.Errorf(tenancy.ErrNotFound, "not found")
	}
	return nil
}
