package connectors

import (
	"fmt"
	"sort"
	"sync"
)

// Factory makes a configured Connector. It returns an error wrapping
// ErrInvalidConfig when cfg is missing a required value or has a malformed
// one.
type Factory func(cfg Config) (Connector, error)

// Registry maps connector type names to factories. It is a value the
// composition root fills; there is no global registry. A Registry is safe for
// concurrent use.
type Registry struct {
	mu        sync.RWMutex
	factories map[string]registered
}

type registered struct {
	spec Spec
	new  Factory
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{factories: make(map[string]registered)}
}

// Register adds a connector type under spec.Name. It fails if the name is
// empty or already registered.
func (r *Registry) Register(spec Spec, f Factory) error {
	if spec.Name == "" {
		return fmt.Errorf("connectors: register: spec has no name")
	}
	if f == nil {
		return fmt.Errorf("connectors: register %q: nil factory", spec.Name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.factories[spec.Name]; dup {
		return fmt.Errorf("connectors: register %q: already registered", spec.Name)
	}
	r.factories[spec.Name] = registered{spec: spec, new: f}
	return nil
}

// New validates cfg against the type's Spec and makes a connector. Unknown
// types wrap ErrNotFound; bad configuration wraps ErrInvalidConfig.
func (r *Registry) New(typeName string, cfg Config) (Connector, error) {
	r.mu.RLock()
	reg, ok := r.factories[typeName]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w: connector type %q", ErrNotFound, typeName)
	}
	if err := reg.spec.ValidateConfig(cfg); err != nil {
		return nil, err
	}
	return reg.new(cfg)
}

// Spec returns the spec of a registered type.
func (r *Registry) Spec(typeName string) (Spec, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	reg, ok := r.factories[typeName]
	return reg.spec, ok
}

// Types lists the registered type names in order.
func (r *Registry) Types() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.factories))
	for n := range r.factories {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
