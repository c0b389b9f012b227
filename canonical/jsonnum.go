package canonical

import (
	"bytes"
	"encoding/json"
)

// DecodeJSON decodes data into v like json.Unmarshal, except that numbers
// inside untyped values (any, map[string]any, []any, and maps of those)
// become int64 when integral and float64 otherwise — the Go values record
// fields and samples use — instead of float64 for everything, so large
// integers survive a round trip. A trailing value after the first is
// ignored, as by json.Decoder.
func DecodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	switch x := v.(type) {
	case *any:
		*x = NormalizeJSONNumbers(*x)
	case *map[string]any:
		NormalizeJSONNumbers(*x)
	case *[]any:
		NormalizeJSONNumbers(*x)
	case *map[string]map[string]any:
		for _, m := range *x {
			NormalizeJSONNumbers(m)
		}
	}
	return nil
}

// NormalizeJSONNumbers replaces json.Number values at any depth of v (maps
// and slices are changed in place) by int64 when integral, float64
// otherwise, and the number's text when it fits neither. It returns the
// normalized value.
func NormalizeJSONNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil {
			return f
		}
		return x.String()
	case []any:
		for i := range x {
			x[i] = NormalizeJSONNumbers(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = NormalizeJSONNumbers(x[k])
		}
		return x
	}
	return v
}
