package aam_test

import (
	"context"
	"encoding/json"
	"flag"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

var (
	benchRows  = flag.Int("aam.benchrows", 20000, "rows of the generated CSV in BenchmarkIngestPostgres")
	benchBatch = flag.Int("aam.benchbatch", 0, "Options.BatchSize in BenchmarkIngestPostgres (0: the default)")
)

// accountMapping maps filesource's generated bench CSV to accounts.
func accountMapping() canonical.Mapping {
	return canonical.Mapping{Entity: "account", Fields: []canonical.FieldMapping{
		{Source: "id", Target: "account_id", Confidence: 1},
		{Source: "name", Target: "account_name", Confidence: 1},
		{Source: "amount", Target: "annual_revenue", Confidence: 1},
		{Source: "created_at", Target: "created_at", Confidence: 1},
	}}
}

// BenchmarkIngestPostgres measures Sync of a generated CSV into the
// PostgreSQL canonical stream (read, map, coerce, validate, COPY + dedup
// insert, checkpoint) against a bare pgx CopyFrom of the same, already
// mapped events into a table like canonical_streams, in the same run. It
// reports both rates and their ratio (ours / reference).
func BenchmarkIngestPostgres(b *testing.B) {
	ctx := testenv.Context(b)
	pool := testenv.Postgres(b)
	ps, err := pgstore.New(pool, nil)
	require.NoError(b, err)
	b.Cleanup(ps.Close)
	require.NoError(b, ps.Migrate(ctx))
	store, err := pgstore.NewAAM(ps)
	require.NoError(b, err)
	dir := b.TempDir()
	rows := *benchRows
	require.NoError(b, filesource.WriteBenchCSV(filepath.Join(dir, "customers.csv"), rows))
	canon, err := canonical.NewRegistry()
	require.NoError(b, err)
	conns := connectors.NewRegistry()
	require.NoError(b, filesource.Register(conns))
	mesh, err := aam.New(canon, conns, store, &aam.Options{BatchSize: *benchBatch})
	require.NoError(b, err)

	// The reference's input: the same records, mapped beforehand.
	events := mapAll(b, ctx, dir, canon)
	require.Len(b, events, rows)
	_, err = pool.Exec(ctx, `CREATE TABLE bench_ref (LIKE canonical_streams INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING INDEXES)`)
	require.NoError(b, err)

	var ours, ref time.Duration
	b.ResetTimer()
	for range b.N {
		tenant, err := store.CreateTenant(ctx, testenv.Name("bench"))
		require.NoError(b, err)
		c, err := mesh.CreateConnection(ctx, tenant.ID, "customers", filesource.Name, connectors.Config{"root": dir})
		require.NoError(b, err)
		_, err = mesh.PutMapping(ctx, tenant.ID, aam.PutMapping{MappingKey: aam.MappingKey{ConnectionID: c.ID, Object: "customers"}, Mapping: accountMapping(), Author: "bench"})
		require.NoError(b, err)

		start := time.Now()
		rep, err := mesh.Sync(ctx, tenant.ID, c.ID)
		ours += time.Since(start)
		require.NoError(b, err)
		require.Equal(b, rows, rep.Total().Events)

		start = time.Now()
		copyReference(b, ctx, pool, tenant.ID, events)
		ref += time.Since(start)
	}
	n := float64(rows * b.N)
	b.ReportMetric(n/ours.Seconds(), "rows/s")
	b.ReportMetric(n/ref.Seconds(), "ref-rows/s")
	b.ReportMetric(ref.Seconds()/ours.Seconds(), "ratio")
}

func mapAll(b *testing.B, ctx context.Context, dir string, canon *canonical.Registry) []canonical.Event {
	src, err := filesource.New(connectors.Config{"root": dir})
	require.NoError(b, err)
	mp, err := canonical.NewMapper(canon, accountMapping(), nil)
	require.NoError(b, err)
	tenant, conn := uuid.NewString(), uuid.NewString()
	var out []canonical.Event
	require.NoError(b, src.Read(ctx, connectors.ReadRequest{Object: "customers"}, func(r connectors.Record) error {
		ev, errs := mp.Apply(r.Fields, canonical.RecordMeta{TenantID: tenant, ConnectionID: conn, System: "filesource", Object: "customers", RecordID: r.ID, TraceID: "t"})
		require.Empty(b, errs)
		out = append(out, ev)
		return nil
	}))
	return out
}

func copyReference(b testing.TB, ctx context.Context, pool interface {
	CopyFrom(context.Context, pgx.Identifier, []string, pgx.CopyFromSource) (int64, error)
}, tenant uuid.UUID, events []canonical.Event) {
	cols := []string{"tenant_id", "offset", "event_id", "entity", "op", "connection_id", "object", "record_id", "record_hash",
		"system", "mapping_version", "schema_version", "trace_id", "emitted_at", "data", "extras"}
	n, err := pool.CopyFrom(ctx, pgx.Identifier{"bench_ref"}, cols, pgx.CopyFromSlice(len(events), func(i int) ([]any, error) {
		e := &events[i]
		data, err := json.Marshal(e.Data)
		if err != nil {
			return nil, err
		}
		extras, err := json.Marshal(e.Extras)
		if err != nil {
			return nil, err
		}
		return []any{tenant, int64(i + 1), e.EventID, e.Entity, string(e.Op), e.Source.ConnectionID, e.Source.Object, e.Source.RecordID,
			e.Source.RecordHash, e.Source.System, e.Meta.MappingVersion, e.Meta.SchemaVersion, e.Meta.TraceID, e.Meta.EmittedAt, data, extras}, nil
	}))
	require.NoError(b, err)
	require.Equal(b, int64(len(events)), n)
}
