// Package dclbench measures the DCL's materialization for `aos bench
// materialize`: n opportunity events go through the engine's batch path
// (Appender into the view inside a transaction, set-based merge,
// unification bookkeeping, checkpoint) and, as the reference in the same
// run, the same rows go through a bare DuckDB Appender into an identical
// table. It also reports view query latencies on the result.
package dclbench

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"time"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/dcl"
	"github.com/autonomos/autonomos/internal/benchfmt"
)

// DefaultN is the number of events of `aos bench materialize`.
const DefaultN = 1_000_000

// Report holds the figures besides the contract line.
type Report struct {
	// OursSeconds and RawSeconds are the wall times of the two loads.
	OursSeconds float64 `json:"ours_seconds"`
	RawSeconds  float64 `json:"raw_seconds"`
	// Queries is the number of view queries timed; P50 and P99 their
	// latency percentiles.
	Queries int           `json:"queries"`
	P50     time.Duration `json:"p50_ns"`
	P99     time.Duration `json:"p99_ns"`
}

var stages = []string{"Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won"}

// Events generates opportunity events of one tenant with offsets
// from+1 .. from+n; event i is the same whatever the range it is made in.
func Events(tenant uuid.UUID, from, n int) []aam.StoredEvent {
	conn := uuid.NewSHA1(uuid.NameSpaceOID, []byte("bench-crm")).String()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	out := make([]aam.StoredEvent, n)
	for j := 0; j < n; j++ {
		i := from + j
		id := "opp-" + strconv.Itoa(i)
		closed := i%5 == 4
		created := base.Add(time.Duration(i%100000) * time.Minute)
		out[j] = aam.StoredEvent{Offset: int64(i + 1), Event: canonical.Event{
			EventID: uuid.NewSHA1(uuid.NameSpaceOID, []byte(id)).String(),
			Entity:  "opportunity", Op: canonical.OpUpsert,
			Data: map[string]any{
				"opportunity_id":   id,
				"account_id":       "acc-" + strconv.Itoa(i%5000),
				"opportunity_name": "Deal " + strconv.Itoa(i),
				"amount":           decimal.New(int64(1000+i%99000)*100+int64(i%100), -2),
				"currency":         "USD",
				"stage":            stages[i%len(stages)],
				"probability":      decimal.NewFromInt(int64((i % 5) * 25)),
				"close_date":       canonical.CivilDateOf(base.AddDate(0, 0, i%365)),
				"is_closed":        closed,
				"is_won":           closed && i%10 == 9,
				"owner_id":         "user-" + strconv.Itoa(i%50),
				"created_at":       created,
				"updated_at":       created.Add(time.Hour),
			},
			Meta:   canonical.EventMeta{TenantID: tenant.String(), MappingVersion: 1, SchemaVersion: 1, EmittedAt: created.Add(2 * time.Hour)},
			Source: canonical.EventSource{System: "salesforce", ConnectionID: conn, Object: "Opportunity", RecordID: id},
		}}
	}
	return out
}

// rawRows converts the events to the Appender rows of the view table, as
// a caller who already holds typed rows would append them.
func rawRows(v *dcl.View, evs []aam.StoredEvent) [][]driver.Value {
	rows := make([][]driver.Value, len(evs))
	for i, ev := range evs {
		row := make([]driver.Value, len(v.Columns))
		for j, c := range v.Columns {
			var val any
			if !c.System {
				val = ev.Data[c.Name]
			}
			switch x := val.(type) {
			case decimal.Decimal:
				bi := x.Shift(6).BigInt()
				if bi.IsInt64() {
					val = bi.Int64()
				} else {
					val = new(big.Int).Set(bi)
				}
			case canonical.CivilDate:
				val = x.Time()
			}
			row[j] = val
		}
		n := len(v.Columns) - 8
		row[n], row[n+1], row[n+2], row[n+3] = ev.Source.System, ev.Source.ConnectionID, ev.Source.Object, ev.Source.RecordID
		row[n+4] = uuid.NewSHA1(uuid.NameSpaceOID, []byte(ev.Source.RecordID)).String()
		row[n+5], row[n+6], row[n+7] = int64(ev.Meta.MappingVersion), ev.Offset, ev.Meta.EmittedAt
		rows[i] = row
	}
	return rows
}

