package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/internal/dclbench"
)

// openViews opens the tenant's DCL engine under the data directory and
// brings it up to date with the tenant's canonical stream.
func openViews(ctx context.Context, p *autonomos.Platform, tenantName string) (*dcl.Engine, error) {
	tenant, err := findTenant(ctx, p, tenantName, false)
	if err != nil {
		return nil, err
	}
	eng, err := dcl.Open(ctx, p.Config().DataDir, tenant.ID, nil)
	if err != nil {
		return nil, err
	}
	if _, err := eng.Sync(ctx, p.Store()); err != nil {
		eng.Close()
		return nil, fmt.Errorf("bring the views up to date: %w", err)
	}
	return eng, nil
}

// runViews is `aos views --data-dir D --tenant NAME VIEW [--limit N]`.
func runViews(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("views", stderr)
	var l localFlags
	l.register(fs)
	limit := fs.Int("limit", 100, "rows to print (at most; 0 for all)")
	view, rest := splitPositional(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	if view == "" {
		return usagef("name a view: accounts, contacts, opportunities, invoices or cloud_costs")
	}
	if *limit < 0 {
		return usagef("-limit must not be negative")
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
	enc := json.NewEncoder(stdout)
	printed := 0
	opts := dcl.QueryOptions{Limit: dcl.MaxQueryLimit}
	for {
		if *limit > 0 && *limit-printed < opts.Limit {
			opts.Limit = *limit - printed
		}
		page, err := eng.Query(ctx, view, opts)
		if errors.Is(err, dcl.ErrInvalid) {
			return usageError{err.Error()}
		}
		if err != nil {
			return err
		}
		for _, row := range page.Rows {
			if err := enc.Encode(row); err != nil {
				return err
			}
			printed++
		}
		if page.NextPageToken == "" || (*limit > 0 && printed >= *limit) {
			return nil
		}
		opts.PageToken = page.NextPageToken
	}
}

// runAgent is `aos agent --data-dir D --tenant NAME [--as-of DATE] NAME`.
func runAgent(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("agent", stderr)
	var l localFlags
	l.register(fs)
	asOf := fs.String("as-of", "", "evaluate as of this date, YYYY-MM-DD (default: the latest date in the tenant's data, else today)")
	name, rest := splitPositional(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	agent, err := dcl.AgentByName(name)
	if err != nil {
		return usagef("name an agent: revops, finops or cfo (%v)", err)
	}
	var when time.Time
	if *asOf != "" {
		if when, err = time.Parse(time.DateOnly, *asOf); err != nil {
			return usagef("-as-of %q: want YYYY-MM-DD", *asOf)
		}
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
	source := ""
	if when.IsZero() {
		latest, ok, err := eng.LatestDate(ctx)
		if err != nil {
			return err
		}
		if ok {
			when, source = latest, "the latest date in the tenant's data (pass --as-of to choose)"
		} else {
			source = "today: the tenant's data holds no dates"
		}
	}
	res, err := eng.RunAgent(ctx, agent, when)
	if err != nil {
		return err
	}
	res.AsOfSource = source
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", b)
	return err
}

// splitPositional takes the one positional argument (a view or agent
// name) from anywhere among the flags: the first argument that neither
// starts with "-" nor is the value of the flag before it.
func splitPositional(args []string) (string, []string) {
	valued := map[string]bool{"-data-dir": true, "--data-dir": true, "-tenant": true, "--tenant": true,
		"-limit": true, "--limit": true, "-as-of": true, "--as-of": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if len(a) > 0 && a[0] == '-' {
			if valued[a] {
				i++
			}
			continue
		}
		rest := append(append([]string{}, args[:i]...), args[i+1:]...)
		return a, rest
	}
	return "", args
}

// benchMaterialize is `aos bench materialize [-n N]`.
func benchMaterialize(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench materialize", stderr)
	n := fs.Int("n", dclbench.DefaultN, "opportunity events to materialize")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n <= 0 {
		return usagef("-n must be positive")
	}
	dir, err := os.MkdirTemp("", "aos-bench-materialize")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	res, rep, err := dclbench.Materialize(ctx, dir, *n)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "ours: %.0f rows/s (%.2fs)\nraw Appender: %.0f rows/s (%.2fs)\nview queries: %d, p50 %s, p99 %s\n",
		res.Ours, rep.OursSeconds, res.Reference, rep.RawSeconds, rep.Queries, rep.P50, rep.P99)
	return res.Write(stdout)
}
