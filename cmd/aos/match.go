package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/internal/matchbench"
	"github.com/autonomos/autonomos/schemamatch"
)

// runMatch is `aos match --schema FILE [--entity NAME]`: the built-in,
// offline matcher on one source-schema document.
func runMatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("match", stderr)
	path := fs.String("schema", "", "source-schema document (JSON; - for standard input)")
	entity := fs.String("entity", "", "target canonical entity (default: detect it)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *path == "" {
		return usagef("-schema is required")
	}
	data, err := readLimited(*path, canonical.MaxSchemaBytes)
	if err != nil {
		return err
	}
	schema, err := canonical.ParseSourceSchema(data)
	if err != nil {
		return usageError{err.Error()}
	}
	reg, err := canonical.NewRegistry()
	if err != nil {
		return err
	}
	if *entity != "" {
		if _, ok := reg.Entity(*entity); !ok {
			return usagef("-entity: unknown entity %q (entities: %v)", *entity, reg.Names())
		}
	}
	m, err := schemamatch.NewMatcher(reg, nil)
	if err != nil {
		return err
	}
	res, err := m.Match(ctx, *schema, &schemamatch.MatchOptions{Entity: *entity})
	if errors.Is(err, schemamatch.ErrInvalid) {
		return usageError{err.Error()}
	}
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// readLimited reads a file (or standard input for "-") of at most limit
// bytes; a larger one is a usage error.
func readLimited(path string, limit int) ([]byte, error) {
	var r io.Reader
	if path == "-" {
		r = os.Stdin
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, usagef("%v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, usagef("read %s: %v", path, err)
	}
	if len(data) > limit {
		return nil, usagef("%s is larger than the %d-byte limit", path, limit)
	}
	return data, nil
}

// benchMatch is `aos bench match [--root DIR | --dir DIR] [--fit]`: the
// matcher and a name-similarity baseline scored on ground-truth files. By
// default it scores every split under the repository root (dev, held-out,
// SaaS, real exports) and its last line compares held-out recall with the
// baseline's; --dir scores one directory instead. --fit refits the
// calibration on the dev and SaaS splits and prints it.
func benchMatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench match", stderr)
	dir := fs.String("dir", "", "score one directory of ground-truth source-schema files instead of the splits")
	root := fs.String("root", ".", "repository root holding testdata/matching/{dev,heldout,real} and the SaaS sets")
	fit := fs.Bool("fit", false, "refit the calibration on the dev and SaaS splits and print it")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	reg, err := canonical.NewRegistry()
	if err != nil {
		return err
	}
	if *dir != "" {
		if st, err := os.Stat(*dir); err != nil || !st.IsDir() {
			return usagef("-dir %q is not a directory", *dir)
		}
		m, err := schemamatch.NewMatcher(reg, nil)
		if err != nil {
			return err
		}
		rep, err := matchbench.Score(ctx, m, *dir)
		if err != nil {
			return err
		}
		return rep.Write(stdout)
	}
	splits := matchbench.DefaultSplits(*root)
	for _, sp := range splits {
		for _, d := range sp.Dirs {
			if st, err := os.Stat(d); err != nil || !st.IsDir() {
				return usagef("split %s: %q is not a directory (run from the repository root or set -root)", sp.Name, d)
			}
		}
	}
	if *fit {
		id := schemamatch.Identity()
		raw, err := schemamatch.NewMatcher(reg, &schemamatch.MatcherOptions{Calibration: &id})
		if err != nil {
			return err
		}
		c, err := matchbench.FitCalibration(ctx, raw, splits)
		if err != nil {
			return err
		}
		b, err := json.Marshal(c)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "%s\n", b)
		return err
	}
	m, err := schemamatch.NewMatcher(reg, nil)
	if err != nil {
		return err
	}
	rep, err := matchbench.ScoreSplits(ctx, m, splits)
	if err != nil {
		return err
	}
	return rep.Write(stdout)
}
