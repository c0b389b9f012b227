package canonical

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// MapperOptions tunes a Mapper. A nil *MapperOptions means the defaults.
type MapperOptions struct {
	// DefaultRegion is the ISO 3166-1 alpha-2 country used for phone
	// numbers without a calling code when the record's own country field
	// (the first country field of the entity that has a recognised value)
	// gives none. Default: none; such numbers keep digits only.
	DefaultRegion string
	// DropExtras leaves Event.Extras empty. Default false: source fields
	// that no mapping reads are kept in Extras.
	DropExtras bool
	// Now gives the time stamped into Meta.EmittedAt when RecordMeta has
	// none. Default: time.Now.
	Now func() time.Time
	// Profile is the discovered schema of the source object (its fields'
	// sample values). A column whose FieldMapping declares no unit or
	// decimal mark gets them from its samples when they settle it (Unix
	// seconds or milliseconds, fraction or 0..100 percents, "." or ","),
	// once for the whole column. Default: none; see Unit and
	// CoerceOptions.DecimalMark for undecided columns.
	Profile *SourceSchema
}

// RecordMeta is the context of one record given to Mapper.Apply.
type RecordMeta struct {
	// Op is the event's operation; empty means OpUpsert.
	Op Op
	// TenantID is the owning tenant's UUID.
	TenantID string
	// ConnectionID is the connection the record was read from.
	ConnectionID string
	// System is the source system; empty means the mapping's System.
	System string
	// Object is the source object; empty means the mapping's Object.
	Object string
	// RecordID is the record's id in the source; empty means the value of
	// the entity's identifier field.
	RecordID string
	// TraceID correlates the event with its sync or request; optional.
	TraceID string
	// EmittedAt stamps the event; zero means MapperOptions.Now().
	EmittedAt time.Time
}

// Mapper applies one validated Mapping to records. It is immutable and safe
// for concurrent use.
type Mapper struct {
	mapping    Mapping
	entity     *entityInfo
	fields     []compiledField
	countries  []string            // the entity's country fields, in order
	currency   string              // the entity's first currency field
	used       map[string]struct{} // record keys the mapping may read
	nulls      map[string]bool
	region     string
	dropExtras bool
	now        func() time.Time
}

// compiledField is a FieldMapping with its canonical field resolved.
type compiledField struct {
	FieldMapping
	field Field
	cf    colFormat
}

// NewMapper validates m against reg (see Mapping.Validate) and opts, and
// compiles it. Errors wrap ErrInvalidMapping and name the bad field or
// option.
func NewMapper(reg *Registry, m Mapping, opts *MapperOptions) (*Mapper, error) {
	if reg == nil {
		return nil, fmt.Errorf("%w: new mapper: registry is nil", ErrInvalidMapping)
	}
	if err := m.Validate(reg); err != nil {
		return nil, err
	}
	if opts == nil {
		opts = &MapperOptions{}
	}
	mp := &Mapper{
		mapping:    m.Clone(),
		fields:     make([]compiledField, len(m.Fields)),
		used:       make(map[string]struct{}, 2*len(m.Fields)),
		dropExtras: opts.DropExtras,
		now:        opts.Now,
	}
	mp.entity, _ = reg.lookup(m.Entity) // Validate checked it
	mp.nulls = nullSet(m.NullValues)
	mp.currency = mp.entity.currencyField()
	if opts.DefaultRegion != "" {
		mp.region = strings.ToUpper(strings.TrimSpace(opts.DefaultRegion))
		if !IsCountry(mp.region) {
			return nil, fmt.Errorf("%w: new mapper: MapperOptions.DefaultRegion %q is not an ISO 3166-1 alpha-2 code", ErrInvalidMapping, opts.DefaultRegion)
		}
	}
	if mp.now == nil {
		mp.now = time.Now
	}
	// Minor-unit amounts follow the currency they need; phone fields go
	// last: they may need the country another field gives.
	pass := func(f FieldMapping, field Field) int {
		switch {
		case field.Type == Phone:
			return 2
		case f.Transform == TransformMinorUnits:
			return 1
		}
		return 0
	}
	n := 0
	for p := range 3 {
		for _, f := range m.Fields {
			field, _ := mp.entity.field(f.Target)
			if pass(f, field) == p {
				mp.fields[n] = compiledField{FieldMapping: f, field: field, cf: mp.columnFormat(f, field, opts.Profile)}
				n++
			}
		}
	}
	for _, f := range m.Fields {
		mp.used[f.Source] = struct{}{}
		for i := 0; i < len(f.Source); i++ {
			if f.Source[i] == '.' {
				mp.used[f.Source[:i]] = struct{}{}
			}
		}
	}
	for _, f := range mp.entity.entity.Fields {
		if f.Type == Country {
			mp.countries = append(mp.countries, f.Name)
		}
	}
	return mp, nil
}

