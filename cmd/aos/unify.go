package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/dcl/linkage"
	"github.com/autonomos/autonomos/internal/unifybench"
)

const unifyUsage = `usage:
  aos unify list  --data-dir D --tenant T [--entity account|contact] [--all]
  aos unify merge --data-dir D --tenant T [--entity account|contact] CONN/REC CONN/REC
  aos unify split --data-dir D --tenant T [--entity account|contact] CONN/REC CONN/REC

list prints JSON lines: {"type":"cluster",...} for every unified entity with
two or more records (--all: every one), with the links that hold it together
(comparisons, levels, weight in bits, match probability); then
{"type":"review",...} for every candidate pair in the review band; then
{"type":"decision",...} for every review decision.
merge records "these two are the same" (must-link), split "these two are
different" (cannot-link). A record is connection_id/record_id, as in the
views' _connection_id and _record_id columns. Decisions are kept in the
tenant's DCL file and survive rebuilds.`

// runUnify is `aos unify list|merge|split`.
func runUnify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprintln(stderr, unifyUsage)
		return usagef("name a unify action: list, merge or split")
	}
	action := args[0]
	fs := newFlags("unify "+action, stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, unifyUsage) }
	var l localFlags
	l.register(fs)
	entity := fs.String("entity", "account", "entity: account or contact")
	all := fs.Bool("all", false, "list: print single-record entities too")
	if err := fs.Parse(args[1:]); err != nil {
		return usageError{err.Error()}
	}
	if err := l.validate(); err != nil {
		return err
	}
	if *entity != "account" && *entity != "contact" {
		return usagef("-entity must be account or contact")
	}
	var refs []dcl.RecordRef
	switch action {
	case "list":
		if fs.NArg() > 0 {
			return usagef("unify list takes no arguments, got %q", fs.Args())
		}
	case "merge", "split":
		if fs.NArg() != 2 {
			return usagef("unify %s takes two records connection_id/record_id", action)
		}
		for _, a := range fs.Args() {
			r, err := dcl.ParseRecordRef(a)
			if err != nil {
				return usageError{err.Error()}
			}
			refs = append(refs, r)
		}
		if refs[0] == refs[1] {
			return usagef("unify %s: the two records are the same record", action)
		}
	default:
		fmt.Fprintln(stderr, unifyUsage)
		return usagef("unknown unify action %q", action)
	}
	p, err := openLocal(ctx, l.dataDir, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	eng, err := openViews(ctx, p, l.tenant)
	if err != nil {
		return err
	}
	defer eng.Close()
	switch action {
	case "merge", "split":
		kind := linkage.MustLink
		if action == "split" {
			kind = linkage.CannotLink
		}
		if err := eng.UnifyDecide(ctx, *entity, refs[0], refs[1], kind); err != nil {
			if errors.Is(err, dcl.ErrInvalid) {
				return usageError{err.Error()}
			}
			return err
		}
		return json.NewEncoder(stdout).Encode(map[string]any{"decision": kind, "entity": *entity, "a": refs[0], "b": refs[1]})
	}
	enc := json.NewEncoder(stdout)
	minSize := 2
	if *all {
		minSize = 1
	}
	ents, err := eng.UnifiedEntities(*entity, minSize)
	if err != nil {
		return err
	}
	for _, u := range ents {
		if err := enc.Encode(struct {
			Type string `json:"type"`
			dcl.UnifiedEntity
		}{"cluster", u}); err != nil {
			return err
		}
	}
	review, err := eng.UnifyReview(*entity)
	if err != nil {
		return err
	}
	for _, lk := range review {
		if err := enc.Encode(struct {
			Type   string `json:"type"`
			Entity string `json:"entity"`
			*linkage.Link
		}{"review", *entity, lk}); err != nil {
			return err
		}
	}
	cons, err := eng.UnifyConstraints(*entity)
	if err != nil {
		return err
	}
	for _, c := range cons {
		if err := enc.Encode(struct {
			Type   string `json:"type"`
			Entity string `json:"entity"`
			linkage.Constraint
		}{"decision", *entity, c}); err != nil {
			return err
		}
	}
	return nil
}

const benchUnifyHelp = `aos bench unify --dir DIR: pairwise precision, recall and F1 of the
unifier and of an exact-phone baseline on two CSV sources.

DIR holds three CSV files with a header row (column names are matched
case-insensitively):
  a.csv (or tableA.csv)   first source: id, name, and any of address (or
                          addr, street), city, phone, country, website
  b.csv (or tableB.csv)   second source, the same columns
  pairs.csv (or matches.csv, gold.csv)
                          true pairs: first column an id of a.csv, second an
                          id of b.csv (e.g. header a_id,b_id); with a "label"
                          column only rows labelled 1 are pairs
A predicted pair is an (a, b) pair in one cluster. The baseline pairs
records whose phones have the same digits. Output: one JSON line per
method, then {"name":"unify","ours":F1,"reference":baseline F1,...}.`

// benchUnify is `aos bench unify --dir DIR`.
func benchUnify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench unify", stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, benchUnifyHelp); fs.PrintDefaults() }
	dir := fs.String("dir", "", "directory with a.csv, b.csv and pairs.csv (required)")
	precision := fs.Float64("precision", 0.99, "precision target: the match probability a link needs")
	onePer := fs.Bool("one-per-source", true, "each source lists an entity once: a cluster holds at most one record per source")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *dir == "" {
		fmt.Fprintln(stderr, benchUnifyHelp)
		return usagef("-dir is required")
	}
	if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
		return usagef("-dir %q is not a directory", *dir)
	}
	if *precision <= 0.5 || *precision >= 1 {
		return usagef("-precision must be between 0.5 and 1")
	}
	rep, err := unifybench.Run(*dir, &linkage.Options{Precision: *precision, MinTrain: -1, OnePerSource: *onePer})
	if err != nil {
		return usageError{err.Error()}
	}
	enc := json.NewEncoder(stdout)
	for _, m := range []struct {
		Method string `json:"method"`
		unifybench.Metrics
	}{{"unifier", rep.Unifier}, {"exact_phone", rep.Baseline}} {
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	return rep.Result().Write(stdout)
}
