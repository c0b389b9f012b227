// Package matchbench scores the schema matcher on ground-truth files and
// compares it with a naive name-similarity baseline measured in the same
// run. It backs `aos bench match` and the matcher's quality tests.
//
// A ground-truth file is a source-schema document with an "expected" key:
//
//	"expected": {"entity": "account", "mappings": {"Name": "account_name"}}
//
// A source field absent from expected.mappings must stay unmapped.
//
// # Metrics
//
// A mapping is "mapped" when its decision is auto or review; a reject counts
// as unmapped. A mapping is correct when the file's entity was found and
// the source field's expected canonical field is the proposed one.
//
//   - AutoPrecision: correct auto mappings / all auto mappings (1 when there
//     are none).
//   - RecallAtReview: correct mapped (auto or review) mappings / expected
//     mappings.
//   - AutoCoverage: auto mappings / expected mappings.
//   - EntityAccuracy: files whose entity is right / files.
//   - FalsePositiveRate: source fields that should stay unmapped but were
//     mapped (auto or review) / source fields that should stay unmapped.
//
// The reliability table buckets every proposed mapping (reject included)
// by confidence and gives the observed share of correct ones.
//
// The baseline is naive on purpose: token Jaccard or normalized Levenshtein
// similarity of the names (whichever is higher), the entity whose fields
// are closest overall, a greedy one-to-one assignment, and the same
// thresholds applied to the similarity.
//
// # Usage
//
//	rep, err := matchbench.Score(ctx, matcher, dir)
//	if err != nil { ... }
//	err = rep.Write(os.Stdout) // tables, mistakes, then the benchfmt line
package matchbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/schemamatch"
)

// Expected is the ground truth of one file.
type Expected struct {
	Entity   string            `json:"entity"`
	Mappings map[string]string `json:"mappings"`
}

// Case is one ground-truth file: its path, the schema the matcher sees,
// and the expected answer it does not.
type Case struct {
	Path     string
	Schema   canonical.SourceSchema
	Expected Expected
}

// Metrics are the scores of one matcher over a set of cases.
// The rates are defined in the package documentation; the counts are
// what they are computed from.
type Metrics struct {
	AutoPrecision     float64 `json:"auto_precision"`
	RecallAtReview    float64 `json:"recall_at_review"`
	AutoCoverage      float64 `json:"auto_coverage"`
	EntityAccuracy    float64 `json:"entity_accuracy"`
	FalsePositiveRate float64 `json:"false_positive_rate"`

	// Auto counts auto mappings, AutoCorrect the right ones among them;
	// MappedCorrect counts right auto or review mappings and Expected the
	// ground-truth mappings.
	Auto          int `json:"auto"`
	AutoCorrect   int `json:"auto_correct"`
	MappedCorrect int `json:"mapped_correct"`
	Expected      int `json:"expected"`
	// ShouldStayUnmapped counts source fields absent from the ground
	// truth, FalsePositives those of them mapped anyway.
	ShouldStayUnmapped int `json:"should_stay_unmapped"`
	FalsePositives     int `json:"false_positives"`
	// Files counts ground-truth files, EntityCorrect those whose entity
	// was found.
	Files         int `json:"files"`
	EntityCorrect int `json:"entity_correct"`
}

// Report is the outcome of Score.
type Report struct {
	Ours     Metrics `json:"ours"`
	Baseline Metrics `json:"baseline"`
	// Reliability is the matcher's reliability table over every proposal
	// (reject included).
	Reliability []schemamatch.ReliabilityBucket `json:"reliability"`
	// ECE is the expected calibration error of Reliability.
	ECE float64 `json:"ece"`
	// Errors lists the matcher's mistakes, one line each.
	Errors []string `json:"errors,omitempty"`
	// Result is the benchmark-contract line: our recall at the review
	// threshold against the baseline's.
	Result benchfmt.Result `json:"result"`
	// Outcomes are the judged proposals behind Reliability.
	Outcomes []schemamatch.Outcome `json:"-"`
}

