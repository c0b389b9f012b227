package duckstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
)

const insertQualitySQL = `
INSERT INTO quality_issues (tenant_id, connection_id, object, record_id, field, source, value, reason, event_id, mapping_version, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (tenant_id, connection_id, object, record_id, field, value) DO NOTHING`

// checkQuality validates a batch's data-quality issues and adds their
// connections to conns (checked to exist by Append); the error wraps
// aam.ErrInvalid.
func checkQuality(op string, qs []aam.QualityIssue, conns map[uuid.UUID]struct{}) error {
	for i := range qs {
		if err := qs[i].Validate(); err != nil {
			return fmt.Errorf("duckstore: %s: quality issue %d: %w", op, i, err)
		}
		conns[qs[i].ConnectionID] = struct{}{}
	}
	return nil
}

// insertQuality stores qs in tx; issues already recorded are kept as they
// were. A batch holds few of them, so a prepared statement serves.
func insertQuality(ctx context.Context, tx *sql.Tx, tenant uuid.UUID, qs []aam.QualityIssue, now time.Time) error {
	if len(qs) == 0 {
		return nil
	}
	stmt, err := tx.PrepareContext(ctx, insertQualitySQL)
	if err != nil {
		return fmt.Errorf("quality issues: %w", err)
	}
	defer stmt.Close()
	for _, q := range qs {
		at := q.CreatedAt
		if at.IsZero() {
			at = now
		}
		if _, err := stmt.ExecContext(ctx, tenant, q.ConnectionID, q.Object, q.RecordID, q.Field, q.Source, q.Value,
			q.Reason, q.EventID, q.MappingVersion, at.UTC()); err != nil {
			return fmt.Errorf("quality issue of record %q: %w", q.RecordID, err)
		}
	}
	return nil
}

// QualityIssues lists tenant's data-quality issues, oldest first, filtered
// by f. Safe for concurrent use.
func (a *AAM) QualityIssues(ctx context.Context, tenant uuid.UUID, f aam.QualityFilter) ([]aam.QualityIssue, error) {
	const op = "quality issues"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	query := `
SELECT id, connection_id, object, record_id, field, source, value, reason, event_id, mapping_version, created_at
FROM quality_issues WHERE tenant_id = ?`
	args := []any{tenant}
	if f.ConnectionID != uuid.Nil {
		query += " AND connection_id = ?"
		args = append(args, f.ConnectionID)
	}
	if f.Object != "" {
		query += " AND object = ?"
		args = append(args, f.Object)
	}
	query += " ORDER BY id"
	if f.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := a.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, aamError(ctx, op, err)
	}
	defer rows.Close()
	list := []aam.QualityIssue{}
	for rows.Next() {
		var q aam.QualityIssue
		if err := rows.Scan(&q.ID, &q.ConnectionID, &q.Object, &q.RecordID, &q.Field, &q.Source, &q.Value, &q.Reason,
			&q.EventID, &q.MappingVersion, &q.CreatedAt); err != nil {
			return nil, aamError(ctx, op, err)
		}
		q.CreatedAt = q.CreatedAt.UTC()
		list = append(list, q)
	}
	if err := rows.Err(); err != nil {
		return nil, aamError(ctx, op, err)
	}
	return list, nil
}
