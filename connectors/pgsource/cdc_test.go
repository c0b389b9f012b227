package pgsource_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/jackc/pglogrepl"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/pgsource"
	"github.com/autonomos/autonomos/internal/testenv"
)

// cdcSetup makes a database on the wal_level=logical server holding the
// people table, and a provisioned mode=cdc source whose slots are dropped
// before the database is.
func cdcSetup(t *testing.T) (*pgsource.Source, *pgxpool.Pool) {
	t.Helper()
	url := testenv.CDCPostgresURL(t)
	pool := peopleDB(t, url)
	src := open(t, connectors.Config{"url": url, "mode": "cdc", "page_size": "7", "cdc_wait": "2s", "max_conns": "2", "slot": testenv.Name("aos")})
	ctx := testenv.Context(t)
	require.NoError(t, src.Provision(ctx))
	require.NoError(t, src.Provision(ctx), "Provision is idempotent")
	t.Cleanup(func() {
		require.NoError(t, src.Deprovision(testenv.Context(t)))
	})
	return src, pool
}

func slotCount(t *testing.T, pool *pgxpool.Pool) int {
	t.Helper()
	var n int
	require.NoError(t, pool.QueryRow(testenv.Context(t), `SELECT count(*) FROM pg_replication_slots WHERE database = current_database()`).Scan(&n))
	return n
}

// TestCDCUUIDKeys: the snapshot, then every insert, update and delete,
// each exactly once, and the records end equal to the table.
func TestCDCUUIDKeys(t *testing.T) {
	t.Parallel()
	src, pool := cdcSetup(t)
	require.Equal(t, 1, slotCount(t, pool), "Provision made the table's slot")
	r := newReplica(src, "people")
	recs := r.pass(t)
	require.Len(t, recs, 40)
	r.requireEqualsTable(t, pool, "snapshot")

	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 4 {
		m := mutate(t, pool, rng)
		recs := r.follow(t)
		require.Len(t, recs, m.total(), "round %d: one record per change, nothing twice", round)
		deletes := 0
		for _, rec := range recs {
			if rec.Deleted {
				deletes++
				require.Nil(t, rec.Fields)
			}
		}
		require.Equal(t, m.deletes, deletes, "round %d", round)
		r.requireEqualsTable(t, pool, fmt.Sprintf("round %d", round))
		require.Empty(t, r.follow(t), "round %d: a read after catching up gives nothing", round)
	}

	// Changes made while the initial snapshot is read are not lost: they
	// follow it in the stream.
	fresh := newReplica(src, "people")
	n := 0
	err := src.Read(testenv.Context(t), connectors.ReadRequest{Object: "people"}, func(rec connectors.Record) error {
		n++
		if n == 3 {
			mutate(t, pool, rng)
		}
		fresh.apply(t, []connectors.Record{rec})
		return nil
	})
	require.NoError(t, err)
	fresh.requireEqualsTable(t, pool, "snapshot read while the table changed")
	require.Equal(t, 1, slotCount(t, pool), "a new capture replaces the slot")

	require.NoError(t, src.Deprovision(testenv.Context(t)))
	require.Zero(t, slotCount(t, pool), "Deprovision drops the slot")
	var pubs int
	require.NoError(t, pool.QueryRow(testenv.Context(t), `SELECT count(*) FROM pg_publication`).Scan(&pubs))
	require.Zero(t, pubs, "Deprovision drops the publication")
	// A cursor whose slot is gone asks for a new start.
	err = src.Read(testenv.Context(t), connectors.ReadRequest{Object: "people", Cursor: r.cursor}, func(connectors.Record) error { return nil })
	require.ErrorIs(t, err, connectors.ErrInvalidCursor)
}

func confirmedLSN(t *testing.T, pool *pgxpool.Pool) pglogrepl.LSN {
	t.Helper()
	var s string
	require.NoError(t, pool.QueryRow(testenv.Context(t), `SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE database = current_database()`).Scan(&s))
	lsn, err := pglogrepl.ParseLSN(s)
	require.NoError(t, err)
	return lsn
}

var errCrash = errors.New("crash")

