package pgstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/aam"
)

// insertQualitySQL stores a batch's data-quality issues; an issue already
// recorded (same record, field and value) is kept as it was.
const insertQualitySQL = `
INSERT INTO quality_issues (tenant_id, connection_id, object, record_id, field, source, value, reason, event_id, mapping_version, created_at)
SELECT $1, u.connection_id, u.object, u.record_id, u.field, u.source, u.value, u.reason, u.event_id, u.mapping_version, u.created_at
FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::integer[], $11::timestamptz[])
    WITH ORDINALITY AS u(connection_id, object, record_id, field, source, value, reason, event_id, mapping_version, created_at, ord)
ORDER BY u.ord
ON CONFLICT (tenant_id, connection_id, object, record_id, field, value) DO NOTHING`

// queueQuality adds the insert of qs to b (nothing when qs is empty). The
// issues are validated first; the error wraps aam.ErrInvalid.
func queueQuality(op string, b *pgx.Batch, tenant uuid.UUID, qs []aam.QualityIssue) error {
	if len(qs) == 0 {
		return nil
	}
	n := len(qs)
	var (
		conns    = make([]uuid.UUID, n)
		objects  = make([]string, n)
		records  = make([]string, n)
		fields   = make([]string, n)
		sources  = make([]string, n)
		values   = make([]string, n)
		reasons  = make([]string, n)
		events   = make([]string, n)
		versions = make([]int32, n)
		created  = make([]any, n)
	)
	for i := range qs {
		q := &qs[i]
		if err := q.Validate(); err != nil {
			return fmt.Errorf("pgstore: %s: quality issue %d: %w", op, i, err)
		}
		conns[i], objects[i], records[i], fields[i] = q.ConnectionID, noNUL(q.Object), noNUL(q.RecordID), noNUL(q.Field)
		sources[i], values[i], reasons[i], events[i] = noNUL(q.Source), noNUL(q.Value), noNUL(q.Reason), q.EventID
		versions[i] = int32(q.MappingVersion)
		if !q.CreatedAt.IsZero() {
			created[i] = q.CreatedAt.UTC()
		}
	}
	b.Queue(insertQualitySQL, tenant, conns, objects, records, fields, sources, values, reasons, events, versions, created)
	return nil
}

// noNUL replaces the NUL character, which PostgreSQL text cannot hold.
func noNUL(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }

// QualityIssues lists tenant's data-quality issues, oldest first, filtered
// by f. Safe for concurrent use.
func (a *AAM) QualityIssues(ctx context.Context, tenant uuid.UUID, f aam.QualityFilter) ([]aam.QualityIssue, error) {
	const op = "quality issues"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	limit := int64(f.Limit)
	if limit <= 0 {
		limit = -1
	}
	var list []aam.QualityIssue
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
SELECT id, connection_id, object, record_id, field, source, value, reason, event_id, mapping_version, created_at
FROM quality_issues
WHERE tenant_id = $1 AND ($2::uuid = '00000000-0000-0000-0000-000000000000' OR connection_id = $2) AND ($3 = '' OR object = $3)
ORDER BY id
LIMIT CASE WHEN $4::bigint < 0 THEN NULL ELSE $4::bigint END`, tenant, f.ConnectionID, f.Object, limit)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (aam.QualityIssue, error) {
			var q aam.QualityIssue
			err := row.Scan(&q.ID, &q.ConnectionID, &q.Object, &q.RecordID, &q.Field, &q.Source, &q.Value, &q.Reason,
				&q.EventID, &q.MappingVersion, &q.CreatedAt)
			q.CreatedAt = q.CreatedAt.UTC()
			return q, err
		})
		return err
	})
	if err != nil {
		return nil, aamError(op, err)
	}
	if list == nil {
		list = []aam.QualityIssue{}
	}
	return list, nil
}
