package duckstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

func snapshotWhat(op string, connection uuid.UUID, object string) string {
	return fmt.Sprintf("%s %q of connection %q", op, object, connection.String())
}

// SaveSnapshot stores a snapshot of tenant and, when drift is not nil, the
// drift event, in one transaction. A zero ObservedAt or DetectedAt is
// stored as the current time, a nil drift ID as a new random one (both
// written back into *drift). A nil connection id, an empty object or
// fingerprint, changes that are not JSON, or a connection the tenant does
// not have wrap aam.ErrInvalid; a drift event id the tenant already has
// wraps aam.ErrConflict, and then the snapshot is not stored either. Times
// are kept to the microsecond. Safe for concurrent use.
func (a *AAM) SaveSnapshot(ctx context.Context, tenant uuid.UUID, s aam.SchemaSnapshot, drift *aam.DriftEvent) error {
	const op = "save snapshot"
	if err := checkTenant(op, tenant); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return fmt.Errorf("duckstore: %s: %w", op, err)
	}
	schema, err := json.Marshal(s.Schema)
	if err != nil {
		return invalid(op, "schema: %v", err)
	}
	var records any
	if s.Records != nil {
		if records, err = jsonText(s.Records); err != nil {
			return invalid(op, "records: %v", err)
		}
	}
	if s.ObservedAt.IsZero() {
		s.ObservedAt = time.Now()
	}
	var changes any
	if drift != nil {
		if err := drift.Validate(); err != nil {
			return fmt.Errorf("duckstore: %s: %w", op, err)
		}
		if changes, err = jsonText(drift.Changes); err != nil {
			return invalid(op, "drift event: changes: %v", err)
		}
		if drift.ID == uuid.Nil {
			drift.ID = uuid.New()
		}
		if drift.DetectedAt.IsZero() {
			drift.DetectedAt = time.Now()
		}
	}
	err = a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		for _, conn := range []uuid.UUID{s.ConnectionID, driftConnection(drift)} {
			if conn == uuid.Nil {
				continue
			}
			ok, err := connectionExists(ctx, tx, tenant, conn)
			if err != nil {
				return err
			}
			if !ok {
				return fmt.Errorf("%w: connection %q does not exist", aam.ErrInvalid, conn.String())
			}
		}
		if _, err := tx.ExecContext(ctx, `
INSERT INTO schema_snapshots (tenant_id, connection_id, object, fingerprint, schema, records, observed_at)
VALUES (?, ?, ?, ?, ?, ?, ?)`,
			tenant, s.ConnectionID, s.Object, s.Fingerprint, string(schema), records, s.ObservedAt.UTC()); err != nil {
			return err
		}
		if drift == nil {
			return nil
		}
		var taken int
		if err := tx.QueryRowContext(ctx,
			"SELECT count(*) FROM drift_events WHERE tenant_id = ? AND id = ?", tenant, drift.ID).Scan(&taken); err != nil {
			return err
		}
		if taken > 0 {
			return fmt.Errorf("%w: drift event %q exists", aam.ErrConflict, drift.ID.String())
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO drift_events (tenant_id, id, connection_id, object, from_fingerprint, to_fingerprint, breaking, changes, detected_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenant, drift.ID, drift.ConnectionID, drift.Object, drift.FromFingerprint, drift.ToFingerprint,
			drift.Breaking, changes, drift.DetectedAt.UTC())
		return err
	})
	return aamError(ctx, snapshotWhat(op, s.ConnectionID, s.Object), err)
}

func driftConnection(d *aam.DriftEvent) uuid.UUID {
	if d == nil {
		return uuid.Nil
	}
	return d.ConnectionID
}

// LatestSnapshot returns the newest snapshot (by observation time, then by
// insertion) of a source object of tenant; aam.ErrNotFound if there is
// none. Samples and record values hold JSON values, with int64 for integral
// numbers. Safe for concurrent use.
func (a *AAM) LatestSnapshot(ctx context.Context, tenant, connection uuid.UUID, object string) (aam.SchemaSnapshot, error) {
	const op = "latest snapshot"
	if err := checkTenant(op, tenant); err != nil {
		return aam.SchemaSnapshot{}, err
	}
	var (
		s               aam.SchemaSnapshot
		schema, records sql.NullString
	)
	err := a.db.QueryRowContext(ctx, `
SELECT connection_id, object, fingerprint, schema, records, observed_at
FROM schema_snapshots WHERE tenant_id = ? AND connection_id = ? AND object = ?
ORDER BY observed_at DESC, id DESC LIMIT 1`, tenant, connection, object).Scan(
		&s.ConnectionID, &s.Object, &s.Fingerprint, &schema, &records, &s.ObservedAt)
	if err == nil {
		if err = decodeJSON(schema, &s.Schema); err != nil {
			err = fmt.Errorf("schema: %w", err)
		}
	}
	if err == nil {
		for i := range s.Schema.Fields {
			for j, v := range s.Schema.Fields[i].Samples {
				s.Schema.Fields[i].Samples[j] = canonical.NormalizeJSONNumbers(v)
			}
		}
		if err = decodeJSON(records, &s.Records); err != nil {
			err = fmt.Errorf("records: %w", err)
		}
	}
	if err != nil {
		return aam.SchemaSnapshot{}, aamError(ctx, snapshotWhat(op, connection, object), err)
	}
	s.ObservedAt = s.ObservedAt.UTC()
	return s, nil
}

// DriftEvents lists the tenant's drift events, newest first (by detection
// time, then by insertion); connection filters when not uuid.Nil. Safe for
// concurrent use.
func (a *AAM) DriftEvents(ctx context.Context, tenant, connection uuid.UUID) ([]aam.DriftEvent, error) {
	const op = "drift events"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	query := `
SELECT id, connection_id, object, from_fingerprint, to_fingerprint, breaking, changes, detected_at
FROM drift_events WHERE tenant_id = ?`
	args := []any{tenant}
	if connection != uuid.Nil {
		query += " AND connection_id = ?"
		args = append(args, connection)
	}
	rows, err := a.db.QueryContext(ctx, query+" ORDER BY detected_at DESC, seq DESC", args...)
	if err != nil {
		return nil, aamError(ctx, op, err)
	}
	defer rows.Close()
	var list []aam.DriftEvent
	for rows.Next() {
		var (
			d       aam.DriftEvent
			changes sql.NullString
		)
		if err := rows.Scan(&d.ID, &d.ConnectionID, &d.Object, &d.FromFingerprint, &d.ToFingerprint,
			&d.Breaking, &changes, &d.DetectedAt); err != nil {
			return nil, aamError(ctx, op, err)
		}
		d.Changes = rawJSON(changes)
		d.DetectedAt = d.DetectedAt.UTC()
		list = append(list, d)
	}
	if err := rows.Err(); err != nil {
		return nil, aamError(ctx, op, err)
	}
	return list, nil
}
