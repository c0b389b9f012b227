package aam

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/canonical"
)

// PutMapping stores a new version of the mapping of one source object of
// one of the tenant's connections, after checking it: the connection
// exists, Author is set, and the mapping compiles against the canonical
// registry (canonical.NewMapper) and maps every required field of its
// entity. The mapping's Version is set to ExpectedVersion+1 and its Object,
// when empty, to the key's object. Objects already synced are re-read
// from their checkpoint only; records the previous version quarantined are
// retried by the next Sync.
//
// Errors wrap ErrInvalid (and canonical.ErrInvalidMapping for a mapping
// that does not fit its entity), ErrNotFound (no such connection) or
// ErrConflict (ExpectedVersion is not the active version: a stale writer).
func (m *Mesh) PutMapping(ctx context.Context, tenant uuid.UUID, req PutMapping) (MappingVersion, error) {
	if req.Object == "" {
		return MappingVersion{}, fmt.Errorf("%w: put mapping: object is empty", ErrInvalid)
	}
	if strings.TrimSpace(req.Author) == "" {
		return MappingVersion{}, fmt.Errorf("%w: put mapping %q: author is empty", ErrInvalid, req.Object)
	}
	if req.ExpectedVersion < 0 {
		return MappingVersion{}, fmt.Errorf("%w: put mapping %q: expected version %d is negative", ErrInvalid, req.Object, req.ExpectedVersion)
	}
	if _, err := m.store.Connection(ctx, tenant, req.ConnectionID); err != nil {
		return MappingVersion{}, fmt.Errorf("aam: put mapping %q: connection %s: %w", req.Object, req.ConnectionID, err)
	}
	mp := req.Mapping.Clone()
	switch mp.Object {
	case "":
		mp.Object = req.Object
	case req.Object:
	default:
		return MappingVersion{}, fmt.Errorf("%w: put mapping %q: the mapping names object %q", ErrInvalid, req.Object, mp.Object)
	}
	mp.Version = req.ExpectedVersion + 1
	if _, err := canonical.NewMapper(m.canon, mp, nil); err != nil {
		return MappingVersion{}, fmt.Errorf("%w: put mapping %q: %w", ErrInvalid, req.Object, err)
	}
	missing, err := mp.MissingRequired(m.canon)
	if err != nil {
		return MappingVersion{}, fmt.Errorf("%w: put mapping %q: %w", ErrInvalid, req.Object, err)
	}
	if len(missing) > 0 {
		return MappingVersion{}, fmt.Errorf("%w: put mapping %q: required %s fields not mapped: %s", ErrInvalid, req.Object, mp.Entity, strings.Join(missing, ", "))
	}
	req.Mapping = mp
	v, err := m.store.PutMapping(ctx, tenant, req)
	if err != nil {
		return MappingVersion{}, fmt.Errorf("aam: put mapping %q version %d: %w", req.Object, mp.Version, err)
	}
	m.log.InfoContext(ctx, "aam: mapping version stored", "tenant", tenant, "connection", req.ConnectionID, "object", req.Object, "entity", mp.Entity, "version", v.Version, "author", v.Author)
	return v, nil
}

// ActiveMapping returns the active version of one mapping; the error wraps
// ErrNotFound when there is none.
func (m *Mesh) ActiveMapping(ctx context.Context, tenant uuid.UUID, key MappingKey) (MappingVersion, error) {
	v, err := m.store.ActiveMapping(ctx, tenant, key)
	if err != nil {
		return MappingVersion{}, fmt.Errorf("aam: mapping %q: %w", key.Object, err)
	}
	return v, nil
}

// Mappings returns the active version of each of the tenant's mappings,
// ordered by connection and object; connection filters when not uuid.Nil.
func (m *Mesh) Mappings(ctx context.Context, tenant, connection uuid.UUID) ([]MappingVersion, error) {
	all, err := m.store.Mappings(ctx, tenant)
	if err != nil {
		return nil, fmt.Errorf("aam: mappings: %w", err)
	}
	if connection == uuid.Nil {
		return all, nil
	}
	out := all[:0:0]
	for _, v := range all {
		if v.ConnectionID == connection {
			out = append(out, v)
		}
	}
	return out, nil
}

// MappingHistory returns every version of one mapping, oldest first; the
// error wraps ErrNotFound when there is none.
func (m *Mesh) MappingHistory(ctx context.Context, tenant uuid.UUID, key MappingKey) ([]MappingVersion, error) {
	h, err := m.store.MappingHistory(ctx, tenant, key)
	if err != nil {
		return nil, fmt.Errorf("aam: mapping %q history: %w", key.Object, err)
	}
	return h, nil
}

// Events returns up to limit events of the tenant's canonical stream with
// offset > after, in offset order; entity filters when not empty.
func (m *Mesh) Events(ctx context.Context, tenant uuid.UUID, after int64, limit int, entity string) ([]StoredEvent, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("%w: events: limit %d must be positive", ErrInvalid, limit)
	}
	evs, err := m.store.ReadEvents(ctx, tenant, after, limit, entity)
	if err != nil {
		return nil, fmt.Errorf("aam: events: %w", err)
	}
	return evs, nil
}

// Quarantined lists the quarantined records of a connection's object (every
// object when object is empty), oldest first.
func (m *Mesh) Quarantined(ctx context.Context, tenant, connection uuid.UUID, object string) ([]QuarantinedRecord, error) {
	q, err := m.store.Quarantined(ctx, tenant, connection, object)
	if err != nil {
		return nil, fmt.Errorf("aam: quarantined: %w", err)
	}
	return q, nil
}

// DriftEvents lists the tenant's drift events, newest first; connection
// filters when not uuid.Nil.
func (m *Mesh) DriftEvents(ctx context.Context, tenant, connection uuid.UUID) ([]DriftEvent, error) {
	d, err := m.store.DriftEvents(ctx, tenant, connection)
	if err != nil {
		return nil, fmt.Errorf("aam: drift events: %w", err)
	}
	return d, nil
}
