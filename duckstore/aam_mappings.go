package duckstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

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
		return fmt.Errorf("duckstore: %s: %w", op, err)
	}
	return nil
}

// PutMapping stores version req.ExpectedVersion+1 of a mapping and returns
// it, with Mapping.Version set to it. A stale writer (the active version is
// not ExpectedVersion) gets aam.ErrConflict and writes nothing; writers are
// serialized, so of two racing for the same version exactly one wins. A
// negative expected version, a nil connection id, an empty object, entity
// or author, or evidence that is not JSON wrap aam.ErrInvalid; a connection
// the tenant does not have wraps aam.ErrNotFound. Safe for concurrent use.
func (a *AAM) PutMapping(ctx context.Context, tenant uuid.UUID, req aam.PutMapping) (aam.MappingVersion, error) {
	const op = "put mapping"
	if err := checkMappingKey(op, tenant, req.MappingKey); err != nil {
		return aam.MappingVersion{}, err
	}
	if err := req.Validate(); err != nil {
		return aam.MappingVersion{}, fmt.Errorf("duckstore: %s: %w", op, err)
	}
	evidence, err := jsonText(req.Evidence)
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
	}
	if evidence != nil {
		v.Evidence = json.RawMessage(evidence.(string))
	}
	v.Mapping.Version = v.Version
	mapping, err := json.Marshal(v.Mapping)
	if err != nil {
		return aam.MappingVersion{}, invalid(op, "mapping: %v", err)
	}
	err = a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		ok, err := connectionExists(ctx, tx, tenant, req.ConnectionID)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("%w: connection %q", aam.ErrNotFound, req.ConnectionID.String())
		}
		var active int
		if err := tx.QueryRowContext(ctx, `
SELECT coalesce(max(version), 0) FROM mapping_versions WHERE tenant_id = ? AND connection_id = ? AND object = ?`,
			tenant, req.ConnectionID, req.Object).Scan(&active); err != nil {
			return err
		}
		if active != req.ExpectedVersion {
			return fmt.Errorf("%w: expected version %d is not the active version %d", aam.ErrConflict, req.ExpectedVersion, active)
		}
		return tx.QueryRowContext(ctx, `
INSERT INTO mapping_versions (tenant_id, connection_id, object, version, mapping, author, reason, evidence)
VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING created_at`,
			tenant, req.ConnectionID, req.Object, v.Version, string(mapping), req.Author, req.Reason, evidence).Scan(&v.CreatedAt)
	})
	if err != nil {
		return aam.MappingVersion{}, aamError(ctx, mappingWhat(op, req.MappingKey), err)
	}
	v.CreatedAt = v.CreatedAt.UTC()
	return v, nil
}

const mappingColumns = "tenant_id, connection_id, object, version, mapping, author, reason, evidence, created_at"

func scanMapping(row interface{ Scan(...any) error }) (aam.MappingVersion, error) {
	var (
		v        aam.MappingVersion
		mapping  string
		evidence sql.NullString
	)
	if err := row.Scan(&v.TenantID, &v.ConnectionID, &v.Object, &v.Version, &mapping,
		&v.Author, &v.Reason, &evidence, &v.CreatedAt); err != nil {
		return v, err
	}
	if err := json.Unmarshal([]byte(mapping), &v.Mapping); err != nil {
		return v, fmt.Errorf("mapping version %d: %w", v.Version, err)
	}
	v.Evidence = rawJSON(evidence)
	v.CreatedAt = v.CreatedAt.UTC()
	return v, nil
}

// queryMappings runs a query of mapping versions.
func (a *AAM) queryMappings(ctx context.Context, query string, args ...any) ([]aam.MappingVersion, error) {
	rows, err := a.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var list []aam.MappingVersion
	for rows.Next() {
		v, err := scanMapping(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, v)
	}
	return list, rows.Err()
}

// ActiveMapping returns the newest version of a mapping; aam.ErrNotFound if
// there is none. Safe for concurrent use.
func (a *AAM) ActiveMapping(ctx context.Context, tenant uuid.UUID, key aam.MappingKey) (aam.MappingVersion, error) {
	const op = "active mapping"
	if err := checkMappingKey(op, tenant, key); err != nil {
		return aam.MappingVersion{}, err
	}
	v, err := scanMapping(a.db.QueryRowContext(ctx, "SELECT "+mappingColumns+`
FROM mapping_versions WHERE tenant_id = ? AND connection_id = ? AND object = ?
ORDER BY version DESC LIMIT 1`, tenant, key.ConnectionID, key.Object))
	if err != nil {
		return aam.MappingVersion{}, aamError(ctx, mappingWhat(op, key), err)
	}
	return v, nil
}

// MappingHistory returns every version of a mapping, oldest first;
// aam.ErrNotFound if there is none. Safe for concurrent use.
func (a *AAM) MappingHistory(ctx context.Context, tenant uuid.UUID, key aam.MappingKey) ([]aam.MappingVersion, error) {
	const op = "mapping history"
	if err := checkMappingKey(op, tenant, key); err != nil {
		return nil, err
	}
	list, err := a.queryMappings(ctx, "SELECT "+mappingColumns+`
FROM mapping_versions WHERE tenant_id = ? AND connection_id = ? AND object = ?
ORDER BY version`, tenant, key.ConnectionID, key.Object)
	if err == nil && len(list) == 0 {
		err = aam.ErrNotFound
	}
	if err != nil {
		return nil, aamError(ctx, mappingWhat(op, key), err)
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
	// DuckDB orders UUIDs as their text, so connection_id needs no cast.
	list, err := a.queryMappings(ctx, "SELECT "+mappingColumns+`
FROM mapping_versions WHERE tenant_id = ?
QUALIFY row_number() OVER (PARTITION BY connection_id, object ORDER BY version DESC) = 1
ORDER BY connection_id, object`, tenant)
	if err != nil {
		return nil, aamError(ctx, op, err)
	}
	return list, nil
}
