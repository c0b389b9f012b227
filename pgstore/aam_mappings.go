package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/autonomos/autonomos/aam"
)

func mappingWhat(op string, key aam.MappingKey) string {
	return fmt.Sprintf("%s %q of connection %q", op, key.Object, key.ConnectionID.String())
}

func checkMappingKey(op string, tenant uuid.UUID, key aam.MappingKey) error {
	if err := checkTenant(op, tenant); err != nil {
		return err
	}
	if err := key.Validate(); err != nil {
		return fmt.Errorf("pgstore: %s: %w", op, err)
	}
	return nil
}

// putMappingSQL inserts version $4 only while the active version is $4-1:
// a stale writer inserts nothing (no row returned), and of two writers
// racing for the same version the second hits the primary key.
const putMappingSQL = `
INSERT INTO mapping_versions (tenant_id, connection_id, object, version, mapping, author, reason, evidence)
SELECT $1, $2, $3, $4, $5, $6, $7, $8
WHERE (SELECT coalesce(max(version), 0) FROM mapping_versions
       WHERE tenant_id = $1 AND connection_id = $2 AND object = $3) = $4 - 1
RETURNING created_at`

// PutMapping stores version req.ExpectedVersion+1 of a mapping and returns
// it, with Mapping.Version set to it. A stale writer (the active version is
// not ExpectedVersion) or one that loses a race for the same version gets
// aam.ErrConflict and writes nothing. A negative expected version, a nil
// connection id, an empty object, entity or author, or evidence that is not
// JSON wrap aam.ErrInvalid; a connection the tenant does not have wraps
// aam.ErrNotFound. Safe for concurrent use.
func (a *AAM) PutMapping(ctx context.Context, tenant uuid.UUID, req aam.PutMapping) (aam.MappingVersion, error) {
	const op = "put mapping"
	if err := checkMappingKey(op, tenant, req.MappingKey); err != nil {
		return aam.MappingVersion{}, err
	}
	if err := req.Validate(); err != nil {
		return aam.MappingVersion{}, fmt.Errorf("pgstore: %s: %w", op, err)
	}
	evidence, err := marshalJSON(req.Evidence)
	if err != nil {
		return aam.MappingVersion{}, invalid(op, "evidence: %v", err)
	}
	v := aam.MappingVersion{
		TenantID:   tenant,
		MappingKey: req.MappingKey,
		Version:    req.ExpectedVersion + 1,
		Mapping:    req.Mapping.Clone(),
		Author:     req.Author,
		Reason:     req.Reason,
		Evidence:   rawJSON(evidence),
	}
	v.Mapping.Version = v.Version
	mapping, err := jsonbValue(v.Mapping)
	if err != nil {
		return aam.MappingVersion{}, invalid(op, "mapping: %v", err)
	}
	what := mappingWhat(op, req.MappingKey)
	err = a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, putMappingSQL, tenant, req.ConnectionID, req.Object, v.Version,
			mapping, req.Author, req.Reason, evidence).Scan(&v.CreatedAt)
		var pgErr *pgconn.PgError
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return fmt.Errorf("%w: expected version %d is not the active version", ErrConflict, req.ExpectedVersion)
		case errors.As(err, &pgErr) && pgErr.Code == codeForeignKeyViolation:
			return fmt.Errorf("%w: connection %q", ErrNotFound, req.ConnectionID.String())
		}
		return err
	})
	if err != nil {
		return aam.MappingVersion{}, aamError(what, err)
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return v, nil
}

const mappingColumns = "tenant_id, connection_id, object, version, mapping, author, reason, evidence, created_at"

func scanMapping(row pgx.CollectableRow) (aam.MappingVersion, error) {
	var (
		v                 aam.MappingVersion
		mapping, evidence []byte
	)
	if err := row.Scan(&v.TenantID, &v.ConnectionID, &v.Object, &v.Version, &mapping,
		&v.Author, &v.Reason, &evidence, &v.CreatedAt); err != nil {
		return v, err
	}
	if err := json.Unmarshal(mapping, &v.Mapping); err != nil {
		return v, fmt.Errorf("mapping version %d: %w", v.Version, err)
	}
	v.Evidence = rawJSON(evidence)
	v.CreatedAt = v.CreatedAt.UTC()
	return v, nil
}

// ActiveMapping returns the newest version of a mapping; ErrNotFound (ours
// and aam's) if there is none. Safe for concurrent use.
func (a *AAM) ActiveMapping(ctx context.Context, tenant uuid.UUID, key aam.MappingKey) (aam.MappingVersion, error) {
	const op = "active mapping"
	if err := checkMappingKey(op, tenant, key); err != nil {
		return aam.MappingVersion{}, err
	}
	var v aam.MappingVersion
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+mappingColumns+`
FROM mapping_versions WHERE tenant_id = $1 AND connection_id = $2 AND object = $3
ORDER BY version DESC LIMIT 1`, tenant, key.ConnectionID, key.Object)
		if err != nil {
			return err
		}
		v, err = pgx.CollectExactlyOneRow(rows, scanMapping)
		return err
	})
	if err != nil {
		return aam.MappingVersion{}, aamError(mappingWhat(op, key), err)
	}
	return v, nil
}

// MappingHistory returns every version of a mapping, oldest first;
// ErrNotFound (ours and aam's) if there is none. Safe for concurrent use.
func (a *AAM) MappingHistory(ctx context.Context, tenant uuid.UUID, key aam.MappingKey) ([]aam.MappingVersion, error) {
	const op = "mapping history"
	if err := checkMappingKey(op, tenant, key); err != nil {
		return nil, err
	}
	var list []aam.MappingVersion
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT "+mappingColumns+`
FROM mapping_versions WHERE tenant_id = $1 AND connection_id = $2 AND object = $3
ORDER BY version`, tenant, key.ConnectionID, key.Object)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, scanMapping)
		if err == nil && len(list) == 0 {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return nil, aamError(mappingWhat(op, key), err)
	}
	return list, nil
}

// Mappings returns the active version of each of the tenant's mappings,
// ordered by connection id and object (byte order). Safe for concurrent
// use.
func (a *AAM) Mappings(ctx context.Context, tenant uuid.UUID) ([]aam.MappingVersion, error) {
	const op = "mappings"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	var list []aam.MappingVersion
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT DISTINCT ON (connection_id, object COLLATE \"C\") "+mappingColumns+`
FROM mapping_versions WHERE tenant_id = $1
ORDER BY connection_id, object COLLATE "C", version DESC`, tenant)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, scanMapping)
		return err
	})
	if err != nil {
		return nil, aamError(op, err)
	}
	return list, nil
}
