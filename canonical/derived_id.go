package canonical

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
)

// DeriveID returns the derived id of a record: the first 32 hex digits of
// the SHA-256 of the named source fields' values as text (each name and
// value length-prefixed, so no two different field lists collide by
// concatenation). nulls lists the texts read as missing (nil:
// DefaultNullValues); a missing field hashes as missing, not as empty
// text. ok is false when every named field is missing. It is
// deterministic across processes and versions.
func DeriveID(record map[string]any, from []string, nulls []string) (id string, ok bool) {
	return deriveID(record, from, nullSet(nulls))
}

func deriveID(record map[string]any, from []string, nulls map[string]bool) (string, bool) {
	h := sha256.New()
	any1 := false
	var buf []byte
	for _, src := range from {
		raw, _ := lookupPath(record, src)
		raw = nullOf(raw, nulls)
		buf = buf[:0]
		buf = strconv.AppendInt(buf, int64(len(src)), 10)
		buf = append(buf, ':')
		buf = append(buf, src...)
		if isEmpty(raw) {
			buf = append(buf, '-')
		} else {
			s, reason := text(raw)
			if reason != "" {
				b, _ := json.Marshal(raw) // objects and lists: their JSON, keys sorted
				s = string(b)
			}
			any1 = true
			buf = append(buf, '=')
			buf = strconv.AppendInt(buf, int64(len(s)), 10)
			buf = append(buf, ':')
			buf = append(buf, s...)
		}
		h.Write(buf)
	}
	if !any1 {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil))[:32], true
}

// nullSet builds the set of null texts; nil means DefaultNullValues.
func nullSet(values []string) map[string]bool {
	if values == nil {
		values = DefaultNullValues
	}
	m := make(map[string]bool, len(values))
	for _, v := range values {
		m[v] = true
	}
	return m
}

// nullOf returns nil for text that is a null token, else v.
func nullOf(v any, nulls map[string]bool) any {
	if s, ok := v.(string); ok && len(s) <= 16 {
		if nulls[strings.TrimSpace(s)] {
			return nil
		}
	}
	return v
}
