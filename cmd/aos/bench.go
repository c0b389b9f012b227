package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/internal/ingestbench"
	"github.com/autonomos/autonomos/internal/jobsbench"
)

// benchmark is one named `aos bench` benchmark. Each prints what it measured
// and, last, one benchfmt JSON line.
type benchmark struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

func benchmarks() map[string]benchmark {
	return map[string]benchmark{
		"csv":         {"file source CSV rows/s against a bare encoding/csv loop", benchCSV},
		"ingest":      {"CSV through the pipeline into PostgreSQL against a raw CopyFrom of the mapped rows", benchIngest},
		"jobs":        {"Redis job queue jobs/s against hibiken/asynq on the same Redis", benchJobs},
		"match":       {"matcher recall at the review threshold against a name-similarity baseline", benchMatch},
		"materialize": {"stream events into DuckDB views against a raw Appender; view query p50/p99", benchMaterialize},
		"unify":       {"unification precision/recall/F1 on two CSV sources against an exact-phone baseline", benchUnify},

		"ratelimit": {"per-tenant GCRA decision (Redis Lua round trip) ns/op against a bare INCR", benchRateLimit},
	}
}

// runBench dispatches `aos bench NAME [flags]`.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	all := benchmarks()
	if len(args) == 0 {
		names := make([]string, 0, len(all))
		for n := range all {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintln(stderr, "usage: aos bench NAME [flags]\n\nbenchmarks:")
		for _, n := range names {
			fmt.Fprintf(stderr, "  %-12s %s\n", n, all[n].summary)
		}
		return usagef("name a benchmark")
	}
	b, ok := all[args[0]]
	if !ok {
		return usagef("unknown benchmark %q", args[0])
	}
	return b.run(ctx, args[1:], stdout, stderr)
}

// newFlags returns a flag set whose parse errors are usage errors.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// flagError turns a flag parse error into a usage error; a request for
// help stays flag.ErrHelp (the flag set printed its usage; not a failure).
func flagError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usageError{err.Error()}
}

func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return flagError(err)
	}
	if fs.NArg() > 0 {
		return usagef("unexpected arguments: %q", fs.Args())
	}
	return nil
}

func benchCSV(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench csv", stderr)
	rows := fs.Int("n", 1_000_000, "rows in the generated CSV file")
	rounds := fs.Int("rounds", 3, "timed reads per side (best kept)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *rows <= 0 || *rounds <= 0 {
		return usagef("-n and -rounds must be positive")
	}
	dir, err := os.MkdirTemp("", "aos-bench-csv")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	res, err := filesource.Bench(ctx, dir, *rows, *rounds)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "filesource: %.0f rows/s\nencoding/csv: %.0f rows/s\n", res.Ours, res.Reference)
	return res.Write(stdout)
}

func benchJobs(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench jobs", stderr)
	var o jobsbench.Options
	fs.StringVar(&o.RedisURL, "redis-url", envOr("REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis server both queues run on (REDIS_URL)")
	fs.IntVar(&o.Jobs, "n", 100_000, "jobs per run")
	fs.IntVar(&o.Tenants, "tenants", 10, "tenants the jobs are spread over")
	fs.IntVar(&o.Concurrency, "concurrency", 50, "worker concurrency of both queues")
	fs.IntVar(&o.AsynqDB, "asynq-db", 15, "Redis database asynq runs in")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	rep, err := jobsbench.Run(ctx, o)
	if err != nil {
		return err
	}
	return rep.Write(stdout)
}

func benchIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench ingest", stderr)
	var o ingestbench.Options
	fs.StringVar(&o.DatabaseURL, "database-url", envOr("DATABASE_URL", "postgres://root@127.0.0.1:5432/postgres?sslmode=disable"),
		"PostgreSQL server (a scratch database is created and dropped) (DATABASE_URL)")
	fs.IntVar(&o.Rows, "n", 1_000_000, "rows in the generated CSV")
	fs.IntVar(&o.BatchSize, "batch", 0, "pipeline batch size (0: the default)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if o.Rows <= 0 {
		return usagef("-n must be positive")
	}
	rep, err := ingestbench.Run(ctx, o)
	if err != nil {
		return err
	}
	return rep.Write(stdout)
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}
