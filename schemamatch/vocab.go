package schemamatch

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/autonomos/autonomos/internal/namewords"
)

// The vocabulary is data, embedded from vocab/:
//
//   - fields.txt: "entity.field: phrase, phrase, ~weak phrase" — how source
//     systems name a canonical field ("*" for any entity);
//   - objects.txt: "entity: phrase, ..." — how they name the object that
//     holds an entity; the key "none" lists objects no entity fits;
//   - context.txt: "entity: word, ..." — words of the entity's own name
//     that fields are prefixed with;
//   - words.txt: sections [stems], [weights], [antonyms], [vendor_prefixes],
//     [vendor_suffixes], [unit_words], [placeholders], [common];
//   - signatures.txt: "entity: field, a|b, ..." — fields that found
//     together say the schema holds the entity;
//   - calibration.txt: "slope" and "intercept" of the Platt scaling
//     fitted on the development splits;
//   - countries.txt: "name, name: XX" — country names in other languages;
//   - terms/*.txt: "word: english words" — abbreviations, other languages'
//     business words and ERP data-dictionary names, all translated to the
//     English words the lexicon uses. Keys are folded (lower case, no
//     diacritics); a word defined twice with different meanings is an
//     error.
//
//go:embed vocab
var vocabFS embed.FS

// vocabData is the parsed vocabulary. It is built once from the embedded
// files and never changed.
type vocabData struct {
	generic  map[string][]string            // canonical field -> phrases
	fields   map[string]map[string][]string // entity -> field -> phrases
	objects  map[string][]string            // entity (or "none") -> phrases
	context  map[string][]string            // entity -> words
	terms    map[string][]string            // word -> English words
	termFrom map[string]string              // word -> file that defined it
	stems    map[string]string
	weights  map[string]float64
	antonyms [][2]string
	prefixes []string
	suffixes []string
	units    map[string]bool
	common   []string
	// placeholders are words that name no content ("col" of "col_01").
	placeholders map[string]bool
	// countries maps folded country names in other languages to ISO
	// alpha-2 codes.
	countries map[string]string
	// signatures are, per entity, groups of alternative fields that found
	// together say the schema holds the entity.
	signatures map[string][][]string
	// calibration is the fitted Platt scaling.
	calibration Calibration
}

// builtin is the embedded vocabulary, parsed once; it is read-only.
var builtin = mustLoadVocab(vocabFS)

func mustLoadVocab(fsys fs.FS) *vocabData {
	v, err := loadVocab(fsys)
	if err != nil {
		panic(err) // the embedded files are checked by TestVocabularyLoads
	}
	return v
}

// entry is one "key: values" line.
type entry struct {
	key, value string
	line       int
}

// parseLines reads "key: value" lines grouped by "[section]" headers
// (section "" before the first); blank lines and "#" comments are skipped.
// A line without ":" is a value with an empty key.
func parseLines(name string, data []byte) (map[string][]entry, error) {
	out := map[string][]entry{}
	section := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			k, v = "", line
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		if ok && (k == "" || v == "") {
			return nil, fmt.Errorf("schemamatch: vocabulary %s:%d: want \"key: value\"", name, n)
		}
		out[section] = append(out[section], entry{key: k, value: v, line: n})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("schemamatch: vocabulary %s: %w", name, err)
	}
	return out, nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func readVocabFile(fsys fs.FS, name string) (map[string][]entry, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("schemamatch: vocabulary: %w", err)
	}
	return parseLines(name, b)
}

