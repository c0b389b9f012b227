package connectors

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Param returns the parameter named name.
func (s Spec) Param(name string) (Param, bool) {
	for _, p := range s.Params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// ValidateConfig checks cfg against the spec: required parameters present,
// values parse as their types, no unknown keys. The error wraps
// ErrInvalidConfig and never contains a secret value.
func (s Spec) ValidateConfig(cfg Config) error {
	for k := range cfg {
		if _, ok := s.Param(k); !ok {
			return fmt.Errorf("%w: %s: unknown parameter %q", ErrInvalidConfig, s.Name, k)
		}
	}
	for _, p := range s.Params {
		v, ok := cfg[p.Name]
		if !ok || v == "" {
			if p.Required && p.Default == "" {
				return fmt.Errorf("%w: %s: parameter %q is required", ErrInvalidConfig, s.Name, p.Name)
			}
			continue
		}
		if err := p.check(v); err != nil {
			shown := strconv.Quote(v)
			if p.Secret {
				shown = "(secret)"
			}
			return fmt.Errorf("%w: %s: parameter %q = %s: %v", ErrInvalidConfig, s.Name, p.Name, shown, err)
		}
	}
	return nil
}

func (p Param) check(v string) error {
	switch p.Type {
	case ParamInt:
		_, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("not an integer")
		}
	case ParamBool:
		if _, err := strconv.ParseBool(v); err != nil {
			return fmt.Errorf("not a boolean")
		}
	case ParamDuration:
		if _, err := time.ParseDuration(v); err != nil {
			return fmt.Errorf("not a duration (e.g. 30s)")
		}
	case ParamURL:
		u, err := url.Parse(v)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("not an absolute URL")
		}
	}
	return nil
}

// Get returns cfg[name], or the parameter's default when unset.
func (s Spec) Get(cfg Config, name string) string {
	if v, ok := cfg[name]; ok && v != "" {
		return v
	}
	p, _ := s.Param(name)
	return p.Default
}
