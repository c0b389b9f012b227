package matchbench

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/schemamatch"
)

// Split is a named set of ground-truth directories.
type Split struct {
	Name string
	Dirs []string
}

// The split names. The matcher and its calibration are tuned on Dev and
// SaaS only; HeldOut is scored, never tuned on.
const (
	SplitDev     = "dev"
	SplitHeldOut = "heldout"
	SplitSaaS    = "saas"
	SplitReal    = "real"
)

// DefaultSplits are the project's ground-truth sets, relative to the
// repository root: the development split, the held-out split, the SaaS set
// (the original development files and the synthetic SaaS schemas) and the
// real public exports.
func DefaultSplits(root string) []Split {
	j := func(p string) string { return strings.TrimSuffix(root, "/") + "/" + p }
	return []Split{
		{Name: SplitDev, Dirs: []string{j("testdata/matching/dev")}},
		{Name: SplitHeldOut, Dirs: []string{j("testdata/matching/heldout")}},
		{Name: SplitSaaS, Dirs: []string{j("testdata/matching"), j("schemamatch/testdata/schemas")}},
		{Name: SplitReal, Dirs: []string{j("testdata/matching/real")}},
	}
}

// SplitReport is the report of every split, in order.
type SplitReport struct {
	Splits []NamedReport `json:"splits"`
	// Result is the benchmark-contract line: recall at review on the
	// held-out split (or the last split without one) against the
	// baseline's.
	Result benchfmt.Result `json:"result"`
}

// NamedReport is one split's report.
type NamedReport struct {
	Name string `json:"name"`
	Report
}

// ScoreSplits scores m on each split.
func ScoreSplits(ctx context.Context, m *schemamatch.Matcher, splits []Split) (SplitReport, error) {
	var out SplitReport
	for _, sp := range splits {
		cases, err := LoadCases(sp.Dirs...)
		if err != nil {
			return out, fmt.Errorf("matchbench: split %s: %w", sp.Name, err)
		}
		rep, err := ScoreCases(ctx, m, cases)
		if err != nil {
			return out, fmt.Errorf("matchbench: split %s: %w", sp.Name, err)
		}
		out.Splits = append(out.Splits, NamedReport{Name: sp.Name, Report: rep})
	}
	if len(out.Splits) == 0 {
		return out, fmt.Errorf("matchbench: no splits")
	}
	last := out.Splits[len(out.Splits)-1]
	for _, r := range out.Splits {
		if r.Name == SplitHeldOut {
			last = r
		}
	}
	out.Result = last.Result
	return out, nil
}

// Split returns the named split's report.
func (r SplitReport) Split(name string) (Report, bool) {
	for _, s := range r.Splits {
		if s.Name == name {
			return s.Report, true
		}
	}
	return Report{}, false
}

// Write prints a summary table of every split (matcher and baseline), each
// split's reliability table, the held-out mistakes, then the
// benchmark-contract line last.
func (r SplitReport) Write(w io.Writer) error {
	fmt.Fprintf(w, "%-10s %-7s %6s %9s %8s %8s %8s %5s %5s\n", "split", "matcher", "auto-P", "recall@R", "auto-cov", "entity", "FP-rate", "files", "n")
	for _, s := range r.Splits {
		for _, row := range []struct {
			who string
			m   Metrics
		}{{"ours", s.Ours}, {"baseline", s.Baseline}} {
			fmt.Fprintf(w, "%-10s %-7s %6.3f %9.3f %8.3f %8.3f %8.3f %5d %5d\n", s.Name, row.who, row.m.AutoPrecision, row.m.RecallAtReview,
				row.m.AutoCoverage, row.m.EntityAccuracy, row.m.FalsePositiveRate, row.m.Files, row.m.Expected)
		}
	}
	for _, s := range r.Splits {
		fmt.Fprintf(w, "\nreliability on %s: confidence bucket -> observed accuracy (ECE %.3f)\n", s.Name, s.ECE)
		fmt.Fprintf(w, "%-12s %5s %16s %9s\n", "bucket", "n", "mean confidence", "accuracy")
		for _, b := range s.Reliability {
			if b.N > 0 {
				fmt.Fprintf(w, "[%.1f, %.1f)   %5d %16.3f %9.3f\n", b.Low, b.High, b.N, b.MeanConfidence, b.Accuracy)
			}
		}
	}
	for _, s := range r.Splits {
		if len(s.Errors) > 0 {
			fmt.Fprintf(w, "\nmatcher mistakes on %s:\n", s.Name)
			for _, e := range s.Errors {
				fmt.Fprintln(w, "  "+e)
			}
		}
	}
	return r.Result.Write(w)
}

// FitCalibration refits the matcher's calibration on the tuning splits
// (dev and SaaS): it scores them with raw scores (newRaw must build a
// matcher with schemamatch.Identity calibration) and fits Platt scaling.
func FitCalibration(ctx context.Context, raw *schemamatch.Matcher, splits []Split) (schemamatch.Calibration, error) {
	var outcomes []schemamatch.Outcome
	for _, sp := range splits {
		if sp.Name != SplitDev && sp.Name != SplitSaaS {
			continue
		}
		cases, err := LoadCases(sp.Dirs...)
		if err != nil {
			return schemamatch.Calibration{}, err
		}
		rep, err := scoreCases(ctx, raw, cases, false)
		if err != nil {
			return schemamatch.Calibration{}, err
		}
		outcomes = append(outcomes, rep.Outcomes...)
	}
	return schemamatch.FitCalibration(outcomes)
}
