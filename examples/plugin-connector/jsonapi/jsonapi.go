// Package jsonapi is a connector for a JSON-over-HTTP API: the connector
// logic of the example plugin in examples/plugin-connector. It is an ordinary
// connectors.Connector, so it runs in-process as well as behind the plugin
// host.
//
// The API it reads, under Config "base_url", with "Authorization: Bearer
// <token>" on every request:
//
//	GET /objects
//	    {"objects": [{"name": "customers", "primary_key": "id"}, ...]}
//	GET /objects/{name}?limit=N[&after=ID]
//	    {"data": [{"id": 1, ...}, ...], "next": "ID of the last record, or empty at the end"}
//
// Records are ordered by "id" and a page holds those after the given ID. The
// API answers 401 or 403 to a refused token and 404 to an unknown object.
package jsonapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// Name is the connector type's name.
const Name = "jsonapi"

// Version is the connector's version.
const Version = "1.0.0"

// cursorPrefix marks cursors this connector made; the rest is a record ID.
const cursorPrefix = "jsonapi/v1:"

// sampleRecords is how many records Discover looks at per object.
const sampleRecords = 20

// Spec returns the connector type's spec.
func Spec() connectors.Spec {
	return connectors.Spec{
		Name:        Name,
		Version:     Version,
		Description: "Reads objects from a paginated JSON-over-HTTP API.",
		// The API pages by record ID and reports neither changes nor
		// deletes: every sync reads each object in full.
		ChangeModels: []connectors.ChangeModel{connectors.ChangeSnapshot},
		Params: []connectors.Param{
			{Name: "base_url", Type: connectors.ParamURL, Required: true, Description: "The API's base URL, e.g. https://api.example.com/v1."},
			{Name: "token", Type: connectors.ParamString, Required: true, Secret: true, Description: "The bearer token sent with every request."},
			{Name: "page_size", Type: connectors.ParamInt, Default: "100", Description: "Records asked for per page (1-1000)."},
			{Name: "timeout", Type: connectors.ParamDuration, Default: "30s", Description: "Timeout of one HTTP request."},
		},
	}
}

// Connector reads a JSON API. It is safe for concurrent use.
type Connector struct {
	connectors.UnimplementedConnector
	base     *url.URL
	token    string
	pageSize int
	client   *http.Client
}

// New makes a Connector from cfg. It returns an error wrapping
// connectors.ErrInvalidConfig when cfg does not satisfy Spec or page_size is
// out of range. It does not contact the API; Check does.
func New(cfg connectors.Config) (connectors.Connector, error) {
	return NewConnector(cfg)
}

// NewConnector is New returning the concrete type.
func NewConnector(cfg connectors.Config) (*Connector, error) {
	spec := Spec()
	if err := spec.ValidateConfig(cfg); err != nil {
		return nil, err
	}
	base, err := url.Parse(strings.TrimSuffix(cfg["base_url"], "/"))
	if err != nil {
		return nil, fmt.Errorf("%w: jsonapi: parameter \"base_url\": %v", connectors.ErrInvalidConfig, err)
	}
	if base.Scheme != "http" && base.Scheme != "https" {
		return nil, fmt.Errorf("%w: jsonapi: parameter \"base_url\": scheme %q is not http or https", connectors.ErrInvalidConfig, base.Scheme)
	}
	size, _ := strconv.Atoi(spec.Get(cfg, "page_size"))
	if size < 1 || size > 1000 {
		return nil, fmt.Errorf("%w: jsonapi: parameter \"page_size\" = %d: not within 1-1000", connectors.ErrInvalidConfig, size)
	}
	timeout, _ := time.ParseDuration(spec.Get(cfg, "timeout"))
	if timeout <= 0 {
		return nil, fmt.Errorf("%w: jsonapi: parameter \"timeout\" must be positive", connectors.ErrInvalidConfig)
	}
	// A transport of its own, so Close can drop its idle connections.
	tr := http.DefaultTransport.(*http.Transport).Clone()
	return &Connector{
		base:     base,
		token:    cfg["token"],
		pageSize: size,
		client:   &http.Client{Timeout: timeout, Transport: tr},
	}, nil
}

