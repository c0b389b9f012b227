package nlp

import (
	"fmt"
	"regexp"
	"sort"
)

// Persona is an executive audience a question belongs to.
type Persona string

// The four personas (contract).
const (
	// COO: operations and FinOps, every cloud-cost and spend question.
	COO Persona = "COO"
	// CRO: sales pipeline, deals and accounts.
	CRO Persona = "CRO"
	// CFO: invoicing, receivables and cash.
	CFO Persona = "CFO"
	// CTO: the data platform's own health (connectors, syncs, drift, data
	// quality), not cloud spend.
	CTO Persona = "CTO"
)

// Personas lists the personas in a fixed order.
var Personas = []Persona{COO, CRO, CFO, CTO}

// Valid reports whether p is one of the four personas.
func (p Persona) Valid() bool {
	switch p {
	case COO, CRO, CFO, CTO:
		return true
	}
	return false
}

// Unit says how a metric's value reads.
type Unit string

// Metric units.
const (
	UnitMoney Unit = "money"
	UnitCount Unit = "count"
	UnitRatio Unit = "ratio"
	UnitDays  Unit = "days"
)

// Metric is one entry of the closed metric catalog (contract): its name,
// persona, meaning, the canonical fields it reads, the dimensions it may be
// filtered or grouped by, and the phrases that ask for it.
type Metric struct {
	// Name is the metric's identifier, lower snake case.
	Name string `json:"name"`
	// Persona is the executive the metric belongs to.
	Persona Persona `json:"persona"`
	// Meaning is a one-sentence definition, shown in answers.
	Meaning string `json:"meaning"`
	// Reads lists the canonical fields read, as "entity.field".
	Reads []string `json:"reads"`
	// Dimensions lists the allowed dimensions (see Dimension).
	Dimensions []string `json:"dimensions"`
	// Synonyms are phrases that ask for the metric ("cloud spend", "aws
	// bill"); a longer matched phrase weighs more.
	Synonyms []string `json:"synonyms"`
	// Keywords are single words that hint at the metric with less weight
	// than a synonym ("spend", "invoices").
	Keywords []string `json:"keywords,omitempty"`
	// Unit of the value.
	Unit Unit `json:"unit"`
	// Snapshot is true for point-in-time metrics (pipeline, receivables):
	// without a timeframe they are evaluated as of the as-of date.
	Snapshot bool `json:"snapshot"`
	// DefaultTimeframe is the phrase used when the question names none, for
	// metrics over a period ("this month"); empty for snapshots.
	DefaultTimeframe string `json:"default_timeframe,omitempty"`
}

// Dimension is a way to filter or group a metric.
type Dimension struct {
	// Name is the dimension's identifier.
	Name string `json:"name"`
	// Meaning says what it is.
	Meaning string `json:"meaning"`
	// Synonyms are the words naming it after "by", "per", "for each".
	Synonyms []string `json:"synonyms"`
	// Grain is true for the time grains (day, week, month, quarter).
	Grain bool `json:"grain,omitempty"`
}

// Catalog is the closed set of metrics and dimensions questions are parsed
// into. It is immutable after NewCatalog and safe for concurrent use.
type Catalog struct {
	metrics    []Metric
	byName     map[string]int
	dimensions []Dimension
	dimByName  map[string]int
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// NewCatalog returns the built-in catalog (DefaultMetrics, DefaultDimensions)
// extended with extra metrics and dimensions. An extra entry with a
// built-in's name replaces it. A bad name, an unknown persona or unit, a
// metric naming an unknown dimension or without synonyms wraps ErrInvalid.
func NewCatalog(extraMetrics []Metric, extraDimensions []Dimension) (*Catalog, error) {
	c := &Catalog{byName: map[string]int{}, dimByName: map[string]int{}}
	for _, d := range append(DefaultDimensions(), extraDimensions...) {
		if !nameRE.MatchString(d.Name) {
			return nil, fmt.Errorf("nlp: catalog: %w: dimension name %q", ErrInvalid, d.Name)
		}
		if len(d.Synonyms) == 0 {
			d.Synonyms = []string{d.Name}
		}
		if i, ok := c.dimByName[d.Name]; ok {
			c.dimensions[i] = d
			continue
		}
		c.dimByName[d.Name] = len(c.dimensions)
		c.dimensions = append(c.dimensions, d)
	}
	for _, m := range append(DefaultMetrics(), extraMetrics...) {
		if !nameRE.MatchString(m.Name) {
			return nil, fmt.Errorf("nlp: catalog: %w: metric name %q", ErrInvalid, m.Name)
		}
		if !m.Persona.Valid() {
			return nil, fmt.Errorf("nlp: catalog: %w: metric %q: persona %q", ErrInvalid, m.Name, m.Persona)
		}
		switch m.Unit {
		case UnitMoney, UnitCount, UnitRatio, UnitDays:
		default:
			return nil, fmt.Errorf("nlp: catalog: %w: metric %q: unit %q", ErrInvalid, m.Name, m.Unit)
		}
		if len(m.Synonyms) == 0 {
			return nil, fmt.Errorf("nlp: catalog: %w: metric %q has no synonyms", ErrInvalid, m.Name)
		}
		for _, d := range m.Dimensions {
			if _, ok := c.dimByName[d]; !ok {
				return nil, fmt.Errorf("nlp: catalog: %w: metric %q: unknown dimension %q", ErrInvalid, m.Name, d)
			}
		}
		if i, ok := c.byName[m.Name]; ok {
			c.metrics[i] = m
			continue
		}
		c.byName[m.Name] = len(c.metrics)
		c.metrics = append(c.metrics, m)
	}
	return c, nil
}

// Metrics returns the catalog's metrics (a copy), in catalog order.
func (c *Catalog) Metrics() []Metric { return append([]Metric(nil), c.metrics...) }

// Metric returns the named metric.
func (c *Catalog) Metric(name string) (Metric, bool) {
	i, ok := c.byName[name]
	if !ok {
		return Metric{}, false
	}
	return c.metrics[i], true
}

// Dimensions returns the catalog's dimensions (a copy).
func (c *Catalog) Dimensions() []Dimension { return append([]Dimension(nil), c.dimensions...) }

// Dimension returns the named dimension.
func (c *Catalog) Dimension(name string) (Dimension, bool) {
	i, ok := c.dimByName[name]
	if !ok {
		return Dimension{}, false
	}
	return c.dimensions[i], true
}

// allows reports whether metric m may use dimension d.
func (m Metric) allows(d string) bool {
	for _, x := range m.Dimensions {
		if x == d {
			return true
		}
	}
	return false
}

// MetricsOf returns the names of the metrics of persona p, sorted.
func (c *Catalog) MetricsOf(p Persona) []string {
	var out []string
	for _, m := range c.metrics {
		if m.Persona == p {
			out = append(out, m.Name)
		}
	}
	sort.Strings(out)
	return out
}