// columnFormat decides how a column's values are read: the field mapping's
// declarations, then the mapping's, then the column's profile.
func (mp *Mapper) columnFormat(f FieldMapping, field Field, profile *SourceSchema) colFormat {
	cf := colFormat{unit: f.Unit}
	mark := f.DecimalMark
	if mark == "" {
		mark = mp.mapping.DecimalMark
	}
	if mark != "" {
		cf.mark = mark[0]
	}
	if profile == nil || (cf.mark != 0 && cf.unit != UnitNone) {
		return cf
	}
	sf, ok := profile.Field(f.Source)
	if !ok {
		return cf
	}
	pm, pu := profileFormat(field.Type, sf.Samples, mp.nulls)
	if cf.mark == 0 {
		cf.mark = pm
	}
	if cf.unit == UnitNone {
		cf.unit = pu
	}
	return cf
}

// Mapping returns a copy of the mapping the Mapper applies.
func (mp *Mapper) Mapping() Mapping { return mp.mapping.Clone() }

// Apply maps one source record to a canonical event and returns it with
// every field error: values that do not coerce (wrapping ErrInvalidValue)
// and, for upserts, required fields without a value (wrapping
// ErrMissingRequired), in mapping order (phone fields last: they are read
// once the record's country is known), then entity field order. The event
// holds every field that did coerce, so the caller decides whether to
// publish it or set the record aside. An unknown meta.Op is reported as a
// field error too.
//
// The event id and record hash come from the record's identity (see EventID
// and RecordHash), so applying the same record again gives the same id.
func (mp *Mapper) Apply(record map[string]any, meta RecordMeta) (Event, []FieldError) {
	var errs []FieldError
	op := meta.Op
	if op == "" {
		op = OpUpsert
	}
	if !op.Valid() {
		errs = append(errs, FieldError{Value: string(op), Reason: "unknown op, want upsert or delete", Err: ErrInvalidValue})
	}
	data := make(map[string]any, len(mp.fields))
	var failed map[string]bool
	region, regionDone := mp.region, false
	for i := range mp.fields {
		f := &mp.fields[i]
		raw, _ := lookupPath(record, f.Source)
		raw = nullOf(raw, mp.nulls)
		var v any
		var reason string
		if f.Transform == TransformMinorUnits {
			cur, _ := data[mp.currency].(string)
			v, reason = minorUnits(raw, cur)
		} else {
			v, reason = f.Transform.apply(raw)
		}
		var out any
		if reason == "" {
			if f.field.Type == Phone && !regionDone {
				region, regionDone = mp.recordRegion(data), true
			}
			cf := f.cf
			cf.region = region
			out, reason = coerce(f.field.Type, v, cf)
		}
		if reason != "" {
			errs = append(errs, FieldError{Field: f.Target, Source: f.Source, Type: f.field.Type, Value: v, Reason: reason, Err: ErrInvalidValue})
			if failed == nil {
				failed = make(map[string]bool)
			}
			failed[f.Target] = true
			continue
		}
		if out != nil {
			data[f.Target] = out
		}
	}
	derived := ""
	if d := mp.mapping.DerivedID; d != nil {
		if id, ok := deriveID(record, d.From, mp.nulls); ok {
			derived = id
			data[d.Field] = id
		} else if op == OpUpsert {
			field, _ := mp.entity.field(d.Field)
			errs = append(errs, FieldError{Field: d.Field, Source: strings.Join(d.From, "+"), Type: field.Type,
				Reason: "derived id: every source field is missing", Err: ErrMissingRequired})
			if failed == nil {
				failed = make(map[string]bool)
			}
			failed[d.Field] = true
		}
	}
	if op == OpUpsert {
		for _, f := range mp.entity.entity.Fields {
			if !f.Required || failed[f.Name] {
				continue
			}
			if _, ok := data[f.Name]; ok {
				continue
			}
			fm, mapped := mp.mapping.Field(f.Name)
			reason := "required field is not mapped"
			if mapped {
				reason = "required field has no value"
			}
			errs = append(errs, FieldError{Field: f.Name, Source: fm.Source, Type: f.Type, Reason: reason, Err: ErrMissingRequired})
		}
	}
	ev := Event{
		Entity: mp.mapping.Entity,
		Op:     op,
		Data:   data,
		Meta: EventMeta{
			TenantID:       meta.TenantID,
			TraceID:        meta.TraceID,
			MappingVersion: mp.mapping.Version,
			SchemaVersion:  SchemaVersion,
			EmittedAt:      meta.EmittedAt,
		},
		Source: EventSource{
			System:       firstNonEmpty(meta.System, mp.mapping.System),
			ConnectionID: meta.ConnectionID,
			Object:       firstNonEmpty(meta.Object, mp.mapping.Object),
			RecordID:     meta.RecordID,
			RecordHash:   RecordHash(record),
		},
	}
	if ev.Meta.EmittedAt.IsZero() {
		ev.Meta.EmittedAt = mp.now()
	}
	ev.Meta.EmittedAt = ev.Meta.EmittedAt.UTC()
	if derived != "" {
		// The source has no id of its own: the derived id is the record's.
		ev.Source.RecordID = derived
	}
	if ev.Source.RecordID == "" {
		if id, ok := data[mp.entity.entity.IDField().Name]; ok {
			ev.Source.RecordID, _ = text(id)
		}
	}
	ev.EventID = EventID(ev.Meta.TenantID, ev.Source.ConnectionID, ev.Source.Object, ev.Source.RecordID, ev.Source.RecordHash)
	if !mp.dropExtras {
		for k, v := range record {
			if _, ok := mp.used[k]; ok {
				continue
			}
			if ev.Extras == nil {
				ev.Extras = make(map[string]any)
			}
			ev.Extras[k] = v
		}
	}
	return ev, errs
}

// recordRegion returns the record's own country when one of the entity's
// country fields holds an alpha-2 code, else the default region.
func (mp *Mapper) recordRegion(data map[string]any) string {
	for _, name := range mp.countries {
		if c, ok := data[name].(string); ok && IsCountry(c) {
			return c
		}
	}
	return mp.region
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// lookupPath finds path in v: first as a whole key, then split at each dot
// (left to right) into a key and the rest, descending into objects and,
// for numeric segments, lists.
func lookupPath(v any, path string) (any, bool) {
	switch c := v.(type) {
	case map[string]any:
		if x, ok := c[path]; ok {
			return x, true
		}
		for i := 0; i < len(path); i++ {
			if path[i] != '.' {
				continue
			}
			if sub, ok := c[path[:i]]; ok {
				if x, ok := lookupPath(sub, path[i+1:]); ok {
					return x, true
				}
			}
		}
	case []any:
		head, rest, more := strings.Cut(path, ".")
		i, err := strconv.Atoi(head)
		if err != nil || i < 0 || i >= len(c) {
			return nil, false
		}
		if !more {
			return c[i], true
		}
		return lookupPath(c[i], rest)
	}
	return nil, false
}
