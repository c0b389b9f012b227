package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

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
// fingerprint, or changes that are not JSON wrap aam.ErrInvalid; a drift
// event id the tenant already has wraps aam.ErrConflict, and then the
// snapshot is not stored either. Times are kept to the microsecond. Safe
// for concurrent use.
func (a *AAM) SaveSnapshot(ctx context.Context, tenant uuid.UUID, s aam.SchemaSnapshot, drift *aam.DriftEvent) error {
	const op = "save snapshot"
	if err := checkTenant(op, tenant); err != nil {
		return err
	}
	if err := s.Validate(); err != nil {
		return fmt.Errorf("pgstore: %s: %w", op, err)
	}
	schema, err := jsonbValue(s.Schema)
	if err != nil {
		return invalid(op, "schema: %v", err)
	}
	var records []byte
	if s.Records != nil {
		if records, err = jsonbValue(s.Records); err != nil {
			return invalid(op, "records: %v", err)
		}
	}
	if s.ObservedAt.IsZero() {
		s.ObservedAt = time.Now()
	}
	var changes []byte
	if drift != nil {
		if err := drift.Validate(); err != nil {
			return fmt.Errorf("pgstore: %s: %w", op, err)
		}
		if changes, err = marshalJSON(drift.Changes); err != nil {
			return invalid(op, "drift event: changes: %v", err)
		}
		if drift.ID == uuid.Nil {
			drift.ID = uuid.New()
		}
		if drift.DetectedAt.IsZero() {
			drift.DetectedAt = time.Now()
		}
	}
	err = a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		batch := &pgx.Batch{}
		batch.Queue(`
INSERT INTO schema_snapshots (tenant_id, connection_id, object, fingerprint, schema, records, observed_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			tenant, s.ConnectionID, s.Object, s.Fingerprint, schema, records, s.ObservedAt)
		if drift != nil {
			batch.Queue(`
INSERT INTO drift_events (tenant_id, id, connection_id, object, from_fingerprint, to_fingerprint, breaking, changes, detected_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
				tenant, drift.ID, drift.ConnectionID, drift.Object, drift.FromFingerprint, drift.ToFingerprint,
				drift.Breaking, changes, drift.DetectedAt)
		}
		return tx.SendBatch(ctx, batch).Close()
	})
	return aamError(snapshotWhat(op, s.ConnectionID, s.Object), err)
}

// LatestSnapshot returns the newest snapshot (by observation time, then by
// insertion) of a source object of tenant; ErrNotFound (ours and aam's) if
// there is none. Samples and record values hold JSON values, with int64
// for integral numbers. Safe for concurrent use.
func (a *AAM) LatestSnapshot(ctx context.Context, tenant, connection uuid.UUID, object string) (aam.SchemaSnapshot, error) {
	const op = "latest snapshot"
	if err := checkTenant(op, tenant); err != nil {
		return aam.SchemaSnapshot{}, err
	}
	var s aam.SchemaSnapshot
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		var schema, records []byte
		err := tx.QueryRow(ctx, `
SELECT connection_id, object, fingerprint, schema, records, observed_at
FROM schema_snapshots WHERE tenant_id = $1 AND connection_id = $2 AND object = $3
ORDER BY observed_at DESC, id DESC LIMIT 1`, tenant, connection, object).Scan(
			&s.ConnectionID, &s.Object, &s.Fingerprint, &schema, &records, &s.ObservedAt)
		if err != nil {
			return err
		}
		if err := decodeJSON(schema, &s.Schema); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		for i := range s.Schema.Fields {
			for j, v := range s.Schema.Fields[i].Samples {
				s.Schema.Fields[i].Samples[j] = canonical.NormalizeJSONNumbers(v)
			}
		}
		if err := decodeJSON(records, &s.Records); err != nil {
			return fmt.Errorf("records: %w", err)
		}
		return nil
	})
	if err != nil {
		return aam.SchemaSnapshot{}, aamError(snapshotWhat(op, connection, object), err)
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
	var filter any
	if connection != uuid.Nil {
		filter = connection
	}
	var list []aam.DriftEvent
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
SELECT id, connection_id, object, from_fingerprint, to_fingerprint, breaking, changes, detected_at
FROM drift_events WHERE tenant_id = $1 AND ($2::uuid IS NULL OR connection_id = $2)
ORDER BY detected_at DESC, seq DESC`, tenant, filter)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (aam.DriftEvent, error) {
			var (
				d       aam.DriftEvent
				changes []byte
			)
			err := row.Scan(&d.ID, &d.ConnectionID, &d.Object, &d.FromFingerprint, &d.ToFingerprint,
				&d.Breaking, &changes, &d.DetectedAt)
			d.Changes = rawJSON(changes)
			d.DetectedAt = d.DetectedAt.UTC()
			return d, err
		})
		return err
	})
	if err != nil {
		return nil, aamError(op, err)
	}
	return list, nil
}