// Spec returns Spec().
func (c *Connector) Spec() connectors.Spec { return Spec() }

// Check lists the API's objects, which proves it is reachable and takes the
// token. A refused token wraps connectors.ErrUnauthorized.
func (c *Connector) Check(ctx context.Context) error {
	_, err := c.objects(ctx)
	return err
}

// Discover lists the API's objects, with field types and samples taken from
// each object's first records.
func (c *Connector) Discover(ctx context.Context) (*connectors.Catalog, error) {
	objs, err := c.objects(ctx)
	if err != nil {
		return nil, err
	}
	cat := &connectors.Catalog{Objects: make([]connectors.Object, 0, len(objs))}
	for _, o := range objs {
		p, err := c.page(ctx, o.Name, "", sampleRecords)
		if err != nil {
			return nil, err
		}
		obj := connectors.Object{Schema: inferSchema(o.Name, p.Data), ChangeModel: connectors.ChangeSnapshot}
		if o.PrimaryKey != "" {
			if _, ok := obj.Schema.Field(o.PrimaryKey); ok {
				obj.PrimaryKey = []string{o.PrimaryKey}
			}
		}
		cat.Objects = append(cat.Objects, obj)
	}
	return cat, nil
}

// Read reads the records of one object, page after page, from after the
// cursor's record. An unknown object wraps connectors.ErrNotFound; a cursor
// this connector did not make wraps connectors.ErrInvalidCursor.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	after := ""
	if req.Cursor != "" {
		s, ok := strings.CutPrefix(string(req.Cursor), cursorPrefix)
		if !ok || s == "" {
			return fmt.Errorf("%w: jsonapi: object %q: cursor %q", connectors.ErrInvalidCursor, req.Object, req.Cursor)
		}
		after = s
	}
	for {
		p, err := c.page(ctx, req.Object, after, c.pageSize)
		if err != nil {
			return err
		}
		for i, raw := range p.Data {
			r := toRecord(req.Object, raw)
			if r.Err != nil {
				r.Err.Location = fmt.Sprintf("%s after %q #%d", req.Object, after, i)
			}
			if err := emit(r); err != nil {
				return err
			}
		}
		if p.Next == "" || len(p.Data) == 0 {
			return nil
		}
		after = p.Next
	}
}

// Close drops the connector's idle HTTP connections.
func (c *Connector) Close() error {
	c.client.CloseIdleConnections()
	return nil
}

type objectInfo struct {
	Name       string `json:"name"`
	PrimaryKey string `json:"primary_key"`
}

type page struct {
	Data []json.RawMessage `json:"data"`
	Next string            `json:"next"`
}

func (c *Connector) objects(ctx context.Context) ([]objectInfo, error) {
	var body struct {
		Objects []objectInfo `json:"objects"`
	}
	if err := c.get(ctx, "", "objects", nil, &body); err != nil {
		return nil, err
	}
	return body.Objects, nil
}

