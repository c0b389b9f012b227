package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/tenancy"
)

// AppendAudit appends e. The adapter never updates or deletes audit rows.
func (a *Tenancy) AppendAudit(ctx context.Context, e tenancy.AuditEntry) error {
	const op = "append audit"
	if err := nilTenant(op, e.TenantID); err != nil {
		return err
	}
	if e.At.IsZero() {
		e.At = time.Now().UTC()
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_log
			(tenant_id, occurred_at, actor, action, target, request_id, outcome, status, client_ip)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
	rows, err := a.db.QueryContext(ctx, `SELECT id, tenant_id, actor, action, target, request_id, outcome, status, client_ip, occurred_at
		FROM audit_log WHERE tenant_id = ? AND id < ? ORDER BY id DESC LIMIT ?`, tenant, before, limit)
	if err != nil {
		return nil, tenancyError(op, err)
	}
	defer rows.Close()
	var out []tenancy.AuditEntry
	for rows.Next() {
		var e tenancy.AuditEntry
		if err := rows.Scan(&e.ID, &e.TenantID, &e.UserID, &e.Action, &e.Target, &e.RequestID, &e.Outcome, &e.Status, &e.ClientIP, &e.At); err != nil {
			return nil, tenancyError(op, err)
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, tenancyError(op, rows.Err())
}

// ClaimIdempotencyKey claims a key; the write lock makes the check and the
// insert atomic.
func (a *Tenancy) ClaimIdempotencyKey(ctx context.Context, c tenancy.IdempotencyClaim) (*tenancy.IdempotentResponse, error) {
	const op = "claim idempotency key"
	if err := nilTenant(op, c.TenantID); err != nil {
		return nil, err
	}
	var out *tenancy.IdempotentResponse
	err := a.write(ctx, func(tx *sql.Tx) error {
		var (
			k      tenancy.StoredKey
			status string
			code   sql.NullInt64
		)
		err := tx.QueryRowContext(ctx, `SELECT request_hash, status, response_code, response, created_at
			FROM idempotency_keys WHERE tenant_id = ? AND key = ?`, c.TenantID, c.Key).Scan(&k.Hash, &status, &code, &k.Body, &k.CreatedAt)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.ExecContext(ctx, `INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, created_at)
				VALUES (?, ?, ?, 'in_flight', ?)`, c.TenantID, c.Key, c.Hash, c.Now)
			return err
		}
		if err != nil {
			return err
		}
		k.Completed = status == "completed"
		if code.Valid {
			v := int(code.Int64)
			k.Code = &v
		}
		var decision error
		out, decision = tenancy.JudgeIdempotencyKey(c, k)
		if errors.Is(decision, tenancy.ErrReclaim) {
			_, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET request_hash = ?, status = 'in_flight',
				response_code = NULL, response = NULL, created_at = ? WHERE tenant_id = ? AND key = ?`, c.Hash, c.Now, c.TenantID, c.Key)
			return err
		}
		return decision
	})
	if err != nil {
		return nil, tenancyError(op, err)
	}
	return out, nil
}

// completeKey stores the response of a claimed key inside tx.
func completeKey(ctx context.Context, tx *sql.Tx, done tenancy.Completion) error {
	err := affectedOne(tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = 'completed', response_code = ?, response = ?
		WHERE tenant_id = ? AND key = ? AND status = 'in_flight'`, done.Status, done.Body, done.TenantID, done.Key))
	if errors.Is(err, tenancy.ErrNotFound) {
		return tenancy.Errorf(tenancy.ErrNotFound, "idempotency key is not in flight")
	}
	return err
}

// CompleteIdempotencyKey stores the response of a claimed key.
func (a *Tenancy) CompleteIdempotencyKey(ctx context.Context, done tenancy.Completion) error {
	const op = "complete idempotency key"
	if err := nilTenant(op, done.TenantID); err != nil {
		return err
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error { return completeKey(ctx, tx, done) }))
}

// ReleaseIdempotencyKey deletes a key still in flight.
func (a *Tenancy) ReleaseIdempotencyKey(ctx context.Context, tenant uuid.UUID, key string) error {
	const op = "release idempotency key"
	if err := nilTenant(op, tenant); err != nil {
		return err
	}
	return tenancyError(op, a.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM idempotency_keys WHERE tenant_id = ? AND key = ? AND status = 'in_flight'", tenant, key)
		return err
	}))
}
