package filesource

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// maxSampleBytes keeps long texts out of a field's samples.
const maxSampleBytes = 256

// inference gathers field types, samples and primary-key evidence from the
// first records of a file.
type inference struct {
	object string
	fields []*fieldStats
	index  map[string]int
	rows   int
	nulls  nullTexts // texts read as missing (the null_values parameter)
}

type fieldStats struct {
	name    string
	nulls   nullTexts
	typ     canonical.FieldType // "" until a value is seen
	samples []any
	seen    map[string]bool
	// Primary-key evidence, kept only for candidate names.
	candidate bool
	rank      int // see keyRank
	values    map[string]bool
	present   int
	dup       bool
}

func newInference(object string, nulls nullTexts) *inference {
	return &inference{object: object, index: make(map[string]int), nulls: nulls}
}

// field returns the stats of the named field, adding it in order of first
// appearance.
func (in *inference) field(name string) *fieldStats {
	if i, ok := in.index[name]; ok {
		return in.fields[i]
	}
	f := &fieldStats{name: name, seen: make(map[string]bool), nulls: in.nulls}
	if f.rank = keyRank(name, in.object); f.rank > 0 {
		f.candidate = true
		f.values = make(map[string]bool)
	}
	in.index[name] = len(in.fields)
	in.fields = append(in.fields, f)
	return f
}

// addText records a CSV value.
func (f *fieldStats) addText(s string) {
	if s == "" || f.nulls.has(s) {
		return // missing: says nothing about the column's type
	}
	f.typ = unify(f.typ, textType(s))
	f.addKey(s)
	if len(f.samples) < canonical.MaxSamples && len(s) <= maxSampleBytes && !f.seen[s] {
		f.seen[s] = true
		f.samples = append(f.samples, s) // converted to the final type in schema
	}
}

// addValue records a decoded JSON value.
func (f *fieldStats) addValue(v any) {
	if s, ok := v.(string); v == nil || ok && f.nulls.has(s) {
		return
	}
	t := jsonType(v)
	f.typ = unify(f.typ, t)
	key, scalar := "", true
	switch x := v.(type) {
	case string:
		key = "s:" + x
	case int64:
		key = "i:" + strconv.FormatInt(x, 10)
	case float64:
		key = "f:" + strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		key = "b:" + strconv.FormatBool(x)
	default:
		scalar = false
		b, _ := json.Marshal(x)
		key = "j:" + string(b)
	}
	if scalar && f.candidate {
		f.addKey(key[2:])
	}
	if len(f.samples) < canonical.MaxSamples && len(key) <= maxSampleBytes && !f.seen[key] {
		f.seen[key] = true
		f.samples = append(f.samples, v)
	}
}

func (f *fieldStats) addKey(k string) {
	if !f.candidate {
		return
	}
	f.present++
	if f.values[k] {
		f.dup = true
	}
	f.values[k] = true
}

// keyRank says how much a field's name looks like the key of object: 3
// for id (any case), 2 for <object>_id or <singular object>_id (contact_id
// in contacts, CompanyId in companies), 1 for <abbreviation>_id where the
// abbreviation of at least 3 letters starts the object's name (opp_id in
// opportunities), 0 for any other name. Case, "_", "-" and spaces are
// ignored.
func keyRank(field, object string) int {
	f, o := normName(field), normName(object)
	if f == "id" {
		return 3
	}
	stemName, ok := strings.CutSuffix(f, "id")
	if !ok || stemName == "" {
		return 0
	}
	for _, form := range []string{o, singular(o)} {
		if stemName == form {
			return 2
		}
	}
	if len(stemName) >= 3 && strings.HasPrefix(o, stemName) {
		return 1
	}
	return 0
}

// normName lower-cases s and drops everything but letters and digits.
func normName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// singular is a plain English singular of a normalized plural name:
// companies -> company, addresses -> address, contacts -> contact.
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 3:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "shes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss"):
		return s[:len(s)-1]
	}
	return s
}

// schema returns the inferred fields and the primary key ("" when none):
// among the candidates (see keyRank) of integer or string type with
// distinct values in at least half of the scanned records, one present and
// distinct in every record first, then the best-named (the first of equal
// rank). Blank or repeated values do not move the key elsewhere:
// reads report those records as errors, and the rest keep their identity.
func (in *inference) schema(text bool) ([]canonical.SourceField, string) {
	out := make([]canonical.SourceField, len(in.fields))
	pk, best := "", 0
	for i, f := range in.fields {
		t := f.typ
		if t == "" {
			t = canonical.TypeUnknown
		}
		samples := f.samples
		if text {
			samples = make([]any, 0, len(f.samples))
			for _, s := range f.samples {
				samples = append(samples, convertText(s.(string), t))
			}
		}
		out[i] = canonical.SourceField{Name: f.name, Type: t, Samples: samples}
		score := f.rank
		if !f.dup && f.present == in.rows {
			score += 10 // present and distinct everywhere
		}
		if f.candidate && score > best && in.rows > 0 && len(f.values)*2 >= in.rows &&
			(t == canonical.TypeInteger || t == canonical.TypeString) {
			pk, best = f.name, score
		}
	}
	return out, pk
}

// unify merges two observed types: integers widen to numbers, dates to
// datetimes, anything else mixed is a string.
func unify(a, b canonical.FieldType) canonical.FieldType {
	switch {
	case a == "" || a == b:
		return b
	case b == "":
		return a
	case isOneOf(a, b, canonical.TypeInteger, canonical.TypeNumber):
		return canonical.TypeNumber
	case isOneOf(a, b, canonical.TypeDate, canonical.TypeDatetime):
		return canonical.TypeDatetime
	}
	return canonical.TypeString
}