// LoadCases reads every *.json file of the directories (not their
// subdirectories) as a ground-truth file. Errors name the file; a file
// without an "expected" key is invalid. An expected entity "" means no
// canonical entity fits: nothing may be mapped.
func LoadCases(dirs ...string) ([]Case, error) {
	var paths []string
	for _, dir := range dirs {
		ps, err := filepath.Glob(filepath.Join(dir, "*.json"))
		if err != nil {
			return nil, fmt.Errorf("matchbench: %w", err)
		}
		if len(ps) == 0 {
			return nil, fmt.Errorf("matchbench: no *.json files in %q", dir)
		}
		sort.Strings(ps)
		paths = append(paths, ps...)
	}
	var cases []Case
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("matchbench: %w", err)
		}
		s, err := canonical.ParseSourceSchema(b)
		if err != nil {
			return nil, fmt.Errorf("matchbench: %s: %w", p, err)
		}
		var doc struct {
			Expected *Expected `json:"expected"`
		}
		if err := json.Unmarshal(b, &doc); err != nil || doc.Expected == nil {
			return nil, fmt.Errorf("matchbench: %s: no \"expected\" key", p)
		}
		cases = append(cases, Case{Path: p, Schema: *s, Expected: *doc.Expected})
	}
	return cases, nil
}

// proposal is one mapping decision of either matcher.
type proposal struct {
	source, target string
	confidence     float64
	decision       schemamatch.Decision
}

// Score runs m and the baseline on every ground-truth file of dir.
func Score(ctx context.Context, m *schemamatch.Matcher, dir string) (Report, error) {
	cases, err := LoadCases(dir)
	if err != nil {
		return Report{}, err
	}
	return ScoreCases(ctx, m, cases)
}

// ScoreCases is Score on cases already loaded.
func ScoreCases(ctx context.Context, m *schemamatch.Matcher, cases []Case) (Report, error) {
	return scoreCases(ctx, m, cases, true)
}

func scoreCases(ctx context.Context, m *schemamatch.Matcher, cases []Case, baseline bool) (Report, error) {
	if m == nil {
		return Report{}, errors.New("matchbench: matcher is nil")
	}
	reg, err := canonical.NewRegistry()
	if err != nil {
		return Report{}, fmt.Errorf("matchbench: %w", err)
	}
	th := schemamatch.DefaultThresholds()
	var rep Report
	var rel []schemamatch.Outcome
	for _, c := range cases {
		res, err := m.Match(ctx, c.Schema, nil)
		if err != nil {
			return Report{}, fmt.Errorf("matchbench: %s: %w", c.Path, err)
		}
		var ours []proposal
		for _, f := range res.Mappings {
			ours = append(ours, proposal{f.SourceField, f.CanonicalField, f.Confidence, f.Decision})
			ok := res.Entity == c.Expected.Entity && c.Expected.Mappings[f.SourceField] == f.CanonicalField
			rel = append(rel, schemamatch.Outcome{Confidence: f.Confidence, Correct: ok})
		}
		rep.Errors = append(rep.Errors, tally(&rep.Ours, c, res.Entity, ours)...)
		if baseline {
			ent, base := Baseline(reg, c.Schema, th)
			tally(&rep.Baseline, c, ent, base)
		}
	}
	finish(&rep.Ours)
	finish(&rep.Baseline)
	rep.Outcomes = rel
	rep.Reliability = schemamatch.Reliability(rel, 10)
	rep.ECE = schemamatch.ExpectedCalibrationError(rep.Reliability)
	rep.Result = benchfmt.New("match", "recall", rep.Ours.Expected, rep.Ours.RecallAtReview, rep.Baseline.RecallAtReview)
	return rep, nil
}

