// Package unifybench measures entity unification on two CSV sources with
// ground-truth pairs: pairwise precision, recall and F1 of the linkage
// unifier and of an exact-phone baseline.
//
// # Files
//
// A directory holds three CSV files with a header row (names are matched
// case-insensitively):
//
//   - a.csv (or tableA.csv): the first source, columns id, name, and any of
//     address (or addr, street), city, phone, country, website;
//   - b.csv (or tableB.csv): the second source, same columns;
//   - pairs.csv (or matches.csv, gold.csv): the true pairs, first column an
//     id of a.csv, second column an id of b.csv (header e.g. a_id,b_id or
//     ltable_id,rtable_id); with a "label" column only rows labelled 1
//     are pairs.
//
// A predicted pair is an (a, b) pair whose records end in the same
// cluster; pairs within one source are not counted.
package unifybench

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/autonomos/autonomos/dcl/linkage"
	"github.com/autonomos/autonomos/internal/benchfmt"
)

// MaxRecords caps the records read from one source file.
const MaxRecords = 2_000_000

// Pair is an (a id, b id) pair.
type Pair struct{ A, B string }

// Data is one benchmark: two sources and the true pairs.
type Data struct {
	A, B  []linkage.Record
	Truth map[Pair]bool
}

// Metrics are pairwise accuracy figures.
type Metrics struct {
	TP        int     `json:"tp"`
	FP        int     `json:"fp"`
	FN        int     `json:"fn"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// Score compares predicted pairs with the truth.
func Score(pred, truth map[Pair]bool) Metrics {
	var m Metrics
	for p := range pred {
		if truth[p] {
			m.TP++
		} else {
			m.FP++
		}
	}
	m.FN = len(truth) - m.TP
	if m.TP+m.FP > 0 {
		m.Precision = float64(m.TP) / float64(m.TP+m.FP)
	}
	if len(truth) > 0 {
		m.Recall = float64(m.TP) / float64(len(truth))
	}
	if m.Precision+m.Recall > 0 {
		m.F1 = 2 * m.Precision * m.Recall / (m.Precision + m.Recall)
	}
	return m
}

func firstExisting(dir string, names ...string) (string, error) {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("unifybench: %s holds none of %s", dir, strings.Join(names, ", "))
}

// Load reads a benchmark directory (see the package documentation).
func Load(dir string) (*Data, error) {
	pa, err := firstExisting(dir, "a.csv", "tableA.csv")
	if err != nil {
		return nil, err
	}
	pb, err := firstExisting(dir, "b.csv", "tableB.csv")
	if err != nil {
		return nil, err
	}
	pp, err := firstExisting(dir, "pairs.csv", "matches.csv", "gold.csv")
	if err != nil {
		return nil, err
	}
	d := &Data{}
	if d.A, err = readSource(pa, "a"); err != nil {
		return nil, err
	}
	if d.B, err = readSource(pb, "b"); err != nil {
		return nil, err
	}
	ida, idb := ids(d.A), ids(d.B)
	rows, err := readCSV(pp)
	if err != nil {
		return nil, err
	}
	d.Truth = map[Pair]bool{}
	label := -1
	for i, h := range rows[0] {
		if strings.EqualFold(strings.TrimSpace(h), "label") {
			label = i
		}
	}
	for i, r := range rows[1:] {
		if len(r) < 2 || label >= len(r) {
			return nil, fmt.Errorf("unifybench: %s line %d: want two ids", pp, i+2)
		}
		if label >= 0 && strings.TrimSpace(r[label]) != "1" {
			continue // a labelled non-match
		}
		p := Pair{strings.TrimSpace(r[0]), strings.TrimSpace(r[1])}
		if !ida[p.A] || !idb[p.B] {
			return nil, fmt.Errorf("unifybench: %s line %d: pair (%q, %q) names a record the sources lack", pp, i+2, p.A, p.B)
		}
		d.Truth[p] = true
	}
	return d, nil
}

func ids(rs []linkage.Record) map[string]bool {
	out := make(map[string]bool, len(rs))
	for _, r := range rs {
		out[r.Key.ID] = true
	}
	return out
}

func readCSV(path string) ([][]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("unifybench: %w", err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("unifybench: %s: %w", path, err)
		}
		if len(rows) > MaxRecords {
			return nil, fmt.Errorf("unifybench: %s: more than %d rows", path, MaxRecords)
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("unifybench: %s: no header row", path)
	}
	return rows, nil
}

var columnAliases = map[string]string{
	"id": "id", "name": "name", "address": "address", "addr": "address", "street": "address",
	"city": "city", "phone": "phone", "country": "country", "website": "website", "domain": "website", "url": "website",
}

func readSource(path, source string) ([]linkage.Record, error) {
	rows, err := readCSV(path)
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if c, ok := columnAliases[h]; ok {
			if _, dup := col[c]; !dup {
				col[c] = i
			}
		}
	}
	for _, need := range []string{"id", "name"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("unifybench: %s: no %q column", path, need)
		}
	}
	get := func(r []string, c string) string {
		if i, ok := col[c]; ok && i < len(r) {
			return strings.TrimSpace(r[i])
		}
		return ""
	}
	seen := map[string]bool{}
	out := make([]linkage.Record, 0, len(rows)-1)
	for i, r := range rows[1:] {
		id := get(r, "id")
		if id == "" {
			return nil, fmt.Errorf("unifybench: %s line %d: empty id", path, i+2)
		}
		if seen[id] {
			return nil, fmt.Errorf("unifybench: %s line %d: duplicate id %q", path, i+2, id)
		}
		seen[id] = true
		out = append(out, linkage.Record{Key: linkage.Key{Source: source, ID: id}, Name: get(r, "name"), Street: get(r, "address"),
			City: get(r, "city"), Phone: get(r, "phone"), Country: get(r, "country"), Website: get(r, "website")})
	}
	return out, nil
}

// Unify links both sources (a first, then b) with the unifier, estimates
// the model on all records and returns the predicted cross-source pairs.
// nil options mean: each source lists a business once (OnePerSource),
// one estimation after loading.
func Unify(d *Data, opts *linkage.Options) (map[Pair]bool, *linkage.Linker, error) {
	o := linkage.Options{MinTrain: -1, OnePerSource: true}
	if opts != nil {
		o = *opts
	}
	l, err := linkage.New(linkage.Accounts, &o)
	if err != nil {
		return nil, nil, err
	}
	var off int64
	for _, src := range [][]linkage.Record{d.A, d.B} {
		for _, r := range src {
			off++
			l.Upsert(r, off)
		}
	}
	off++
	l.Train(off)
	return Predicted(l), l, nil
}

// Predicted returns the cross-source pairs ("a" with "b") of a Linker's
// clusters.
func Predicted(l *linkage.Linker) map[Pair]bool {
	pred := map[Pair]bool{}
	for _, c := range l.Clusters() {
		var as, bs []string
		for _, k := range c.Members() {
			if k.Source == "a" {
				as = append(as, k.ID)
			} else {
				bs = append(bs, k.ID)
			}
		}
		for _, a := range as {
			for _, b := range bs {
				pred[Pair{a, b}] = true
			}
		}
	}
	return pred
}

// Baseline matches records whose phones have the same digits.
func Baseline(d *Data) map[Pair]bool {
	digits := func(s string) string {
		var b strings.Builder
		for _, r := range s {
			if r >= '0' && r <= '9' {
				b.WriteRune(r)
			}
		}
		return b.String()
	}
	byPhone := map[string][]string{}
	for _, r := range d.B {
		if p := digits(r.Phone); p != "" {
			byPhone[p] = append(byPhone[p], r.Key.ID)
		}
	}
	pred := map[Pair]bool{}
	for _, r := range d.A {
		for _, b := range byPhone[digits(r.Phone)] {
			pred[Pair{r.Key.ID, b}] = true
		}
	}
	return pred
}

// Report is the outcome of Run.
type Report struct {
	Records  int     `json:"records"`
	Truth    int     `json:"true_pairs"`
	Unifier  Metrics `json:"unifier"`
	Baseline Metrics `json:"baseline"`
}

// Run loads a directory and scores the unifier and the baseline.
func Run(dir string, opts *linkage.Options) (Report, error) {
	d, err := Load(dir)
	if err != nil {
		return Report{}, err
	}
	pred, _, err := Unify(d, opts)
	if err != nil {
		return Report{}, err
	}
	return Report{Records: len(d.A) + len(d.B), Truth: len(d.Truth), Unifier: Score(pred, d.Truth), Baseline: Score(Baseline(d), d.Truth)}, nil
}

// Result is the benchmark contract line: ours is the unifier's F1, the
// reference the baseline's.
func (r Report) Result() benchfmt.Result {
	return benchfmt.New("unify", "f1", r.Truth, r.Unifier.F1, r.Baseline.F1)
}
