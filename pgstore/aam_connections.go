package pgstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
)

func quote(s string) string { return strconv.Quote(s) }

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

func marshalConfig(cfg connectors.Config) ([]byte, error) {
	if cfg == nil {
		cfg = connectors.Config{}
	}
	return jsonbValue(cfg)
}

// CreateConnection stores c for tenant (c.TenantID, CreatedAt and UpdatedAt
// are ignored; the store sets them). A nil id, an empty name or type wrap
// aam.ErrInvalid; a name the tenant already uses wraps aam.ErrConflict.
// SealedSecrets are stored as given. Safe for concurrent use.
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
	err = a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
INSERT INTO connections (tenant_id, id, name, type, config, sealed_secrets)
VALUES ($1, $2, $3, $4, $5, $6)`,
			tenant, c.ID, c.Name, c.Type, cfg, nullBytes(c.SealedSecrets))
		return err
	})
	return aamError(connectionWhat(op, c.ID), err)
}

// UpdateConnection replaces the name, config and sealed secrets of an
// existing connection of tenant; its type stays. ErrNotFound (both ours and
// aam's) if the tenant has no such connection, aam.ErrConflict if the new
// name is taken, aam.ErrInvalid for a nil id or empty name. Safe for
// concurrent use.
func (a *AAM) UpdateConnection(ctx context.Context, tenant uuid.UUID, c aam.Connection) error {
	const op = "update connection"
	if err := checkConnection(op, tenant, c); err != nil {
		return err
	}
	cfg, err := marshalConfig(c.Config)
	if err != nil {
		return invalid(op, "config: %v", err)
	}
	err = a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
UPDATE connections SET name = $3, config = $4, sealed_secrets = $5, updated_at = now()
WHERE tenant_id = $1 AND id = $2`,
			tenant, c.ID, c.Name, cfg, nullBytes(c.SealedSecrets))
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return nil
	})
	return aamError(connectionWhat(op, c.ID), err)
}

// DeleteConnection removes a connection of tenant, with its mapping
// versions, checkpoints, quarantined records, snapshots and drift events;
// its events stay in the stream. ErrNotFound if absent. Safe for
// concurrent use.
func (a *AAM) DeleteConnection(ctx context.Context, tenant, id uuid.UUID) error {
	const op = "delete connection"
	if err := checkTenant(op, tenant); err != nil {
		return err
	}
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "DELETE FROM connections WHERE tenant_id = $1 AND id = $2", tenant, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return ErrNotFound
		}
		return nil
	})
	return aamError(connectionWhat(op, id), err)
}

const connectionColumns = "id, tenant_id, name, type, config, sealed_secrets, created_at, updated_at"

func scanConnection(row pgx.CollectableRow) (aam.Connection, error) {
	var (
		c   aam.Connection
		cfg []byte
	)
	if err := row.Scan(&c.ID, &c.TenantID, &c.Name, &c.Type, &cfg, &c.SealedSecrets, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return c, err
	}
	if err := json.Unmarshal(cfg, &c.Config); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return c, nil
}

// Connection returns one connection of tenant; ErrNotFound if absent. Safe
// for concurrent use.
func (a *AAM) Connection(ctx context.Context, tenant, id uuid.UUID) (aam.Connection, error) {
	const op = "connection"
	if err := checkTenant(op, tenant); err != nil {
		return aam.Connection{}, err
	}
	var c aam.Connection
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx,
			"SELECT "+connectionColumns+" FROM connections WHERE tenant_id = $1 AND id = $2", tenant, id)
		if err != nil {
			return err
		}
		c, err = pgx.CollectExactlyOneRow(rows, scanConnection)
		return err
	})
	if err != nil {
		return aam.Connection{}, aamError(connectionWhat(op, id), err)
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
	var list []aam.Connection
	err := a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx,
			"SELECT "+connectionColumns+` FROM connections WHERE tenant_id = $1 ORDER BY name COLLATE "C"`, tenant)
		if err != nil {
			return err
		}
		list, err = pgx.CollectRows(rows, scanConnection)
		return err
	})
	if err != nil {
		return nil, aamError(op, err)
	}
	return list, nil
}

// nullBytes stores an empty byte slice as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}
