// Package ingestbench is the `aos bench ingest` benchmark: a generated CSV
// through the whole pipeline (read, map, coerce, validate, append with
// de-duplication and checkpoint) into the PostgreSQL canonical stream,
// against a raw pgx CopyFrom of the same, already mapped rows into an
// identical table, measured in the same run.
package ingestbench

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/pgstore"
)

// Options configures Run.
type Options struct {
	// DatabaseURL is a PostgreSQL server's administrative database; Run
	// creates a scratch database next to it and drops it afterwards.
	// Default postgres://root@127.0.0.1:5432/postgres?sslmode=disable.
	DatabaseURL string
	// Rows is the number of CSV rows; default 1,000,000.
	Rows int
	// BatchSize is the pipeline's batch size; 0 means the Mesh default.
	BatchSize int
}

// Report is what Run measured.
type Report struct {
	// Pipeline and Copy are rows per second.
	Pipeline, Copy float64
	// Result is the benchmark contract line (ours = pipeline).
	Result benchfmt.Result
}

// Write prints the two rates, then the contract line last.
func (r Report) Write(w interface{ Write([]byte) (int, error) }) error {
	if _, err := fmt.Fprintf(w, "pipeline: %.0f rows/s\nraw CopyFrom: %.0f rows/s\n", r.Pipeline, r.Copy); err != nil {
		return err
	}
	return r.Result.Write(w)
}

// mapping is the benchmark's field mapping of the generated customers file.
func mapping() canonical.Mapping {
	return canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{
		{Source: "id", Target: "account_id", Confidence: 1},
		{Source: "name", Target: "account_name", Confidence: 1},
		{Source: "amount", Target: "annual_revenue", Confidence: 1},
		{Source: "created_at", Target: "created_at", Confidence: 1},
	}}
}