// TestCDCAckAndCrash: the server is told a position is done only when a
// later read starts from a cursor at or after it; a read that stops in the
// middle of a transaction resumes after its last record, with nothing
// missing and nothing twice.
func TestCDCAckAndCrash(t *testing.T) {
	t.Parallel()
	src, pool := cdcSetup(t)
	ctx := testenv.Context(t)
	r := newReplica(src, "people")
	r.pass(t)
	start := confirmedLSN(t, pool)

	// One transaction of 30 changes.
	_, err := pool.Exec(ctx, `
		UPDATE people SET name = upper(name) WHERE n <= 20;
		DELETE FROM people WHERE n > 35;
		INSERT INTO people (name, n) SELECT 'tx-' || i, 100 + i FROM generate_series(1, 5) i`)
	require.NoError(t, err)

	// The read crashes after 12 records: nothing is acknowledged.
	var got []connectors.Record
	err = src.Read(ctx, connectors.ReadRequest{Object: "people", Cursor: r.cursor}, func(rec connectors.Record) error {
		if len(got) == 12 {
			return errCrash
		}
		got = append(got, rec)
		return nil
	})
	require.ErrorIs(t, err, errCrash)
	r.apply(t, got)
	// Nothing of the transaction was acknowledged (the slot may have moved
	// over other databases' WAL before it): the rest of it is still served.
	require.GreaterOrEqual(t, confirmedLSN(t, pool), start)

	rest := r.follow(t)
	require.Equal(t, 30-12, len(rest), "the rest of the transaction, nothing twice")
	r.requireEqualsTable(t, pool, "after the crash")
	all := append(got, rest...)
	seen := map[string]bool{}
	for _, rec := range all {
		require.False(t, seen[rec.ID], "record %s twice", rec.ID)
		seen[rec.ID] = true
	}

	// The next read acknowledges the cursor it starts from.
	var cur struct {
		L struct {
			LSN string `json:"l"`
		} `json:"l"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.cursor), &cur))
	want, err := pglogrepl.ParseLSN(cur.L.LSN)
	require.NoError(t, err)
	require.Less(t, confirmedLSN(t, pool), want)
	require.Empty(t, r.follow(t))
	require.GreaterOrEqual(t, confirmedLSN(t, pool), want, "the stored cursor's position is acknowledged")
}

// TestCDCSlotLagMetric: the lag of a slot nobody reads grows, and shows.
func TestCDCSlotLagMetric(t *testing.T) {
	t.Parallel()
	src, pool := cdcSetup(t)
	reg := prometheus.NewPedanticRegistry()
	for _, c := range src.Collectors() {
		require.NoError(t, reg.Register(c))
	}
	lag := func() float64 {
		mfs, err := reg.Gather()
		require.NoError(t, err)
		for _, mf := range mfs {
			if mf.GetName() == "aos_pgsource_replication_slot_lag_bytes" {
				require.Len(t, mf.GetMetric(), 1)
				return mf.GetMetric()[0].GetGauge().GetValue()
			}
		}
		t.Fatal("no slot lag metric")
		return 0
	}
	before := lag()
	_, err := pool.Exec(testenv.Context(t), `INSERT INTO people (name, n) SELECT 'bulk-' || i, i FROM generate_series(1, 2000) i`)
	require.NoError(t, err)
	require.Greater(t, lag(), before+10000, "the slot lag grows while nothing reads it")

	lags, err := src.SlotLags(testenv.Context(t))
	require.NoError(t, err)
	require.Len(t, lags, 1)
}

// TestCDCCheck: mode=cdc on a server without wal_level=logical is refused
// by Check with the reason.
func TestCDCCheck(t *testing.T) {
	t.Parallel()
	url, _ := setup(t) // the shared server, wal_level replica
	s := open(t, connectors.Config{"url": url, "mode": "cdc"})
	var level string
	require.NoError(t, pgxConnQueryRow(t, url, "SHOW wal_level", &level))
	err := s.Check(testenv.Context(t))
	if level == "logical" {
		require.NoError(t, err)
		return
	}
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	require.ErrorContains(t, err, "wal_level")
	require.NoError(t, open(t, connectors.Config{"url": testenv.CDCPostgresURL(t), "mode": "cdc"}).Check(testenv.Context(t)))
}

func pgxConnQueryRow(t *testing.T, url, sql string, dst any) error {
	t.Helper()
	pool, err := pgxpool.New(testenv.Context(t), url)
	require.NoError(t, err)
	defer pool.Close()
	return pool.QueryRow(testenv.Context(t), sql).Scan(dst)
}
