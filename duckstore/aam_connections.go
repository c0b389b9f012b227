package duckstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
)

// connectionWhat names a connection in error messages.
func connectionWhat(op string, id uuid.UUID) string {
	return fmt.Sprintf("%s %q", op, id.String())
}

func checkConnection(op string, tenant uuid.UUID, c aam.Connection) error {
	if err := checkTenant(op, tenant); err != nil {
		return err
	}
	switch {
	case c.ID == uuid.Nil:
		return invalid(op, "connection id is the nil uuid")
	case c.Name == "":
		return invalid(op, "connection name is empty")
	}
	return nil
}

func marshalConfig(cfg connectors.Config) (string, error) {
	if cfg == nil {
		cfg = connectors.Config{}
	}
	b, err := json.Marshal(cfg)
	return string(b), err
}

// nullBytes stores an empty byte slice as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CreateConnection stores c for tenant (c.TenantID, CreatedAt and UpdatedAt
// are ignored; the store sets them). A nil id, an empty name or type wrap
// aam.ErrInvalid; a name (or id) the tenant already uses wraps
// aam.ErrConflict. SealedSecrets are stored as given. Safe for concurrent
// use.
func (a *AAM) CreateConnection(ctx context.Context, tenant uuid.UUID, c aam.Connection) error {
	const op = "create connection"
	if err := checkConnection(op, tenant, c); err != nil {
		return err
	}
	if c.Type == "" {
		return invalid(op, "connection type is empty")
	}
	cfg, err := marshalConfig(c.Config)
	if err != nil {
		return invalid(op, "config: %v", err)
	}
	err = a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
INSERT INTO connections (tenant_id, id, name, type, config, sealed_secrets) VALUES (?, ?, ?, ?, ?, ?)`,
			tenant, c.ID, c.Name, c.Type, cfg, nullBytes(c.SealedSecrets))
		return err
	})
	return aamError(ctx, connectionWhat(op, c.ID), err)
}

// UpdateConnection replaces the name, config and sealed secrets of an
// existing connection of tenant; its type stays. aam.ErrNotFound if the
// tenant has no such connection, aam.ErrConflict if the new name is taken,
// aam.ErrInvalid for a nil id or an empty name. Safe for concurrent use.
func (a *AAM) UpdateConnection(ctx context.Context, tenant uuid.UUID, c aam.Connection) error {
	const op = "update connection"
	if err := checkConnection(op, tenant, c); err != nil {
		return err
	}
	cfg, err := marshalConfig(c.Config)
	if err != nil {
		return invalid(op, "config: %v", err)
	}
	err = a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `
UPDATE connections SET name = ?, config = ?, sealed_secrets = ?, updated_at = now()
WHERE tenant_id = ? AND id = ?`,
			c.Name, cfg, nullBytes(c.SealedSecrets), tenant, c.ID)
		if err != nil {
			return err
		}
		return requireRow(res, c.ID)
	})
	return aamError(ctx, connectionWhat(op, c.ID), err)
}

// requireRow fails with aam.ErrNotFound when a write to connection id
// changed no row.
func requireRow(res sql.Result, id uuid.UUID) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: connection %q", aam.ErrNotFound, id.String())
	}
	return nil
}

// connectionTables are the tables whose rows belong to a connection and go
// with it; its events stay in the stream.
var connectionTables = [...]string{"mapping_versions", "checkpoints", "quarantine", "schema_snapshots", "drift_events", "mapping_proposals", "full_passes"}

// DeleteConnection removes a connection of tenant, with its mapping
// versions, checkpoints, quarantined records, snapshots, drift events and
// review proposals, in one transaction; its events stay in the stream.
// aam.ErrNotFound if absent. Safe for concurrent use.
func (a *AAM) DeleteConnection(ctx context.Context, tenant, id uuid.UUID) error {
	const op = "delete connection"
	if err := checkTenant(op, tenant); err != nil {
		return err
	}
	err := a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM connections WHERE tenant_id = ? AND id = ?", tenant, id)
		if err != nil {
			return err
		}
		if err := requireRow(res, id); err != nil {
			return err
		}
		for _, table := range connectionTables {
			if _, err := tx.ExecContext(ctx,
				"DELETE FROM "+table+" WHERE tenant_id = ? AND connection_id = ?", tenant, id); err != nil {
				return fmt.Errorf("%s: %w", table, err)
			}
		}
		return nil
	})
	return aamError(ctx, connectionWhat(op, id), err)
}

const connectionColumns = "id, tenant_id, name, type, config, sealed_secrets, created_at, updated_at"

func scanConnection(row interface{ Scan(...any) error }) (aam.Connection, error) {
	var (
		c   aam.Connection
		cfg string
	)
	if err := row.Scan(&c.ID, &c.TenantID, &c.Name, &c.Type, &cfg, &c.SealedSecrets, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	if err := json.Unmarshal([]byte(cfg), &c.Config); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

// Connection returns one connection of tenant; aam.ErrNotFound if absent.
// Safe for concurrent use.
func (a *AAM) Connection(ctx context.Context, tenant, id uuid.UUID) (aam.Connection, error) {
	const op = "connection"
	if err := checkTenant(op, tenant); err != nil {
		return aam.Connection{}, err
	}
	c, err := scanConnection(a.db.QueryRowContext(ctx,
		"SELECT "+connectionColumns+" FROM connections WHERE tenant_id = ? AND id = ?", tenant, id))
	if err != nil {
		return aam.Connection{}, aamError(ctx, connectionWhat(op, id), err)
	}
	return c, nil
}

// Connections lists the tenant's connections ordered by name (byte order).
// Safe for concurrent use.
func (a *AAM) Connections(ctx context.Context, tenant uuid.UUID) ([]aam.Connection, error) {
	const op = "connections"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	rows, err := a.db.QueryContext(ctx,
		"SELECT "+connectionColumns+" FROM connections WHERE tenant_id = ? ORDER BY name", tenant)
	if err != nil {
		return nil, aamError(ctx, op, err)
	}
	defer rows.Close()
	var list []aam.Connection
	for rows.Next() {
		c, err := scanConnection(rows)
		if err != nil {
			return nil, aamError(ctx, op, err)
		}
		list = append(list, c)
	}
	if err := rows.Err(); err != nil {
		return nil, aamError(ctx, op, err)
	}
	return list, nil
}
