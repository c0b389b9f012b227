package pgstore

import (
	"context"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/tenancy"
)

// AppendAudit appends e in the tenant's scope; the application role may
// insert audit rows but neither update nor delete them.
func (a *Tenancy) AppendAudit(ctx context.Context, e tenancy.AuditEntry) error {
	const op = "append audit"
	if err := nilTenant(op, e.TenantID); err != nil {
		return err
	}
	return tenancyError(op, a.s.WithTenant(ctx, e.TenantID, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO audit_log
			(tenant_id, at, actor, action, target, request_id, outcome, status, client_ip)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			e.TenantID, e.At, e.UserID, e.Action, e.Target, e.RequestID, e.Outcome, e.Status, e.ClientIP)
		return err
	}))
}

// AuditEntries lists the tenant's entries newest first, below before.
func (a *Tenancy) AuditEntries(ctx context.Context, tenant uuid.UUID, before int64, limit int) ([]tenancy.AuditEntry, error) {
	const op = "audit entries"
	if err := nilTenant(op, tenant); err != nil {
		return nil, err
	}
	if before <= 0 {
		before = 1<<63 - 1
	}
	var out []tenancy.AuditEntry
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, tenant_id, actor, action, target, request_id, outcome, status, client_ip, at
			FROM audit_log WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (tenancy.AuditEntry, error) {
			var e tenancy.AuditEntry
			err := r.Scan(&e.ID, &e.TenantID, &e.UserID, &e.Action, &e.Target, &e.RequestID, &e.Outcome, &e.Status, &e.ClientIP, &e.At)
			e.At = e.At.UTC()
			return e, err
		})
		return err
	})
	return out, tenancyError(op, err)
}
