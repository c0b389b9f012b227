package aam

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/connectors"
)

// CreateConnection creates a connection of the connector type typ for
// tenant. cfg is validated against the type's Spec; the parameters the Spec
// marks Secret are split off and sealed with AES-256-GCM under
// Options.SecretKey (bound to the tenant and the new connection's id), the
// rest is stored in clear. Parameters the Spec marks ConnectionUnique that
// cfg leaves unset get a value derived from the connection's id. When the
// connector keeps resources at the source (connectors.Provisioner), they are
// made before CreateConnection returns; if that fails, the connection is
// removed again and the error says why. The connection returned, like every connection
// the mesh returns, holds no secret values: Config lacks the secret
// parameters and SealedSecrets is nil.
//
// Errors wrap ErrInvalid (empty name, unknown type, a config the Spec
// refuses — then also connectors.ErrInvalidConfig —, or secret values
// without Options.SecretKey) or the store's ErrConflict (the name is taken)
// and never contain secret values.
func (m *Mesh) CreateConnection(ctx context.Context, tenant uuid.UUID, name, typ string, cfg connectors.Config) (Connection, error) {
	if tenant == uuid.Nil {
		return Connection{}, fmt.Errorf("%w: create connection %q: tenant is nil", ErrInvalid, name)
	}
	if strings.TrimSpace(name) == "" {
		return Connection{}, fmt.Errorf("%w: create connection: name is empty", ErrInvalid)
	}
	spec, ok := m.conns.Spec(typ)
	if !ok {
		return Connection{}, fmt.Errorf("%w: create connection %q: unknown connector type %q", ErrInvalid, name, typ)
	}
	if err := spec.ValidateConfig(cfg); err != nil {
		return Connection{}, fmt.Errorf("%w: create connection %q: %w", ErrInvalid, name, err)
	}
	id := uuid.New()
	cfg = withUniqueParams(spec, cfg, id)
	clearCfg, secrets := splitSecrets(spec, cfg)
	now := m.opts.Now().UTC()
	c := Connection{ID: id, TenantID: tenant, Name: name, Type: typ, Config: clearCfg, CreatedAt: now, UpdatedAt: now}
	sealed, err := m.sealer.seal(tenant, c.ID, secrets)
	if err != nil {
		return Connection{}, fmt.Errorf("aam: create connection %q: %w", name, err)
	}
	c.SealedSecrets = sealed
	if err := m.store.CreateConnection(ctx, tenant, c); err != nil {
		return Connection{}, fmt.Errorf("aam: create connection %q: %w", name, err)
	}
	if err := m.provision(ctx, tenant, c.ID, true); err != nil {
		// A connection whose source resources could not be made is not
		// kept: creating it again retries from a clean state.
		if derr := m.store.DeleteConnection(context.WithoutCancel(ctx), tenant, c.ID); derr != nil {
			err = errors.Join(err, fmt.Errorf("remove the half-created connection: %w", derr))
		}
		return Connection{}, fmt.Errorf("aam: create connection %q: %w", name, err)
	}
	m.log.InfoContext(ctx, "aam: connection created", "tenant", tenant, "connection", c.ID, "name", name, "type", typ, "secret_params", secretNames(secrets))
	return public(c), nil
}

// UpdateConnection replaces the name (kept when name is empty) and the
// configuration of a connection; its type cannot change. A secret parameter
// absent from cfg, or given as "", keeps its sealed value, so a
// configuration read back from the mesh (which omits secrets) can be edited
// and written again. The secrets are sealed again with a new nonce, and the
// connection's circuit breaker starts afresh.
//
// Errors wrap the store's ErrNotFound, ErrInvalid (as for
// CreateConnection) or ErrConflict (the new name is taken).
func (m *Mesh) UpdateConnection(ctx context.Context, tenant, id uuid.UUID, name string, cfg connectors.Config) (Connection, error) {
	c, err := m.store.Connection(ctx, tenant, id)
	if err != nil {
		return Connection{}, fmt.Errorf("aam: update connection %s: %w", id, err)
	}
	spec, ok := m.conns.Spec(c.Type)
	if !ok {
		return Connection{}, fmt.Errorf("%w: update connection %q: unknown connector type %q", ErrInvalid, c.Name, c.Type)
	}
	old, err := m.sealer.open(tenant, id, c.SealedSecrets)
	if err != nil {
		return Connection{}, fmt.Errorf("aam: update connection %q: %w", c.Name, err)
	}
	merged := maps.Clone(cfg)
	if merged == nil {
		merged = connectors.Config{}
	}
	for k, v := range old {
		if merged[k] == "" {
			merged[k] = v
		}
	}
	if err := spec.ValidateConfig(merged); err != nil {
		return Connection{}, fmt.Errorf("%w: update connection %q: %w", ErrInvalid, c.Name, err)
	}
	clearCfg, secrets := splitSecrets(spec, merged)
	if name != "" {
		c.Name = name
	}
	c.Config = clearCfg
	if c.SealedSecrets, err = m.sealer.seal(tenant, id, secrets); err != nil {
		return Connection{}, fmt.Errorf("aam: update connection %q: %w", c.Name, err)
	}
	c.UpdatedAt = m.opts.Now().UTC()
	if err := m.store.UpdateConnection(ctx, tenant, c); err != nil {
		return Connection{}, fmt.Errorf("aam: update connection %q: %w", c.Name, err)
	}
	m.dropBreaker(id)
	m.log.InfoContext(ctx, "aam: connection updated", "tenant", tenant, "connection", id, "name", c.Name, "type", c.Type, "secret_params", secretNames(secrets))
	return public(c), nil
}

