package matchbench

import (
	"math/rand/v2"
	"strings"
	"unicode"

	"github.com/autonomos/autonomos/canonical"
)

// Variation rewrites a case the way another source system might present
// the same data; used to check that the matcher generalizes beyond the
// spelling of the ground-truth files.
type Variation struct {
	// Name says what changed.
	Name string
	// Field renames one field; nil keeps names.
	Field func(name string) string
	// NoSamples drops every sample.
	NoSamples bool
	// UnknownTypes declares every field "unknown", as CSV sources do.
	UnknownTypes bool
	// Shuffle reorders the fields.
	Shuffle bool
	// Anonymous hides the system and object names.
	Anonymous bool
}

// Variations are the standard rewrites: other casings, vendor prefixes
// and suffixes, no samples, no declared types, shuffled order, no system
// or object name.
func Variations() []Variation {
	return []Variation{
		{Name: "snake_case", Field: snakeCase},
		{Name: "UPPER_SNAKE", Field: func(s string) string { return strings.ToUpper(snakeCase(s)) }},
		{Name: "lowerconcat", Field: func(s string) string { return strings.ReplaceAll(strings.ToLower(snakeCase(s)), "_", "") }},
		{Name: "kebab-case", Field: func(s string) string { return strings.ReplaceAll(snakeCase(s), "_", "-") }},
		{Name: "custom__c", Field: func(s string) string { return s + "__c" }},
		{Name: "x_prefix", Field: func(s string) string { return "x_" + s }},
		{Name: "properties.", Field: func(s string) string { return "properties." + s }},
		{Name: "no samples", NoSamples: true},
		{Name: "unknown types", UnknownTypes: true},
		{Name: "shuffled", Shuffle: true},
		{Name: "anonymous object", Anonymous: true},
	}
}

// Apply returns the rewritten case; seed fixes the shuffle.
func (v Variation) Apply(c Case, seed uint64) Case {
	out := Case{Path: c.Path + " [" + v.Name + "]", Schema: canonical.SourceSchema{System: c.Schema.System, Object: c.Schema.Object}}
	out.Expected = Expected{Entity: c.Expected.Entity, Mappings: map[string]string{}}
	for _, f := range c.Schema.Fields {
		g := canonical.SourceField{Name: f.Name, Type: f.Type, Samples: f.Samples}
		if v.Field != nil {
			g.Name = v.Field(f.Name)
		}
		if v.NoSamples {
			g.Samples = nil
		}
		if v.UnknownTypes {
			g.Type = canonical.TypeUnknown
		}
		if t, ok := c.Expected.Mappings[f.Name]; ok {
			out.Expected.Mappings[g.Name] = t
		}
		out.Schema.Fields = append(out.Schema.Fields, g)
	}
	if v.Anonymous {
		out.Schema.System, out.Schema.Object = "", "export_1"
	}
	if v.Shuffle {
		r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
		r.Shuffle(len(out.Schema.Fields), func(i, j int) {
			out.Schema.Fields[i], out.Schema.Fields[j] = out.Schema.Fields[j], out.Schema.Fields[i]
		})
	}
	return out
}

// snakeCase rewrites camelCase and punctuation as snake_case.
func snakeCase(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			b.WriteRune('_')
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || i+1 < len(rs) && unicode.IsLower(rs[i+1]) && unicode.IsUpper(rs[i-1])):
			b.WriteRune('_')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.Trim(b.String(), "_")
}