func (c *Connector) page(ctx context.Context, object, after string, limit int) (*page, error) {
	q := url.Values{"limit": {strconv.Itoa(limit)}}
	if after != "" {
		q.Set("after", after)
	}
	var p page
	if err := c.get(ctx, object, "objects/"+url.PathEscape(object), q, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// get fetches base/path?q into out, translating the API's answers into
// connectors errors in one place.
func (c *Connector) get(ctx context.Context, object, path string, q url.Values, out any) error {
	u := c.base.JoinPath(path)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return fmt.Errorf("jsonapi: %s: %w", path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("jsonapi: GET %s: %w", u.Redacted(), ctxErr)
		}
		return fmt.Errorf("jsonapi: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return fmt.Errorf("jsonapi: GET %s: %w", u.Redacted(), ctxErr)
		}
		return fmt.Errorf("jsonapi: GET %s: %w", u.Redacted(), err)
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w: jsonapi: GET %s: %s", connectors.ErrUnauthorized, u.Redacted(), resp.Status)
	case resp.StatusCode == http.StatusNotFound && object != "":
		return fmt.Errorf("%w: jsonapi: object %q", connectors.ErrNotFound, object)
	case resp.StatusCode == http.StatusNotFound:
		return fmt.Errorf("%w: jsonapi: GET %s: %s (is base_url right?)", connectors.ErrInvalidConfig, u.Redacted(), resp.Status)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("jsonapi: GET %s: %s", u.Redacted(), resp.Status)
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("jsonapi: GET %s: response is not the expected JSON: %w", u.Redacted(), err)
	}
	return nil
}

// toRecord decodes one record of the API; numbers become int64 when integral
// and float64 otherwise.
func toRecord(object string, raw json.RawMessage) connectors.Record {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil || fields == nil {
		return connectors.Record{Err: &connectors.RecordError{Reason: "not a JSON object", Raw: truncate(string(raw))}}
	}
	for k, v := range fields {
		fields[k] = typed(v)
	}
	id, ok := idString(fields["id"])
	if !ok {
		return connectors.Record{Err: &connectors.RecordError{Reason: "no \"id\"", Raw: truncate(string(raw))}}
	}
	return connectors.Record{ID: id, Fields: fields, Cursor: connectors.Cursor(cursorPrefix + id)}
}

func truncate(s string) string {
	if len(s) > 64<<10 {
		return s[:64<<10]
	}
	return s
}

func idString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case int64:
		return strconv.FormatInt(x, 10), true
	}
	return "", false
}

func typed(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case map[string]any:
		for k, e := range x {
			x[k] = typed(e)
		}
	case []any:
		for i, e := range x {
			x[i] = typed(e)
		}
	}
	return v
}

// inferSchema describes an object from sample records: every key seen, typed
// by its values (a field with two types is "unknown").
func inferSchema(object string, sample []json.RawMessage) canonical.SourceSchema {
	types := map[string]canonical.FieldType{}
	samples := map[string][]any{}
	for _, raw := range sample {
		r := toRecord(object, raw)
		for k, v := range r.Fields {
			t := typeOf(v)
			if t == "" {
				continue
			}
			if old, seen := types[k]; seen && old != t {
				if (old == canonical.TypeInteger && t == canonical.TypeNumber) || (old == canonical.TypeNumber && t == canonical.TypeInteger) {
					t = canonical.TypeNumber
				} else {
					t = canonical.TypeUnknown
				}
			}
			types[k] = t
			if len(samples[k]) < canonical.MaxSamples {
				samples[k] = append(samples[k], v)
			}
		}
	}
	if _, ok := types["id"]; !ok {
		types["id"] = canonical.TypeUnknown
	}
	names := make([]string, 0, len(types))
	for k := range types {
		names = append(names, k)
	}
	sort.Strings(names)
	s := canonical.SourceSchema{System: Name, Object: object, Fields: make([]canonical.SourceField, len(names))}
	for i, k := range names {
		s.Fields[i] = canonical.SourceField{Name: k, Type: types[k], Samples: samples[k]}
	}
	return s
}

func typeOf(v any) canonical.FieldType {
	switch x := v.(type) {
	case nil:
		return ""
	case bool:
		return canonical.TypeBoolean
	case int64:
		return canonical.TypeInteger
	case float64:
		return canonical.TypeNumber
	case string:
		if _, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return canonical.TypeDatetime
		}
		if _, err := time.Parse(time.DateOnly, x); err == nil {
			return canonical.TypeDate
		}
		return canonical.TypeString
	case map[string]any:
		return canonical.TypeObject
	case []any:
		return canonical.TypeArray
	}
	return canonical.TypeUnknown
}
