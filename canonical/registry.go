package canonical

import "fmt"

// Registry holds the canonical entities: the five built-ins (account,
// contact, opportunity, invoice, cloud_cost) plus any custom entities given
// at construction. A Registry is immutable once built and safe for
// concurrent use; accessors return copies.
type Registry struct {
	entities []Entity
	index    map[string]*entityInfo
}

// entityInfo is the lookup form of one entity.
type entityInfo struct {
	entity Entity
	fields map[string]int // field name -> index in entity.Fields
}

// NewRegistry returns a registry of the built-in entities followed by extra,
// in the order given. A custom entity needs a unique snake_case name, at
// least one field, a required identifier as its first field, unique
// snake_case field names, known types, and a Ref naming a registered entity
// (built-in, custom, or itself) on every ref field. The error wraps
// ErrInvalidEntity and names the entity and field at fault.
func NewRegistry(extra ...Entity) (*Registry, error) {
	builtins := builtinEntities()
	r := &Registry{
		entities: make([]Entity, 0, len(builtins)+len(extra)),
		index:    make(map[string]*entityInfo, len(builtins)+len(extra)),
	}
	known := func(name string) bool { _, ok := r.index[name]; return ok }
	for _, e := range builtins {
		r.add(e)
	}
	for _, e := range extra {
		if err := validateEntity(e, known); err != nil {
			return nil, err
		}
		r.add(e.clone())
	}
	for _, e := range r.entities {
		for _, f := range e.Fields {
			if f.Type == Ref && !known(f.Ref) {
				return nil, fmt.Errorf("%w: entity %q: field %q refers to unknown entity %q", ErrInvalidEntity, e.Name, f.Name, f.Ref)
			}
		}
	}
	return r, nil
}

func (r *Registry) add(e Entity) {
	info := &entityInfo{entity: e, fields: make(map[string]int, len(e.Fields))}
	for i, f := range e.Fields {
		info.fields[f.Name] = i
	}
	r.entities = append(r.entities, e)
	r.index[e.Name] = info
}

// Entity returns a copy of the entity named name, if registered.
func (r *Registry) Entity(name string) (Entity, bool) {
	info, ok := r.index[name]
	if !ok {
		return Entity{}, false
	}
	return info.entity.clone(), true
}

// Entities returns copies of all entities: built-ins first, in the canonical
// schema document's order, then custom entities in registration order.
func (r *Registry) Entities() []Entity {
	out := make([]Entity, len(r.entities))
	for i, e := range r.entities {
		out[i] = e.clone()
	}
	return out
}

// Names returns the entity names, in the order of Entities.
func (r *Registry) Names() []string {
	out := make([]string, len(r.entities))
	for i, e := range r.entities {
		out[i] = e.Name
	}
	return out
}

// Version returns the canonical schema version, SchemaVersion.
func (r *Registry) Version() int { return SchemaVersion }

// lookup returns the indexed entity, or an error wrapping ErrUnknownEntity.
func (r *Registry) lookup(name string) (*entityInfo, error) {
	info, ok := r.index[name]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownEntity, name)
	}
	return info, nil
}

// field returns the named field of the entity.
func (info *entityInfo) field(name string) (Field, bool) {
	i, ok := info.fields[name]
	if !ok {
		return Field{}, false
	}
	return info.entity.Fields[i], true
}

// Document returns the registry as the canonical schema document: version,
// types, entities (with custom ones after the built-ins) and the event
// description. For the built-in registry it has the content of the
// project's canonical.json.
func (r *Registry) Document() Document {
	d := Document{
		Version:  SchemaVersion,
		Types:    append(TypeDocs(nil), typeDocs...),
		Entities: make(EntityDocs, len(r.entities)),
		Event:    eventDoc(),
	}
	for i, e := range r.entities {
		ed := EntityDoc{Name: e.Name, Description: e.Description, Fields: make(FieldDocs, len(e.Fields))}
		for j, f := range e.Fields {
			ed.Fields[j] = FieldDoc(f)
		}
		d.Entities[i] = ed
	}
	return d
}