func tally(m *Metrics, c Case, entity string, props []proposal) []string {
	var errs []string
	name := filepath.Base(c.Path)
	m.Files++
	entityOK := entity == c.Expected.Entity
	if entityOK {
		m.EntityCorrect++
	} else {
		errs = append(errs, fmt.Sprintf("%s: entity %q, want %q", name, entity, c.Expected.Entity))
	}
	m.Expected += len(c.Expected.Mappings)
	got := map[string]proposal{}
	for _, p := range props {
		got[p.source] = p
	}
	for _, f := range c.Schema.Fields {
		want, expected := c.Expected.Mappings[f.Name]
		p, has := got[f.Name]
		mapped := has && p.decision.Mapped()
		correct := mapped && entityOK && expected && p.target == want
		if has && p.decision == schemamatch.DecisionAuto {
			m.Auto++
			if correct {
				m.AutoCorrect++
			}
		}
		if correct {
			m.MappedCorrect++
		}
		if !expected {
			m.ShouldStayUnmapped++
			if mapped {
				m.FalsePositives++
			}
		}
		switch {
		case expected && !correct && mapped:
			errs = append(errs, fmt.Sprintf("%s: %s -> %s (%s %.3f), want %s", name, f.Name, p.target, p.decision, p.confidence, want))
		case expected && !correct:
			errs = append(errs, fmt.Sprintf("%s: %s unmapped (best %q %.3f), want %s", name, f.Name, p.target, p.confidence, want))
		case !expected && mapped:
			errs = append(errs, fmt.Sprintf("%s: %s -> %s (%s %.3f), want unmapped", name, f.Name, p.target, p.decision, p.confidence))
		}
	}
	return errs
}

func ratio(a, b int, empty float64) float64 {
	if b == 0 {
		return empty
	}
	return float64(a) / float64(b)
}

func finish(m *Metrics) {
	m.AutoPrecision = ratio(m.AutoCorrect, m.Auto, 1)
	m.RecallAtReview = ratio(m.MappedCorrect, m.Expected, 0)
	m.AutoCoverage = ratio(m.Auto, m.Expected, 0)
	m.EntityAccuracy = ratio(m.EntityCorrect, m.Files, 0)
	m.FalsePositiveRate = ratio(m.FalsePositives, m.ShouldStayUnmapped, 0)
}

// Write prints the report for people, then the benchmark-contract line
// last.
func (r Report) Write(w io.Writer) error {
	if err := r.WriteTables(w); err != nil {
		return err
	}
	if len(r.Errors) > 0 {
		fmt.Fprintln(w, "\nmatcher mistakes:")
		for _, e := range r.Errors {
			fmt.Fprintln(w, "  "+e)
		}
	}
	return r.Result.Write(w)
}

// WriteTables prints the metric table and the reliability table.
func (r Report) WriteTables(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "metric\tmatcher\tbaseline\n")
	row := func(name string, a, b float64) { fmt.Fprintf(tw, "%s\t%.3f\t%.3f\n", name, a, b) }
	row("auto-apply precision", r.Ours.AutoPrecision, r.Baseline.AutoPrecision)
	row("recall at review", r.Ours.RecallAtReview, r.Baseline.RecallAtReview)
	row("auto-apply coverage", r.Ours.AutoCoverage, r.Baseline.AutoCoverage)
	row("entity accuracy", r.Ours.EntityAccuracy, r.Baseline.EntityAccuracy)
	row("false-positive rate", r.Ours.FalsePositiveRate, r.Baseline.FalsePositiveRate)
	fmt.Fprintf(tw, "files\t%d\t%d\n", r.Ours.Files, r.Baseline.Files)
	fmt.Fprintf(tw, "expected mappings\t%d\t%d\n", r.Ours.Expected, r.Baseline.Expected)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("matchbench: %w", err)
	}
	fmt.Fprintf(w, "\nreliability (matcher): confidence bucket -> observed accuracy (ECE %.3f)\n", r.ECE)
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "bucket\tn\tmean confidence\taccuracy\n")
	for _, b := range r.Reliability {
		if b.N == 0 {
			continue
		}
		fmt.Fprintf(tw, "[%.1f, %.1f)\t%d\t%.3f\t%.3f\n", b.Low, b.High, b.N, b.MeanConfidence, b.Accuracy)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("matchbench: %w", err)
	}
	return nil
}

// words splits a name for the baseline: camelCase and punctuation only.
func words(s string) []string {
	var out []string
	var cur []rune
	rs := []rune(s)
	for i, r := range rs {
		isAlnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !isAlnum {
			if len(cur) > 0 {
				out = append(out, strings.ToLower(string(cur)))
				cur = nil
			}
			continue
		}
		if len(cur) > 0 && r >= 'A' && r <= 'Z' && rs[i-1] >= 'a' && rs[i-1] <= 'z' {
			out = append(out, strings.ToLower(string(cur)))
			cur = nil
		}
		cur = append(cur, r)
	}
	if len(cur) > 0 {
		out = append(out, strings.ToLower(string(cur)))
	}
	return out
}
