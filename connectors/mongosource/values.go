package mongosource

import (
	"encoding/base64"
	"fmt"
	"sort"
	"time"

	"github.com/google/uuid"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/autonomos/autonomos/canonical"
)

// docToMap converts a BSON document into Record.Fields form (see the
// package documentation). It fails on a malformed document.
func docToMap(doc bson.Raw) (map[string]any, error) {
	elems, err := doc.Elements()
	if err != nil {
		return nil, err
	}
	out := make(map[string]any, len(elems))
	for _, e := range elems {
		key, err := e.KeyErr()
		if err != nil {
			return nil, err
		}
		v, err := rawToGo(e.Value())
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", key, err)
		}
		out[key] = v
	}
	return out, nil
}

func rawToGo(v bson.RawValue) (any, error) {
	bad := fmt.Errorf("malformed %s value", v.Type)
	switch v.Type {
	case bson.TypeDouble:
		f, ok := v.DoubleOK()
		if !ok {
			return nil, bad
		}
		return f, nil
	case bson.TypeString:
		s, ok := v.StringValueOK()
		if !ok {
			return nil, bad
		}
		return s, nil
	case bson.TypeEmbeddedDocument:
		d, ok := v.DocumentOK()
		if !ok {
			return nil, bad
		}
		return docToMap(d)
	case bson.TypeArray:
		a, ok := v.ArrayOK()
		if !ok {
			return nil, bad
		}
		vals, err := a.Values()
		if err != nil {
			return nil, err
		}
		out := make([]any, len(vals))
		for i, ev := range vals {
			if out[i], err = rawToGo(ev); err != nil {
				return nil, err
			}
		}
		return out, nil
	case bson.TypeBinary:
		sub, data, ok := v.BinaryOK()
		if !ok {
			return nil, bad
		}
		if sub == bson.TypeBinaryUUID && len(data) == 16 {
			return uuid.UUID(data).String(), nil
		}
		return append([]byte(nil), data...), nil
	case bson.TypeObjectID:
		id, ok := v.ObjectIDOK()
		if !ok {
			return nil, bad
		}
		return id.Hex(), nil
	case bson.TypeBoolean:
		b, ok := v.BooleanOK()
		if !ok {
			return nil, bad
		}
		return b, nil
	case bson.TypeDateTime:
		ms, ok := v.DateTimeOK()
		if !ok {
			return nil, bad
		}
		return time.UnixMilli(ms).UTC(), nil
	case bson.TypeNull, bson.TypeUndefined:
		return nil, nil
	case bson.TypeRegex:
		p, o, ok := v.RegexOK()
		if !ok {
			return nil, bad
		}
		return "/" + p + "/" + o, nil
	case bson.TypeInt32:
		i, ok := v.Int32OK()
		if !ok {
			return nil, bad
		}
		return int64(i), nil
	case bson.TypeInt64:
		i, ok := v.Int64OK()
		if !ok {
			return nil, bad
		}
		return i, nil
	case bson.TypeTimestamp:
		t, _, ok := v.TimestampOK()
		if !ok {
			return nil, bad
		}
		return time.Unix(int64(t), 0).UTC(), nil
	case bson.TypeDecimal128:
		d, ok := v.Decimal128OK()
		if !ok {
			return nil, bad
		}
		return d.String(), nil
	case bson.TypeSymbol:
		s, ok := v.SymbolOK()
		if !ok {
			return nil, bad
		}
		return s, nil
	case bson.TypeJavaScript:
		s, ok := v.JavaScriptOK()
		if !ok {
			return nil, bad
		}
		return s, nil
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	return v.String(), nil
}

// fieldType is the source-schema type of one BSON value; ok is false for
// null values, which say nothing about the type.
func fieldType(t bson.Type) (canonical.FieldType, bool) {
	switch t {
	case bson.TypeNull, bson.TypeUndefined:
		return "", false
	case bson.TypeDouble, bson.TypeDecimal128:
		return canonical.TypeNumber, true
	case bson.TypeInt32, bson.TypeInt64:
		return canonical.TypeInteger, true
	case bson.TypeString, bson.TypeObjectID, bson.TypeSymbol, bson.TypeRegex, bson.TypeJavaScript:
		return canonical.TypeString, true
	case bson.TypeBoolean:
		return canonical.TypeBoolean, true
	case bson.TypeDateTime, bson.TypeTimestamp:
		return canonical.TypeDatetime, true
	case bson.TypeEmbeddedDocument:
		return canonical.TypeObject, true
	case bson.TypeArray:
		return canonical.TypeArray, true
	case bson.TypeBinary: // UUID strings or base64 in samples
		return canonical.TypeString, true
	}
	return canonical.TypeUnknown, true
}

// mergeTypes merges the types seen for one path: integers and numbers give
// number; any other mix gives unknown.
func mergeTypes(seen map[canonical.FieldType]int) canonical.FieldType {
	switch len(seen) {
	case 0:
		return canonical.TypeUnknown
	case 1:
		for t := range seen {
			return t
		}
	case 2:
		if seen[canonical.TypeInteger] > 0 && seen[canonical.TypeNumber] > 0 {
			return canonical.TypeNumber
		}
	}
	return canonical.TypeUnknown
}

// sampleValue makes a Record.Fields value JSON-typed for a schema sample.
func sampleValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case map[string]any:
		for k := range x {
			x[k] = sampleValue(x[k])
		}
		return x
	case []any:
		for i := range x {
			x[i] = sampleValue(x[i])
		}
		return x
	}
	return v
}

func sortStrings(s []string) { sort.Strings(s) }
