package pgstore

import (
	"bytes"
	"context"
	"errors"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/tenancy"
)

// ClaimIdempotencyKey claims a key in the tenant's scope. The insert and
// the inspection of an existing row happen under the row's lock, so of two
// concurrent requests with one key exactly one claims it.
func (a *Tenancy) ClaimIdempotencyKey(ctx context.Context, c tenancy.IdempotencyClaim) (*tenancy.IdempotentResponse, error) {
	const op = "claim idempotency key"
	if err := nilTenant(op, c.TenantID); err != nil {
		return nil, err
	}
	var out *tenancy.IdempotentResponse
	err := a.s.WithTenant(ctx, c.TenantID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, created_at)
			VALUES ($1, $2, $3, 'in_flight', $4) ON CONFLICT (tenant_id, key) DO NOTHING`,
			c.TenantID, c.Key, c.Hash, c.Now)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return nil
		}
		var (
			hash    []byte
			status  string
			code    *int
			body    []byte
			created time.Time
		)
		err = tx.QueryRow(ctx, `SELECT request_hash, status, response_code, response, created_at
			FROM idempotency_keys WHERE key = $1 FOR UPDATE`, c.Key).Scan(&hash, &status, &code, &body, &created)
		if err != nil {
			return err
		}
		var decision error
		out, decision = tenancy.JudgeIdempotencyKey(c, tenancy.StoredKey{
			Hash: hash, Completed: status == "completed", Code: code, Body: body, CreatedAt: created})
		if errors.Is(decision, tenancy.ErrReclaim) {
			_, err := tx.Exec(ctx, `UPDATE idempotency_keys SET request_hash = $2, status = 'in_flight',
				response_code = NULL, response = NULL, created_at = $3 WHERE key = $1`, c.Key, c.Hash, c.Now)
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
func completeKey(ctx context.Context, tx pgx.Tx, done tenancy.Completion) error {
	tag, err := tx.Exec(ctx, `UPDATE idempotency_keys SET status = 'completed', response_code = $2, response = $3
		WHERE key = $1 AND status = 'in_flight'`, done.Key, done.Status, bytes.Clone(done.Body))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return tenancy.Errorf(tenancy.ErrNotFound, "idempotency key is not in flight")
	}
	return nil
}

// CompleteIdempotencyKey stores the response of a claimed key.
func (a *Tenancy) CompleteIdempotencyKey(ctx context.Context, done tenancy.Completion) error {
	const op = "complete idempotency key"
	if err := nilTenant(op, done.TenantID); err != nil {
		return err
	}
	return tenancyError(op, a.s.WithTenant(ctx, done.TenantID, func(tx pgx.Tx) error {
		return completeKey(ctx, tx, done)
	}))
}

// ReleaseIdempotencyKey deletes a key still in flight.
func (a *Tenancy) ReleaseIdempotencyKey(ctx context.Context, tenant uuid.UUID, key string) error {
	const op = "release idempotency key"
	if err := nilTenant(op, tenant); err != nil {
		return err
	}
	return tenancyError(op, a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "DELETE FROM idempotency_keys WHERE key = $1 AND status = 'in_flight'", key)
		return err
	}))
}