// DeleteConnection deletes a connection. A connector that keeps resources
// at the source (connectors.Provisioner: a replication slot) removes them
// first; if that fails the connection is kept and the error says why, since
// the resource would otherwise stay behind unseen. The error wraps the
// store's ErrNotFound when the connection does not exist.
func (m *Mesh) DeleteConnection(ctx context.Context, tenant, id uuid.UUID) error {
	if err := m.provision(ctx, tenant, id, false); err != nil {
		return fmt.Errorf("aam: delete connection %s: %w", id, err)
	}
	if err := m.store.DeleteConnection(ctx, tenant, id); err != nil {
		return fmt.Errorf("aam: delete connection %s: %w", id, err)
	}
	m.dropBreaker(id)
	m.log.InfoContext(ctx, "aam: connection deleted", "tenant", tenant, "connection", id)
	return nil
}

// Connection returns one connection without its secrets (see
// CreateConnection). The error wraps ErrNotFound when it does not exist.
func (m *Mesh) Connection(ctx context.Context, tenant, id uuid.UUID) (Connection, error) {
	c, err := m.store.Connection(ctx, tenant, id)
	if err != nil {
		return Connection{}, fmt.Errorf("aam: connection %s: %w", id, err)
	}
	return public(c), nil
}

// Connections lists the tenant's connections by name, without secrets.
func (m *Mesh) Connections(ctx context.Context, tenant uuid.UUID) ([]Connection, error) {
	cs, err := m.store.Connections(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("aam: connections: %w", err)
	}
	for i := range cs {
		cs[i] = public(cs[i])
	}
	return cs, nil
}

// SecretParams returns the names of the connector type's secret parameters
// (those Connection values never carry), sorted as in the Spec; nil for an
// unknown type.
func (m *Mesh) SecretParams(typ string) []string {
	spec, ok := m.conns.Spec(typ)
	if !ok {
		return nil
	}
	var names []string
	for _, p := range spec.Params {
		if p.Secret {
			names = append(names, p.Name)
		}
	}
	return names
}

// CheckConnection opens the connection's connector and runs its Check. The
// error wraps the connector's error (connectors.ErrInvalidConfig,
// ErrUnauthorized ...), with any secret value masked.
func (m *Mesh) CheckConnection(ctx context.Context, tenant, id uuid.UUID) error {
	s, err := m.open(ctx, tenant, id)
	if err != nil {
		return err
	}
	defer s.close()
	if err := s.c.Check(ctx); err != nil {
		return fmt.Errorf("aam: check connection %q: %w", s.conn.Name, s.redact(err))
	}
	return nil
}

func public(c Connection) Connection {
	c.SealedSecrets = nil
	c.Config = maps.Clone(c.Config)
	return c
}

func splitSecrets(spec connectors.Spec, cfg connectors.Config) (connectors.Config, map[string]string) {
	clearCfg := connectors.Config{}
	var secrets map[string]string
	for k, v := range cfg {
		if p, _ := spec.Param(k); p.Secret {
			if v != "" {
				if secrets == nil {
					secrets = make(map[string]string)
				}
				secrets[k] = v
			}
			continue
		}
		clearCfg[k] = v
	}
	return clearCfg, secrets
}

// secretNames lists which secret parameters are set, for logs (names
// only).
func secretNames(secrets map[string]string) []string {
	names := make([]string, 0, len(secrets))
	for k := range secrets {
		names = append(names, k)
	}
	return names
}

// session is an opened connector of one connection, with its secrets in
// memory for masking errors.
type session struct {
	conn    Connection
	c       connectors.Connector
	secrets []string
}