func isOneOf(a, b, x, y canonical.FieldType) bool {
	return (a == x || a == y) && (b == x || b == y)
}

// textType classifies one non-empty CSV value.
func textType(s string) canonical.FieldType {
	switch {
	case isIntText(s):
		return canonical.TypeInteger
	case isNumberText(s):
		return canonical.TypeNumber
	case strings.EqualFold(s, "true") || strings.EqualFold(s, "false"):
		return canonical.TypeBoolean
	}
	return timeType(s)
}

// jsonType classifies one decoded JSON value. Strings are only ever dates,
// datetimes or strings: the file typed them as text.
func jsonType(v any) canonical.FieldType {
	switch x := v.(type) {
	case string:
		return timeType(x)
	case int64:
		return canonical.TypeInteger
	case float64, json.Number:
		return canonical.TypeNumber
	case bool:
		return canonical.TypeBoolean
	case map[string]any:
		return canonical.TypeObject
	case []any:
		return canonical.TypeArray
	}
	return canonical.TypeUnknown
}

var datetimeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// timeType says whether s is an ISO date, an ISO datetime or other text.
func timeType(s string) canonical.FieldType {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' {
		return canonical.TypeString
	}
	if len(s) == 10 {
		if _, err := time.Parse(time.DateOnly, s); err == nil {
			return canonical.TypeDate
		}
		return canonical.TypeString
	}
	if len(s) < 19 || (s[10] != 'T' && s[10] != ' ') {
		return canonical.TypeString
	}
	for _, l := range datetimeLayouts {
		if _, err := time.Parse(l, s); err == nil {
			return canonical.TypeDatetime
		}
	}
	return canonical.TypeString
}

// isIntText reports whether s is a decimal integer that fits int64, without
// a plus sign or leading zeros (so codes like "007" stay text).
func isIntText(s string) bool {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 19 || (d[0] == '0' && len(d) > 1) {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	if len(d) == 19 {
		_, err := strconv.ParseInt(s, 10, 64)
		return err == nil
	}
	return true
}

// isNumberText reports whether s is a plain decimal number: optional minus,
// digits (no leading zero but before the point), an optional fraction and an
// optional exponent. "inf", "nan", hex and underscores are text.
func isNumberText(s string) bool {
	i, n := 0, len(s)
	if i < n && s[i] == '-' {
		i++
	}
	start := i
	for i < n && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intDigits := i - start
	if intDigits == 0 || (s[start] == '0' && intDigits > 1) {
		return false
	}
	if i < n && s[i] == '.' {
		i++
		f := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == f {
			return false
		}
	}
	if i < n && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < n && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := i
		for i < n && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == e {
			return false
		}
	}
	if i != n {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}

// convertText turns a CSV value into the Go value of its column's type:
// integer → int64, number → float64, boolean → bool, empty → nil. Dates,
// datetimes and strings stay as written. A value that does not fit its
// column's type (seen after the scanned rows) is kept as its text.
func convertText(s string, t canonical.FieldType) any {
	if s == "" {
		return nil
	}
	switch t {
	case canonical.TypeInteger:
		if isIntText(s) {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i
			}
		}
	case canonical.TypeNumber:
		if isNumberText(s) {
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return f
			}
		}
	case canonical.TypeBoolean:
		switch {
		case strings.EqualFold(s, "true"):
			return true
		case strings.EqualFold(s, "false"):
			return false
		}
	}
	return s
}

// nullTexts is the set of texts a connection reads as missing (the
// null_values parameter; canonical.DefaultNullValues by default), compared
// after trimming white space. Type inference skips them and Read emits
// them as missing values; empty CSV text is always missing.
type nullTexts map[string]bool

// maxNullTexts and maxNullTextBytes bound the null_values parameter.
const (
	maxNullTexts     = 64
	maxNullTextBytes = 64
)

// parseNullTexts parses the null_values parameter: comma-separated texts,
// each trimmed, or "none" for no texts at all.
func parseNullTexts(param string) (nullTexts, error) {
	set := nullTexts{}
	if strings.TrimSpace(param) == "none" {
		return set, nil
	}
	for t := range strings.SplitSeq(param, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if len(t) > maxNullTextBytes {
			return nil, fmt.Errorf("%w: filesource: parameter \"null_values\": text %.20q... is longer than %d bytes", connectors.ErrInvalidConfig, t, maxNullTextBytes)
		}
		set[t] = true
	}
	if len(set) > maxNullTexts {
		return nil, fmt.Errorf("%w: filesource: parameter \"null_values\" lists %d texts; at most %d", connectors.ErrInvalidConfig, len(set), maxNullTexts)
	}
	return set, nil
}

// has reports whether s is one of the null texts.
func (n nullTexts) has(s string) bool {
	if len(n) == 0 || len(s) > 4*maxNullTextBytes {
		return false
	}
	return n[strings.TrimSpace(s)]
}

// nullify replaces the top-level string values of obj that are null texts
// with nil (missing).
func (n nullTexts) nullify(obj map[string]any) {
	if len(n) == 0 {
		return
	}
	for k, v := range obj {
		if s, ok := v.(string); ok && n.has(s) {
			obj[k] = nil
		}
	}
}

// idOf formats a primary-key value as a record ID; ok is false when the
// value is missing or not a scalar.
func idOf(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case nil:
		return "", false
	}
	return fmt.Sprint(v), false
}