// Materialize runs the benchmark with n events under dataDir (two
// subdirectories are created and removed). The result's ratio is our
// rows/s over the raw Appender's rows/s; higher is better.
func Materialize(ctx context.Context, dataDir string, n int) (benchfmt.Result, Report, error) {
	var rep Report
	if n < 1 {
		return benchfmt.Result{}, rep, fmt.Errorf("dclbench: n %d must be positive", n)
	}
	tenant := uuid.New()

	oursDir := filepath.Join(dataDir, "dclbench-ours")
	rawDir := filepath.Join(dataDir, "dclbench-raw")
	defer os.RemoveAll(oursDir)
	defer os.RemoveAll(rawDir)
	_ = os.RemoveAll(oursDir)
	_ = os.RemoveAll(rawDir)

	eng, err := dcl.Open(ctx, oursDir, tenant, nil)
	if err != nil {
		return benchfmt.Result{}, rep, fmt.Errorf("dclbench: %w", err)
	}
	defer eng.Close()
	view, err := eng.View("opportunities")
	if err != nil {
		return benchfmt.Result{}, rep, fmt.Errorf("dclbench: %w", err)
	}

	// reference: the same rows, already typed, through one Appender;
	// events are generated batch by batch, outside the timed sections
	rawSecs, err := rawLoad(ctx, rawDir, view, tenant, n)
	if err != nil {
		return benchfmt.Result{}, rep, err
	}

	var ours time.Duration
	for i := 0; i < n; i += dcl.DefaultBatchSize {
		evs := Events(tenant, i, min(dcl.DefaultBatchSize, n-i))
		start := time.Now()
		if _, err := eng.Materialize(ctx, evs); err != nil {
			return benchfmt.Result{}, rep, fmt.Errorf("dclbench: materialize: %w", err)
		}
		ours += time.Since(start)
	}
	oursSecs := ours.Seconds()
	agg, err := eng.Aggregate(ctx, "opportunities", dcl.AggregateOptions{Func: dcl.AggCount})
	if err != nil {
		return benchfmt.Result{}, rep, fmt.Errorf("dclbench: %w", err)
	}
	if agg[0].Count != int64(n) {
		return benchfmt.Result{}, rep, fmt.Errorf("dclbench: view holds %d rows, want %d", agg[0].Count, n)
	}
	rep.OursSeconds, rep.RawSeconds = oursSecs, rawSecs

	lat, err := queryLatencies(ctx, eng, 200)
	if err != nil {
		return benchfmt.Result{}, rep, err
	}
	rep.Queries = len(lat)
	rep.P50, rep.P99 = percentile(lat, 0.50), percentile(lat, 0.99)
	res := benchfmt.New("dcl_materialize", "rows/s", n, float64(n)/oursSecs, float64(n)/rawSecs)
	return res, rep, nil
}

func rawLoad(ctx context.Context, dir string, v *dcl.View, tenant uuid.UUID, n int) (float64, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return 0, fmt.Errorf("dclbench: %w", err)
	}
	connector, err := duckdb.NewConnector(filepath.Join(dir, "raw.duckdb"), nil)
	if err != nil {
		return 0, fmt.Errorf("dclbench: raw: %w", err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	if _, err := db.ExecContext(ctx, v.CreateTableSQL("opportunities")); err != nil {
		return 0, fmt.Errorf("dclbench: raw: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return 0, fmt.Errorf("dclbench: raw: %w", err)
	}
	defer conn.Close()
	var took time.Duration
	err = conn.Raw(func(dc any) error {
		a, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "opportunities")
		if err != nil {
			return err
		}
		for i := 0; i < n; i += dcl.DefaultBatchSize {
			rows := rawRows(v, Events(tenant, i, min(dcl.DefaultBatchSize, n-i)))
			start := time.Now()
			for _, r := range rows {
				if err := a.AppendRow(r...); err != nil {
					_ = a.Close()
					return err
				}
			}
			took += time.Since(start)
		}
		start := time.Now()
		err = a.Close()
		took += time.Since(start)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("dclbench: raw: %w", err)
	}
	var count int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM opportunities`).Scan(&count); err != nil {
		return 0, fmt.Errorf("dclbench: raw: %w", err)
	}
	if count != n {
		return 0, fmt.Errorf("dclbench: raw table holds %d rows, want %d", count, n)
	}
	return took.Seconds(), nil
}

// queryLatencies times paginated, filtered, sorted view queries: each
// filters by stage and a minimum amount, sorts by amount, and every
// fourth follows the previous page's token.
func queryLatencies(ctx context.Context, eng *dcl.Engine, n int) ([]time.Duration, error) {
	out := make([]time.Duration, 0, n)
	var token string
	for i := 0; i < n; i++ {
		q := dcl.QueryOptions{
			Fields: []string{"opportunity_id", "account_id", "amount", "stage", "close_date", dcl.ColUnifiedID},
			Filters: []dcl.Filter{
				{Field: "stage", Op: dcl.OpEq, Value: stages[i%len(stages)]},
				{Field: "amount", Op: dcl.OpGe, Value: strconv.Itoa(1000 * (i % 50))},
			},
			Sort:  []dcl.SortKey{{Field: "amount", Desc: true}},
			Limit: 100,
		}
		if i%4 == 3 {
			q.Filters[0].Value = stages[(i-1)%len(stages)]
			q.Filters[1].Value = strconv.Itoa(1000 * ((i - 1) % 50))
			q.PageToken = token
		}
		start := time.Now()
		p, err := eng.Query(ctx, "opportunities", q)
		if err != nil {
			return nil, fmt.Errorf("dclbench: query: %w", err)
		}
		out = append(out, time.Since(start))
		token = p.NextPageToken
	}
	return out, nil
}

func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	idx := int(p*float64(len(s)-1) + 0.5)
	return s[idx]
}