// open loads a connection, unseals its secrets in memory and makes its
// connector.
func (m *Mesh) open(ctx context.Context, tenant, id uuid.UUID) (*session, error) {
	c, err := m.store.Connection(ctx, tenant, id)
	if err != nil {
		return nil, fmt.Errorf("aam: connection %s: %w", id, err)
	}
	secrets, err := m.sealer.open(tenant, id, c.SealedSecrets)
	if err != nil {
		return nil, fmt.Errorf("aam: connection %q: %w", c.Name, err)
	}
	cfg := maps.Clone(c.Config)
	if cfg == nil {
		cfg = connectors.Config{}
	}
	s := &session{conn: public(c)}
	for k, v := range secrets {
		cfg[k] = v
		s.secrets = append(s.secrets, v)
	}
	conn, err := m.conns.New(c.Type, cfg)
	if err != nil {
		return nil, fmt.Errorf("aam: connection %q: open %s connector: %w", c.Name, c.Type, s.redact(err))
	}
	s.c = conn
	return s, nil
}

func (s *session) close() {
	if s.c != nil {
		_ = s.c.Close()
	}
}

// redact masks secret values in err's message; errors.Is and errors.As
// still see the original chain.
func (s *session) redact(err error) error {
	if err == nil || len(s.secrets) == 0 {
		return err
	}
	msg := err.Error()
	masked := msg
	for _, v := range s.secrets {
		if v != "" {
			masked = strings.ReplaceAll(masked, v, "[secret]")
		}
	}
	if masked == msg {
		return err
	}
	return &redactedError{msg: masked, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }

// Is and As reach the original chain without exposing its message through
// Unwrap, which loggers and wrappers might print.
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *redactedError) As(target any) bool   { return errors.As(e.err, target) }

// Discover opens the connection's connector and returns its catalog: the
// source objects with their schemas and samples. It goes through the
// connection's retries and circuit breaker; errors wrap ErrNotFound (no
// such connection), ErrBreakerOpen, or the connector's error with any
// secret masked. Discover records nothing; Observe records snapshots and
// drift.
func (m *Mesh) Discover(ctx context.Context, tenant, id uuid.UUID) (*connectors.Catalog, error) {
	s, err := m.open(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	defer s.close()
	var cat *connectors.Catalog
	err = m.retry(ctx, s, "discover", func() error {
		var err error
		cat, err = s.c.Discover(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("aam: discover connection %q: %w", s.conn.Name, s.redact(err))
	}
	if cat == nil {
		cat = &connectors.Catalog{}
	}
	return cat, nil
}

// withUniqueParams returns cfg with every unset connection-unique parameter
// of spec set to a value derived from the connection id.
func withUniqueParams(spec connectors.Spec, cfg connectors.Config, id uuid.UUID) connectors.Config {
	var out connectors.Config
	for _, p := range spec.Params {
		if !p.ConnectionUnique || cfg[p.Name] != "" {
			continue
		}
		if out == nil {
			out = maps.Clone(cfg)
			if out == nil {
				out = connectors.Config{}
			}
		}
		out[p.Name] = "aos_" + strings.ReplaceAll(id.String(), "-", "")[:12]
	}
	if out == nil {
		return cfg
	}
	return out
}

// provision calls the connector's Provision (up) or Deprovision (down) when
// it implements connectors.Provisioner. A connection that does not exist
// wraps ErrNotFound; the connector's error has its secrets masked.
func (m *Mesh) provision(ctx context.Context, tenant, id uuid.UUID, up bool) error {
	s, err := m.open(ctx, tenant, id)
	if err != nil {
		if !up && !errors.Is(err, ErrNotFound) {
			// A connector that cannot even be made (its configuration no
			// longer valid here) holds nothing this process could remove:
			// the connection is still deleted, with a warning.
			m.log.WarnContext(ctx, "aam: delete connection: connector not made, nothing deprovisioned", "tenant", tenant, "connection", id, "error", err)
			return nil
		}
		return err
	}
	defer s.close()
	p, ok := s.c.(connectors.Provisioner)
	if !ok {
		return nil
	}
	step := "deprovision"
	if up {
		step = "provision"
		err = p.Provision(ctx)
	} else {
		err = p.Deprovision(ctx)
	}
	if err != nil {
		return fmt.Errorf("%s the source's resources of connection %q: %w", step, s.conn.Name, s.redact(err))
	}
	m.log.InfoContext(ctx, "aam: connection "+step+"ed", "tenant", tenant, "connection", id, "name", s.conn.Name)
	return nil
}
