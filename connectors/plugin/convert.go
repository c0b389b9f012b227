package plugin

import (
	"fmt"
	"strings"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/plugin/internal/connectorpb"
)

// Conversions between the connectors types and their wire messages. Strings
// the source controls are made valid UTF-8, which protobuf strings require;
// identities, cursors and raw text travel as bytes and survive unchanged.

func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

func specToPB(s connectors.Spec) *connectorpb.Spec {
	out := &connectorpb.Spec{
		Name:        validUTF8(s.Name),
		Version:     validUTF8(s.Version),
		Description: validUTF8(s.Description),
	}
	for _, m := range s.ChangeModels {
		out.ChangeModels = append(out.ChangeModels, validUTF8(string(m)))
	}
	if s.Params != nil {
		out.Params = make([]*connectorpb.Param, len(s.Params))
	}
	for i, p := range s.Params {
		out.Params[i] = &connectorpb.Param{
			Name:        validUTF8(p.Name),
			Type:        validUTF8(string(p.Type)),
			Required:    p.Required,
			Secret:      p.Secret,
			Default:     validUTF8(p.Default),
			Description: validUTF8(p.Description),
		}
	}
	return out
}

func specFromPB(s *connectorpb.Spec) connectors.Spec {
	out := connectors.Spec{
		Name:        s.GetName(),
		Version:     s.GetVersion(),
		Description: s.GetDescription(),
	}
	for _, m := range s.GetChangeModels() {
		out.ChangeModels = append(out.ChangeModels, connectors.ChangeModel(m))
	}
	if len(s.GetParams()) > 0 {
		out.Params = make([]connectors.Param, len(s.GetParams()))
	}
	for i, p := range s.GetParams() {
		out.Params[i] = connectors.Param{
			Name:        p.GetName(),
			Type:        connectors.ParamType(p.GetType()),
			Required:    p.GetRequired(),
			Secret:      p.GetSecret(),
			Default:     p.GetDefault(),
			Description: p.GetDescription(),
		}
	}
	return out
}

func configToPB(cfg connectors.Config) map[string][]byte {
	out := make(map[string][]byte, len(cfg))
	for k, v := range cfg {
		out[validUTF8(k)] = []byte(v)
	}
	return out
}

func configFromPB(cfg map[string][]byte) connectors.Config {
	out := make(connectors.Config, len(cfg))
	for k, v := range cfg {
		out[k] = string(v)
	}
	return out
}

func catalogToPB(c *connectors.Catalog) (*connectorpb.DiscoverResponse, error) {
	out := &connectorpb.DiscoverResponse{}
	if c == nil {
		return out, nil
	}
	out.Objects = make([]*connectorpb.Object, len(c.Objects))
	for i, o := range c.Objects {
		po := &connectorpb.Object{
			System:      validUTF8(o.Schema.System),
			Object:      validUTF8(o.Schema.Object),
			CursorField: validUTF8(o.CursorField),
			ChangeModel: validUTF8(string(o.ChangeModel)),
			Fields:      make([]*connectorpb.Field, len(o.Schema.Fields)),
		}
		for _, k := range o.PrimaryKey {
			po.PrimaryKey = append(po.PrimaryKey, validUTF8(k))
		}
		for j, f := range o.Schema.Fields {
			pf := &connectorpb.Field{Name: validUTF8(f.Name), Type: validUTF8(string(f.Type))}
			if f.Samples != nil {
				b, err := appendValue(nil, f.Samples)
				if err != nil {
					return nil, fmt.Errorf("plugin: object %q field %q samples: %w", o.Schema.Object, f.Name, err)
				}
				pf.SamplesJson = b
			}
			po.Fields[j] = pf
		}
		out.Objects[i] = po
	}
	return out, nil
}

func catalogFromPB(r *connectorpb.DiscoverResponse) (*connectors.Catalog, error) {
	out := &connectors.Catalog{Objects: make([]connectors.Object, len(r.GetObjects()))}
	for i, po := range r.GetObjects() {
		o := connectors.Object{
			Schema: canonical.SourceSchema{
				System: po.GetSystem(),
				Object: po.GetObject(),
				Fields: make([]canonical.SourceField, len(po.GetFields())),
			},
			PrimaryKey:  po.GetPrimaryKey(),
			CursorField: po.GetCursorField(),
			ChangeModel: connectors.ChangeModel(po.GetChangeModel()),
		}
		if o.ChangeModel != "" && !o.ChangeModel.Valid() {
			return nil, fmt.Errorf("%w: object %q has unknown change model %q", ErrProtocol, po.GetObject(), po.GetChangeModel())
		}
		for j, pf := range po.GetFields() {
			samples, err := decodeSamples(pf.GetSamplesJson())
			if err != nil {
				return nil, fmt.Errorf("%w: object %q field %q: %v", ErrProtocol, po.GetObject(), pf.GetName(), err)
			}
			o.Schema.Fields[j] = canonical.SourceField{
				Name:    pf.GetName(),
				Type:    canonical.FieldType(pf.GetType()),
				Samples: samples,
			}
		}
		out.Objects[i] = o
	}
	return out, nil
}

// recordToPB encodes r. A record whose fields have no wire form is sent as a
// record error instead, so the read goes on.
func recordToPB(r *connectors.Record, buf []byte) *connectorpb.Record {
	out := &connectorpb.Record{Id: []byte(r.ID), Cursor: []byte(r.Cursor), Deleted: r.Deleted && r.Err == nil}
	if r.Err != nil {
		out.Error = recordErrorToPB(r.Err)
		return out
	}
	b, err := appendFields(buf, r.Fields)
	if err != nil {
		out.Error = &connectorpb.RecordError{
			Location: validUTF8(r.ID),
			Reason:   validUTF8(fmt.Sprintf("field %v", err)),
		}
		return out
	}
	out.FieldsJson = b
	return out
}

func recordErrorToPB(e *connectors.RecordError) *connectorpb.RecordError {
	return &connectorpb.RecordError{
		Location: validUTF8(e.Location),
		Reason:   validUTF8(e.Reason),
		Raw:      []byte(e.Raw),
	}
}

// recordFromPB decodes r. Fields the host cannot decode make the record a
// record error rather than ending the read.
func recordFromPB(r *connectorpb.Record) connectors.Record {
	out := connectors.Record{ID: string(r.GetId()), Cursor: connectors.Cursor(r.GetCursor())}
	if e := r.GetError(); e != nil {
		out.Err = &connectors.RecordError{Location: e.GetLocation(), Reason: e.GetReason(), Raw: string(e.GetRaw())}
		return out
	}
	out.Deleted = r.GetDeleted()
	fields, err := decodeFields(r.GetFieldsJson())
	if err != nil {
		out.Err = &connectors.RecordError{
			Location: out.ID,
			Reason:   fmt.Sprintf("plugin sent undecodable fields: %v", err),
			Raw:      truncate(string(r.GetFieldsJson()), 64<<10),
		}
		return out
	}
	out.Fields = fields
	return out
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
