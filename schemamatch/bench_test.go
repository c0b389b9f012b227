package schemamatch_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/schemamatch"
)

func loadSchema(tb testing.TB, path string) canonical.SourceSchema {
	tb.Helper()
	b, err := os.ReadFile(path)
	require.NoError(tb, err)
	s, err := canonical.ParseSourceSchema(b)
	require.NoError(tb, err)
	return *s
}

// BenchmarkMatch measures one Match of the Salesforce account schema
// (22 fields) against the five built-in entities.
func BenchmarkMatch(b *testing.B) {
	m := newMatcher(b, nil)
	s := loadSchema(b, "../testdata/matching/salesforce_account.json")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Match(ctx, s, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func newMatcher(tb testing.TB, opts *schemamatch.MatcherOptions) *schemamatch.Matcher {
	tb.Helper()
	reg, err := canonical.NewRegistry()
	require.NoError(tb, err)
	m, err := schemamatch.NewMatcher(reg, opts)
	require.NoError(tb, err)
	return m
}

// BenchmarkMatchWide measures a Match at the default field limit (2000
// fields, names drawn from the development schemas with numeric suffixes).
func BenchmarkMatchWide(b *testing.B) {
	m := newMatcher(b, nil)
	base := loadSchema(b, "../testdata/matching/salesforce_account.json")
	wide := canonical.SourceSchema{System: "wide", Object: "Account"}
	for i := 0; len(wide.Fields) < schemamatch.DefaultMaxFields; i++ {
		f := base.Fields[i%len(base.Fields)]
		f.Name = fmt.Sprintf("%s_%d", f.Name, i)
		wide.Fields = append(wide.Fields, f)
	}
	ctx := context.Background()
	for b.Loop() {
		if _, err := m.Match(ctx, wide, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMatch100 measures `aos match` on a 100-field schema (fields of
// the development ERP, warehouse and other-language schemas, with samples)
// against the five built-in entities; the goal is well under 50 ms.
func BenchmarkMatch100(b *testing.B) {
	m := newMatcher(b, nil)
	wide := canonical.SourceSchema{System: "wide", Object: "export"}
	paths, err := filepath.Glob("../testdata/matching/dev/*.json")
	require.NoError(b, err)
	for i := 0; len(wide.Fields) < 100; i++ {
		s := loadSchema(b, paths[i%len(paths)])
		f := s.Fields[(i/len(paths))%len(s.Fields)]
		f.Name = fmt.Sprintf("%s_%d", f.Name, i)
		wide.Fields = append(wide.Fields, f)
	}
	ctx := context.Background()
	b.ReportAllocs()
	// On a shared machine wall time says little; the process's CPU time
	// per match is reported too.
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := m.Match(ctx, wide, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(b.N), "cpu-ms/op")
}
