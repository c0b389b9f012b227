package drift

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"

	"github.com/autonomos/autonomos/canonical"
)

// fingerprintVersion is hashed first, so a future change of the algorithm
// gives different fingerprints instead of colliding with old ones.
const fingerprintVersion = "drift.fingerprint.v1"

// Fingerprint returns the fingerprint of a source schema: the SHA-256, in
// lower-case hex, of its sorted normalized (name, type) pairs. Names are
// trimmed of surrounding white space and keep their case; types are trimmed
// and lower-cased, empty meaning unknown. Field order, samples, System and
// Object do not count. Fingerprint accepts any schema, valid or not, and is
// safe for concurrent use.
func Fingerprint(s canonical.SourceSchema) string {
	pairs := make([]string, len(s.Fields))
	for i, f := range s.Fields {
		// Quoting makes the encoding injective whatever the names hold.
		pairs[i] = strconv.Quote(normName(f.Name)) + ":" + strconv.Quote(string(normType(f.Type)))
	}
	sort.Strings(pairs)
	h := sha256.New()
	h.Write([]byte(fingerprintVersion))
	for _, p := range pairs {
		h.Write([]byte{'\n'})
		h.Write([]byte(p))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// normName is a field name as Fingerprint and Diff compare it.
func normName(name string) string { return strings.TrimSpace(name) }

// normType is a field type as Fingerprint and Diff compare it.
func normType(t canonical.FieldType) canonical.FieldType {
	n := canonical.FieldType(strings.ToLower(strings.TrimSpace(string(t))))
	if n == "" {
		return canonical.TypeUnknown
	}
	return n
}