// Run measures the pipeline and the reference. It fails when PostgreSQL is
// unreachable or a step fails; the scratch database is dropped in any case.
func Run(ctx context.Context, o Options) (Report, error) {
	if o.DatabaseURL == "" {
		o.DatabaseURL = "postgres://root@127.0.0.1:5432/postgres?sslmode=disable"
	}
	if o.Rows <= 0 {
		o.Rows = 1_000_000
	}
	dsn, drop, err := scratchDatabase(ctx, o.DatabaseURL)
	if err != nil {
		return Report{}, err
	}
	defer drop()
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return Report{}, err
	}
	defer pool.Close()
	ps, err := pgstore.New(pool, nil)
	if err != nil {
		return Report{}, err
	}
	defer ps.Close()
	if err := ps.Migrate(ctx); err != nil {
		return Report{}, err
	}
	store, err := pgstore.NewAAM(ps)
	if err != nil {
		return Report{}, err
	}
	dir, err := os.MkdirTemp("", "aos-bench-ingest")
	if err != nil {
		return Report{}, err
	}
	defer os.RemoveAll(dir)
	if err := filesource.WriteBenchCSV(filepath.Join(dir, "customers.csv"), o.Rows); err != nil {
		return Report{}, err
	}
	canon, err := canonical.NewRegistry()
	if err != nil {
		return Report{}, err
	}
	conns := connectors.NewRegistry()
	if err := filesource.Register(conns); err != nil {
		return Report{}, err
	}
	mesh, err := aam.New(canon, conns, store, &aam.Options{BatchSize: o.BatchSize})
	if err != nil {
		return Report{}, err
	}
	tenant, err := store.CreateTenant(ctx, "bench")
	if err != nil {
		return Report{}, err
	}
	conn, err := mesh.CreateConnection(ctx, tenant.ID, "customers", filesource.Name, connectors.Config{"root": dir})
	if err != nil {
		return Report{}, err
	}
	if _, err := mesh.PutMapping(ctx, tenant.ID, aam.PutMapping{
		MappingKey: aam.MappingKey{ConnectionID: conn.ID, Object: "customers"}, Mapping: mapping(), Author: "bench", Reason: "benchmark",
	}); err != nil {
		return Report{}, err
	}

	start := time.Now()
	rep, err := mesh.Sync(ctx, tenant.ID, conn.ID)
	ours := time.Since(start)
	if err != nil {
		return Report{}, err
	}
	if got := rep.Total().Events; got != o.Rows {
		return Report{}, fmt.Errorf("ingestbench: pipeline appended %d events, want %d", got, o.Rows)
	}

	events, err := mapAll(ctx, canon, dir, tenant.ID.String(), conn.ID.String())
	if err != nil {
		return Report{}, err
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE bench_ref (LIKE canonical_streams INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`); err != nil {
		return Report{}, err
	}
	start = time.Now()
	if err := copyReference(ctx, pool, tenant.ID, events); err != nil {
		return Report{}, err
	}
	ref := time.Since(start)

	r := Report{Pipeline: float64(o.Rows) / ours.Seconds(), Copy: float64(o.Rows) / ref.Seconds()}
	r.Result = benchfmt.New("ingest", "rows/s", o.Rows, r.Pipeline, r.Copy)
	return r, nil
}

// mapAll reads and maps the file in memory: the reference's input.
func mapAll(ctx context.Context, canon *canonical.Registry, dir, tenant, conn string) ([]canonical.Event, error) {
	src, err := filesource.New(connectors.Config{"root": dir})
	if err != nil {
		return nil, err
	}
	defer src.Close()
	mp, err := canonical.NewMapper(canon, mapping(), nil)
	if err != nil {
		return nil, err
	}
	var out []canonical.Event
	err = src.Read(ctx, connectors.ReadRequest{Object: "customers"}, func(r connectors.Record) error {
		ev, errs := mp.Apply(r.Fields, canonical.RecordMeta{TenantID: tenant, ConnectionID: conn, System: filesource.Name,
			Object: "customers", RecordID: r.ID, TraceID: "bench"})
		if len(errs) > 0 {
			return fmt.Errorf("ingestbench: record %s: %v", r.ID, errs[0])
		}
		out = append(out, ev)
		return nil
	})
	return out, err
}

// copyReference copies the mapped events into bench_ref with one CopyFrom,
// encoding the JSON columns as the store does.
func copyReference(ctx context.Context, pool *pgxpool.Pool, tenant uuid.UUID, events []canonical.Event) error {
	cols := []string{"tenant_id", "offset", "event_id", "entity", "op", "connection_id", "object", "record_id", "record_hash",
		"system", "mapping_version", "schema_version", "trace_id", "emitted_at", "data", "extras"}
	n, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_ref"}, cols, pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
		e := &events[i]
		data, err := json.Marshal(e.Data)
		if err != nil {
			return nil, err
		}
		var extras []byte
		if len(e.Extras) > 0 {
			if extras, err = json.Marshal(e.Extras); err != nil {
				return nil, err
			}
		}
		return []any{tenant, int64(i + 1), e.EventID, e.Entity, string(e.Op), e.Source.ConnectionID, e.Source.Object, e.Source.RecordID,
			e.Source.RecordHash, e.Source.System, int32(e.Meta.MappingVersion), int32(e.Meta.SchemaVersion), e.Meta.TraceID, e.Meta.EmittedAt.UTC(), data, extras}, nil
	}))
	if err != nil {
		return fmt.Errorf("ingestbench: reference copy: %w", err)
	}
	if n != int64(len(events)) {
		return fmt.Errorf("ingestbench: reference copied %d rows, want %d", n, len(events))
	}
	return nil
}

// scratchDatabase creates a fresh database next to admin and returns its
// URL and a function dropping it.
func scratchDatabase(ctx context.Context, admin string) (string, func(), error) {
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		return "", nil, fmt.Errorf("ingestbench: PostgreSQL is not reachable (start it with `make services`): %w", err)
	}
	defer conn.Close(context.Background())
	name := "aos_bench_" + uuid.NewString()[:8]
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		return "", nil, fmt.Errorf("ingestbench: create scratch database: %w", err)
	}
	u, err := url.Parse(admin)
	if err != nil {
		return "", nil, err
	}
	u.Path = "/" + name
	drop := func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if c, err := pgx.Connect(ctx, admin); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
			c.Close(ctx)
		}
	}
	return u.String(), drop, nil
}
