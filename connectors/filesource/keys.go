package filesource

import (
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/autonomos/autonomos/connectors"
)

// keySet remembers the key values seen in one read, as 64-bit hashes with
// the ordinal (line or element number) of their first record: about 40
// bytes per record.
type keySet struct {
	seed maphash.Seed
	seen map[uint64]int64
}

func newKeySet() *keySet {
	return &keySet{seed: maphash.MakeSeed(), seen: make(map[uint64]int64)}
}

// add records id at ordinal; dup is true (with the first ordinal) when it
// was seen before.
func (k *keySet) add(id string, ordinal int64) (first int64, dup bool) {
	h := maphash.String(k.seed, id)
	if f, ok := k.seen[h]; ok {
		return f, true
	}
	k.seen[h] = ordinal
	return 0, false
}

// keySpec is the "key" parameter: the key field of every object, or of
// named objects.
type keySpec struct {
	all     string            // a bare field name: every object
	objects map[string]string // object -> field; "" means by position
}

// parseKeySpec parses "field" or "object:field,object:field" (an empty
// field: records are identified by position).
func parseKeySpec(s string) (keySpec, error) {
	var ks keySpec
	s = strings.TrimSpace(s)
	if s == "" {
		return ks, nil
	}
	if !strings.Contains(s, ":") {
		if strings.Contains(s, ",") {
			return ks, fmt.Errorf("%w: filesource: parameter \"key\" = %q: one field name, or object:field pairs separated by commas", connectors.ErrInvalidConfig, s)
		}
		ks.all = s
		return ks, nil
	}
	ks.objects = map[string]string{}
	for _, part := range strings.Split(s, ",") {
		obj, field, ok := strings.Cut(part, ":")
		obj, field = strings.TrimSpace(obj), strings.TrimSpace(field)
		if !ok || obj == "" {
			return ks, fmt.Errorf("%w: filesource: parameter \"key\" = %q: %q is not object:field", connectors.ErrInvalidConfig, s, part)
		}
		if _, dup := ks.objects[obj]; dup {
			return ks, fmt.Errorf("%w: filesource: parameter \"key\" names object %q twice", connectors.ErrInvalidConfig, obj)
		}
		ks.objects[obj] = field
	}
	return ks, nil
}

// lookup returns the configured key field of an object (ok false when the
// key is left to inference).
func (k keySpec) lookup(object string) (string, bool) {
	if k.all != "" {
		return k.all, true
	}
	f, ok := k.objects[object]
	return f, ok
}
