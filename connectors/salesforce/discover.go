package salesforce

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// sobjectInfo is one entry of the sobjects list.
type sobjectInfo struct {
	Name                string `json:"name"`
	Queryable           bool   `json:"queryable"`
	Retrieveable        bool   `json:"retrieveable"`
	DeprecatedAndHidden bool   `json:"deprecatedAndHidden"`
}

// fieldInfo is one field of a describe answer.
type fieldInfo struct {
	Name     string `json:"name"`
	Type     string `json:"type"`
	Nillable bool   `json:"nillable"`
}

// describeResult is the part of sobjects/{name}/describe the connector uses.
type describeResult struct {
	Name      string      `json:"name"`
	Queryable bool        `json:"queryable"`
	Fields    []fieldInfo `json:"fields"`
}

func (s *Source) apiPath(rest string) string {
	return "/services/data/" + s.apiVersion + rest
}

// sobjects lists the org's queryable sObjects by name.
func (s *Source) sobjects(ctx context.Context) (map[string]sobjectInfo, error) {
	var ans struct {
		SObjects []sobjectInfo `json:"sobjects"`
	}
	if err := s.get(ctx, s.apiPath("/sobjects"), nil, &ans); err != nil {
		return nil, err
	}
	out := make(map[string]sobjectInfo, len(ans.SObjects))
	for _, o := range ans.SObjects {
		if o.Queryable && !o.DeprecatedAndHidden && identRE.MatchString(o.Name) {
			out[o.Name] = o
		}
	}
	return out, nil
}

// describe returns an sObject's queryable description. An unknown object
// wraps connectors.ErrNotFound.
func (s *Source) describe(ctx context.Context, object string) (*describeResult, error) {
	if !identRE.MatchString(object) {
		return nil, fmt.Errorf("%w: %s: sObject %q", connectors.ErrNotFound, Name, object)
	}
	var d describeResult
	if err := s.get(ctx, s.apiPath("/sobjects/"+object+"/describe"), nil, &d); err != nil {
		return nil, fmt.Errorf("sObject %q: %w", object, err)
	}
	if !d.Queryable {
		return nil, fmt.Errorf("%w: %s: sObject %q is not queryable", connectors.ErrNotFound, Name, object)
	}
	return &d, nil
}

// Discover lists the configured sObjects (every queryable one when
// "objects" is empty) with their fields, types and up to
// canonical.MaxSamples sample values per field from a LIMIT query. An
// sObject whose sample query is refused (some require a filter) is listed
// without samples. Errors are those of Check.
func (s *Source) Discover(ctx context.Context) (*connectors.Catalog, error) {
	list, err := s.sobjects(ctx)
	if err != nil {
		return nil, err
	}
	names := s.objects
	if names == nil {
		for n := range list {
			names = append(names, n)
		}
	}
	sortStrings(names)
	cat := &connectors.Catalog{}
	for _, name := range names {
		if _, ok := list[name]; !ok {
			return nil, fmt.Errorf("%w: %s: parameter \"objects\": the org has no queryable sObject %q", connectors.ErrInvalidConfig, Name, name)
		}
		d, err := s.describe(ctx, name)
		if err != nil {
			if s.objects == nil && errors.Is(err, connectors.ErrNotFound) {
				continue // listed but not describable: not readable either
			}
			return nil, err
		}
		fields := queryFields(d)
		if len(fields) == 0 {
			continue
		}
		obj := connectors.Object{
			Schema:     canonical.SourceSchema{System: System, Object: name},
			PrimaryKey: []string{"Id"},
		}
		obj.ChangeModel = connectors.ChangeSnapshot
		if hasField(fields, "SystemModstamp") {
			obj.CursorField = "SystemModstamp"
			obj.ChangeModel = connectors.ChangeIncremental
		}
		if !hasField(fields, "Id") {
			obj.PrimaryKey = nil
		}
		samples, err := s.samples(ctx, name, fields)
		if err != nil {
			// Some sObjects refuse unfiltered queries; the schema is still
			// worth listing, without samples.
			if ctx.Err() != nil || errors.Is(err, connectors.ErrUnauthorized) {
				return nil, err
			}
			samples = nil
		}
		for _, f := range fields {
			obj.Schema.Fields = append(obj.Schema.Fields, canonical.SourceField{
				Name: f.Name, Type: fieldType(f.Type), Samples: samples[f.Name],
			})
		}
		cat.Objects = append(cat.Objects, obj)
	}
	return cat, nil
}

// samples queries the first canonical.MaxSamples records and collects the
// non-null values of each field.
func (s *Source) samples(ctx context.Context, object string, fields []fieldInfo) (map[string][]any, error) {
	soql := fmt.Sprintf("SELECT %s FROM %s LIMIT %d", fieldList(fields), object, canonical.MaxSamples)
	var page queryResult
	if err := s.get(ctx, s.apiPath("/query"), url.Values{"q": {soql}}, &page); err != nil {
		return nil, fmt.Errorf("sObject %q: sample: %w", object, err)
	}
	out := make(map[string][]any, len(fields))
	for _, raw := range page.Records {
		rec, err := decodeRecord(raw, fields)
		if err != nil {
			continue
		}
		for _, f := range fields {
			v := rec[f.Name]
			if v == nil || len(out[f.Name]) >= canonical.MaxSamples {
				continue
			}
			out[f.Name] = append(out[f.Name], sampleValue(v, f.Type))
		}
	}
	return out, nil
}

// queryFields returns the fields a SOQL query can select: base64 fields
// are left out, as the query API returns them only one record at a time.
func queryFields(d *describeResult) []fieldInfo {
	out := make([]fieldInfo, 0, len(d.Fields))
	for _, f := range d.Fields {
		if f.Type == "base64" || !identRE.MatchString(f.Name) {
			continue
		}
		out = append(out, f)
	}
	return out
}

func hasField(fields []fieldInfo, name string) bool {
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func fieldList(fields []fieldInfo) string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}

// fieldType maps a describe field type to the source-schema types.
func fieldType(t string) canonical.FieldType {
	switch t {
	case "id", "string", "picklist", "multipicklist", "combobox", "reference", "email",
		"phone", "url", "textarea", "encryptedstring", "time":
		return canonical.TypeString
	case "double", "currency", "percent":
		return canonical.TypeNumber
	case "int", "long":
		return canonical.TypeInteger
	case "boolean":
		return canonical.TypeBoolean
	case "date":
		return canonical.TypeDate
	case "datetime":
		return canonical.TypeDatetime
	case "address", "location":
		return canonical.TypeObject
	}
	return canonical.TypeUnknown
}