// loadVocab parses the vocabulary files of fsys (rooted above vocab/).
func loadVocab(fsys fs.FS) (*vocabData, error) {
	v := &vocabData{
		generic: map[string][]string{}, fields: map[string]map[string][]string{}, objects: map[string][]string{},
		context: map[string][]string{}, terms: map[string][]string{}, termFrom: map[string]string{},
		stems: map[string]string{}, weights: map[string]float64{}, units: map[string]bool{}, placeholders: map[string]bool{}, countries: map[string]string{}, signatures: map[string][][]string{},
	}
	fields, err := readVocabFile(fsys, "vocab/fields.txt")
	if err != nil {
		return nil, err
	}
	for _, e := range fields[""] {
		ent, field, ok := strings.Cut(e.key, ".")
		if !ok || ent == "" || field == "" {
			return nil, fmt.Errorf("schemamatch: vocabulary vocab/fields.txt:%d: key %q is not entity.field", e.line, e.key)
		}
		if ent == "*" {
			v.generic[field] = append(v.generic[field], splitList(e.value)...)
			continue
		}
		if v.fields[ent] == nil {
			v.fields[ent] = map[string][]string{}
		}
		v.fields[ent][field] = append(v.fields[ent][field], splitList(e.value)...)
	}
	for file, dst := range map[string]map[string][]string{"vocab/objects.txt": v.objects, "vocab/context.txt": v.context} {
		es, err := readVocabFile(fsys, file)
		if err != nil {
			return nil, err
		}
		for _, e := range es[""] {
			dst[e.key] = append(dst[e.key], splitList(e.value)...)
		}
	}
	words, err := readVocabFile(fsys, "vocab/words.txt")
	if err != nil {
		return nil, err
	}
	for _, e := range words["stems"] {
		v.stems[namewords.Fold(e.key)] = e.value
	}
	for _, e := range words["weights"] {
		w, err := strconv.ParseFloat(e.value, 64)
		if err != nil || w <= 0 || w > 1 {
			return nil, fmt.Errorf("schemamatch: vocabulary vocab/words.txt:%d: weight %q must be in (0, 1]", e.line, e.value)
		}
		v.weights[e.key] = w
	}
	for _, e := range words["antonyms"] {
		v.antonyms = append(v.antonyms, [2]string{e.key, e.value})
	}
	for _, e := range words["vendor_prefixes"] {
		v.prefixes = append(v.prefixes, e.value)
	}
	for _, e := range words["vendor_suffixes"] {
		v.suffixes = append(v.suffixes, e.value)
	}
	for _, e := range words["unit_words"] {
		v.units[e.value] = true
	}
	for _, e := range words["placeholders"] {
		v.placeholders[e.value] = true
	}
	for _, e := range words["common"] {
		v.common = append(v.common, e.value)
	}
	cal, err := readVocabFile(fsys, "vocab/calibration.txt")
	if err != nil {
		return nil, err
	}
	for _, e := range cal[""] {
		f, err := strconv.ParseFloat(e.value, 64)
		if err != nil {
			return nil, fmt.Errorf("schemamatch: vocabulary vocab/calibration.txt:%d: %q is not a number", e.line, e.value)
		}
		switch e.key {
		case "slope":
			v.calibration.Slope = f
		case "intercept":
			v.calibration.Intercept = f
		default:
			return nil, fmt.Errorf("schemamatch: vocabulary vocab/calibration.txt:%d: unknown key %q", e.line, e.key)
		}
	}
	if err := v.calibration.Validate(); err != nil {
		return nil, fmt.Errorf("schemamatch: vocabulary vocab/calibration.txt: %w", err)
	}
	sigs, err := readVocabFile(fsys, "vocab/signatures.txt")
	if err != nil {
		return nil, err
	}
	for _, e := range sigs[""] {
		for _, g := range splitList(e.value) {
			v.signatures[e.key] = append(v.signatures[e.key], strings.Split(g, "|"))
		}
	}
	countries, err := readVocabFile(fsys, "vocab/countries.txt")
	if err != nil {
		return nil, err
	}
	for _, e := range countries[""] {
		if len(e.value) != 2 || strings.ToUpper(e.value) != e.value {
			return nil, fmt.Errorf("schemamatch: vocabulary vocab/countries.txt:%d: %q is not an alpha-2 code", e.line, e.value)
		}
		for _, k := range splitList(e.key) {
			v.countries[namewords.Fold(k)] = e.value
		}
	}
	files, err := fs.Glob(fsys, "vocab/terms/*.txt")
	if err != nil {
		return nil, fmt.Errorf("schemamatch: vocabulary: %w", err)
	}
	sort.Strings(files)
	for _, file := range files {
		es, err := readVocabFile(fsys, file)
		if err != nil {
			return nil, err
		}
		for _, e := range es[""] {
			if e.key == "" {
				return nil, fmt.Errorf("schemamatch: vocabulary %s:%d: want \"word: english words\"", file, e.line)
			}
			if err := v.addTerm(path.Base(file), e); err != nil {
				return nil, err
			}
		}
	}
	return v, nil
}

// addTerm records a translation; the same word may appear in several files
// only with the same meaning.
func (v *vocabData) addTerm(file string, e entry) error {
	meaning := strings.Fields(strings.ToLower(e.value))
	for _, k := range splitList(e.key) {
		k = namewords.Fold(k)
		if prev, ok := v.terms[k]; ok {
			if strings.Join(prev, " ") != strings.Join(meaning, " ") {
				return fmt.Errorf("schemamatch: vocabulary %s:%d: %q means %q here but %q in %s", file, e.line, k, e.value, strings.Join(prev, " "), v.termFrom[k])
			}
			continue
		}
		v.terms[k] = meaning
		v.termFrom[k] = file
	}
	return nil
}
