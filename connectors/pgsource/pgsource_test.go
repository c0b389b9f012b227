package pgsource_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/connectors/pgsource"
	"github.com/autonomos/autonomos/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const seedSQL = `
CREATE TYPE mood AS ENUM ('calm', 'busy');
CREATE TABLE accounts (
	id         bigint PRIMARY KEY,
	name       text NOT NULL,
	balance    numeric(14,2),
	meta       jsonb,
	ext_id     uuid,
	tags       text[],
	active     boolean,
	opened     date,
	score      double precision,
	mood       mood,
	created_at timestamptz NOT NULL,
	updated_at timestamptz
);
INSERT INTO accounts
SELECT i, 'Account ' || i, (i * 1000.5)::numeric(14,2),
       jsonb_build_object('tier', i % 3, 'nested', jsonb_build_object('ok', true)),
       ('00000000-0000-0000-0000-' || lpad(i::text, 12, '0'))::uuid,
       ARRAY['t' || i, 'all'], i % 2 = 0, DATE '2024-01-01' + i, i / 3.0,
       CASE WHEN i % 2 = 0 THEN 'calm'::mood ELSE 'busy'::mood END,
       TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 hour',
       CASE WHEN i % 5 = 0 THEN NULL ELSE TIMESTAMPTZ '2024-02-01 00:00:00+00' + (i % 7) * INTERVAL '1 day' END
FROM generate_series(1, 25) AS i;

CREATE TABLE line_items (
	order_id text,
	line     int,
	amount   numeric,
	PRIMARY KEY (order_id, line)
);
INSERT INTO line_items
SELECT 'order-' || o, l, o * 10 + l FROM generate_series(1, 4) o, generate_series(1, 4) l;

CREATE TABLE "Weird ""Name""" (
	"Odd ""Key""" text PRIMARY KEY,
	"select"      int,
	"a;b"         text
);
INSERT INTO "Weird ""Name"""
SELECT 'k'' ' || lpad(i::text, 2, '0'), i, 'v' || i FROM generate_series(1, 12) i;

CREATE TABLE no_key (v int);
INSERT INTO no_key VALUES (1), (2);
`

// setup makes a database seeded with seedSQL and returns its URL and a pool.
func setup(t *testing.T) (string, *pgxpool.Pool) {
	t.Helper()
	url := testenv.PostgresURL(t)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = pool.Exec(testenv.Context(t), seedSQL)
	require.NoError(t, err)
	return url, pool
}

func open(t *testing.T, cfg connectors.Config) *pgsource.Source {
	t.Helper()
	s, err := pgsource.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func harness(url, object string) connectortest.Harness {
	return connectortest.Harness{
		New: func(_ context.Context, cfg connectors.Config) (connectors.Connector, error) {
			return pgsource.New(cfg)
		},
		Config: connectors.Config{"url": url, "page_size": "7", "cursor_column": "updated_at"},
		BadConfigs: map[string]connectors.Config{
			"no url and no host":    {"schema": "public"},
			"url and host":          {"url": url, "host": "127.0.0.1", "database": "x"},
			"unknown database":      {"host": "127.0.0.1", "user": "root", "database": testenv.Name("aos_missing_db"), "sslmode": "disable"},
			"unknown role":          {"host": "127.0.0.1", "user": testenv.Name("nobody"), "password": "S3cret-Passw0rd!", "database": "postgres", "sslmode": "disable"},
			"unreachable port":      {"host": "127.0.0.1", "port": "1", "user": "root", "password": "An0ther-S3cret", "database": "postgres", "sslmode": "disable"},
			"unknown schema":        {"url": url, "schema": "no_such_schema"},
			"unknown table":         {"url": url, "tables": "accounts,no_such_table"},
			"malformed url":         {"url": "postgres://root:Sup3r-S3cret@127.0.0.1:notaport/db"},
			"password without user": {"host": "127.0.0.1", "password": "Y3t-An0ther-S3cret", "database": "postgres"},
			"zero page size":        {"url": url, "page_size": "0"},
		},
		Object:       object,
		MinRecords:   10,
		CancelWithin: 5 * time.Second,
		ReadTimeout:  30 * time.Second,
	}
}

func TestConformance(t *testing.T) {
	url, pool := setup(t)
	t.Run("accounts", func(t *testing.T) {
		h := harness(url, "accounts")
		h.Mutator = accountsMutator{pool}
		connectortest.Run(t, h)
	})
	t.Run("composite key", func(t *testing.T) { connectortest.Run(t, harness(url, "line_items")) })
	t.Run("weird names", func(t *testing.T) { connectortest.Run(t, harness(url, `Weird "Name"`)) })
	t.Run("snapshot", func(t *testing.T) {
		h := harness(url, "accounts")
		delete(h.Config, "cursor_column")
		h.Mutator = accountsMutator{pool}
		connectortest.Run(t, h)
	})
}

// TestConformanceCDC runs the suite on mode=cdc against the wal_level=logical
// server.
func TestConformanceCDC(t *testing.T) {
	url := testenv.CDCPostgresURL(t)
	pool, err := pgxpool.New(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = pool.Exec(testenv.Context(t), seedSQL)
	require.NoError(t, err)
	h := harness(url, "accounts")
	h.Config = connectors.Config{"url": url, "page_size": "7", "mode": "cdc", "cdc_wait": "2s", "slot": testenv.Name("aos")}
	h.Mutator = accountsMutator{pool}
	t.Cleanup(func() {
		s, err := pgsource.New(h.Config)
		require.NoError(t, err)
		defer s.Close()
		require.NoError(t, s.Deprovision(context.Background()))
	})
	connectortest.Run(t, h)
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	url, _ := setup(t)
	s := open(t, connectors.Config{"url": url, "cursor_column": "updated_at"})
	cat, err := s.Discover(testenv.Context(t))
	require.NoError(t, err)

	var names []string
	for _, o := range cat.Objects {
		names = append(names, o.Schema.Object)
		require.Equal(t, pgsource.System, o.Schema.System)
	}
	require.ElementsMatch(t, []string{"accounts", "line_items", `Weird "Name"`, "no_key"}, names)

	acc, ok := cat.Object("accounts")
	require.True(t, ok)
	require.Equal(t, []string{"id"}, acc.PrimaryKey)
	require.Equal(t, "updated_at", acc.CursorField)
	want := map[string]canonical.FieldType{
		"id": canonical.TypeInteger, "name": canonical.TypeString, "balance": canonical.TypeNumber,
		"meta": canonical.TypeObject, "ext_id": canonical.TypeString, "tags": canonical.TypeArray,
		"active": canonical.TypeBoolean, "opened": canonical.TypeDate, "score": canonical.TypeNumber,
		"mood": canonical.TypeString, "created_at": canonical.TypeDatetime, "updated_at": canonical.TypeDatetime,
	}
	require.Len(t, acc.Schema.Fields, len(want))
	for _, f := range acc.Schema.Fields {
		require.Equal(t, want[f.Name], f.Type, "field %q", f.Name)
		require.NotEmpty(t, f.Samples, "field %q has no samples", f.Name)
		require.LessOrEqual(t, len(f.Samples), canonical.MaxSamples)
	}
	// Samples are JSON-typed and survive the source-schema document format.
	doc, err := json.Marshal(acc.Schema)
	require.NoError(t, err)
	parsed, err := canonical.ParseSourceSchema(doc)
	require.NoError(t, err)
	opened, _ := parsed.Field("opened")
	require.Equal(t, "2024-01-02", opened.Samples[0])
	ext, _ := acc.Schema.Field("ext_id")
	require.Equal(t, "00000000-0000-0000-0000-000000000001", ext.Samples[0])
	bal, _ := acc.Schema.Field("balance")
	require.Equal(t, "1000.50", bal.Samples[0])

	li, _ := cat.Object("line_items")
	require.Equal(t, []string{"order_id", "line"}, li.PrimaryKey)
	require.Empty(t, li.CursorField)
	weird, _ := cat.Object(`Weird "Name"`)
	require.Equal(t, []string{`Odd "Key"`}, weird.PrimaryKey)
	nk, _ := cat.Object("no_key")
	require.Empty(t, nk.PrimaryKey)
}

func TestDiscoverTablesFilter(t *testing.T) {
	t.Parallel()
	url, _ := setup(t)
	s := open(t, connectors.Config{"url": url, "tables": `line_items, Weird "Name"`})
	require.NoError(t, s.Check(testenv.Context(t)))
	cat, err := s.Discover(testenv.Context(t))
	require.NoError(t, err)
	require.Len(t, cat.Objects, 2)
	err = s.Read(testenv.Context(t), connectors.ReadRequest{Object: "accounts"}, func(connectors.Record) error { return nil })
	require.ErrorIs(t, err, connectors.ErrNotFound)
}

func readAll(t *testing.T, s *pgsource.Source, req connectors.ReadRequest) []connectors.Record {
	t.Helper()
	recs, err := connectortest.ReadAll(testenv.Context(t), s, req)
	require.NoError(t, err)
	return recs
}

func TestReadValues(t *testing.T) {
	t.Parallel()
	url, _ := setup(t)
	s := open(t, connectors.Config{"url": url})
	recs := readAll(t, s, connectors.ReadRequest{Object: "accounts"})
	require.Len(t, recs, 25)
	r := recs[1]
	require.Equal(t, "2", r.ID)
	require.Equal(t, int64(2), r.Fields["id"])
	require.Equal(t, "2001.00", r.Fields["balance"])
	require.Equal(t, map[string]any{"tier": float64(2), "nested": map[string]any{"ok": true}}, r.Fields["meta"])
	require.Equal(t, "00000000-0000-0000-0000-000000000002", r.Fields["ext_id"])
	require.Equal(t, []any{"t2", "all"}, r.Fields["tags"])
	require.Equal(t, true, r.Fields["active"])
	require.Equal(t, "calm", r.Fields["mood"])
	require.InDelta(t, 2/3.0, r.Fields["score"], 1e-12)
	created, ok := r.Fields["created_at"].(time.Time)
	require.True(t, ok, "created_at is %T", r.Fields["created_at"])
	require.True(t, created.Equal(time.Date(2024, 1, 1, 2, 0, 0, 0, time.UTC)))
	opened, ok := r.Fields["opened"].(time.Time)
	require.True(t, ok)
	require.Equal(t, "2024-01-03", opened.Format(time.DateOnly))
	require.Nil(t, recs[4].Fields["updated_at"], "NULL reads as nil")

	// Composite and quoted keys.
	li := readAll(t, s, connectors.ReadRequest{Object: "line_items"})
	require.Len(t, li, 16)
	require.Equal(t, `["order-1","1"]`, li[0].ID)
	require.Equal(t, `["order-4","4"]`, li[15].ID)
	w := readAll(t, s, connectors.ReadRequest{Object: `Weird "Name"`})
	require.Len(t, w, 12)
	require.Equal(t, "k' 01", w[0].ID)
	require.Equal(t, int64(1), w[0].Fields["select"])
	require.Equal(t, "v1", w[0].Fields["a;b"])
}

// quiet makes an incremental cursor say no transaction was open during
// its read, so the next read starts exactly at its position (minus the
// look-back window). Real cursors may go further back when transactions
// were open, which other tests on the shared server cause at random.
func quiet(t *testing.T, c connectors.Cursor) connectors.Cursor {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(c), &m))
	m["n"] = m["x"]
	delete(m, "m")
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return connectors.Cursor(b)
}

func TestIncremental(t *testing.T) {
	t.Parallel()
	url, pool := setup(t)
	ctx := testenv.Context(t)
	s := open(t, connectors.Config{"url": url, "cursor_column": "updated_at", "page_size": "4", "lookback": "0s"})

	first := readAll(t, s, connectors.ReadRequest{Object: "accounts"})
	require.Len(t, first, 25)
	// NULL cursor values first, then by (updated_at, id).
	for i, id := range []string{"5", "10", "15", "20", "25"} {
		require.Equal(t, id, first[i].ID)
	}
	// A read from the end starts at the last cursor value (inclusive): the
	// rows that share it are read again, nothing else.
	end := quiet(t, first[len(first)-1].Cursor)
	require.Equal(t, []string{"6", "13"}, recordIDs(readAll(t, s, connectors.ReadRequest{Object: "accounts", Cursor: end})))

	_, err := pool.Exec(ctx, `UPDATE accounts SET updated_at = TIMESTAMPTZ '2030-01-01 00:00:00+00', name = 'moved' WHERE id = 3`)
	require.NoError(t, err)
	got := readAll(t, s, connectors.ReadRequest{Object: "accounts", Cursor: end})
	require.Equal(t, []string{"6", "13", "3"}, recordIDs(got))
	require.Equal(t, "moved", got[2].Fields["name"])

	// A row whose NULL cursor value is set is read again too.
	_, err = pool.Exec(ctx, `UPDATE accounts SET updated_at = TIMESTAMPTZ '2031-01-01 00:00:00+00' WHERE id = 10`)
	require.NoError(t, err)
	got = readAll(t, s, connectors.ReadRequest{Object: "accounts", Cursor: quiet(t, got[2].Cursor)})
	require.Equal(t, []string{"3", "10"}, recordIDs(got))

	// A cursor taken inside the NULL rows reads the table again.
	rest := readAll(t, s, connectors.ReadRequest{Object: "accounts", Cursor: quiet(t, first[0].Cursor)})
	require.Len(t, rest, 25)

	// The look-back window reads again what lies within it of the last
	// value: 400 days back from 2031-01-01 reaches row 3 (2030-01-01), 48
	// hours do not.
	last := quiet(t, got[1].Cursor)
	lb := open(t, connectors.Config{"url": url, "cursor_column": "updated_at", "lookback": "9600h"})
	require.Equal(t, []string{"3", "10"}, recordIDs(readAll(t, lb, connectors.ReadRequest{Object: "accounts", Cursor: last})))
	lb2 := open(t, connectors.Config{"url": url, "cursor_column": "updated_at", "lookback": "48h"})
	require.Equal(t, []string{"10"}, recordIDs(readAll(t, lb2, connectors.ReadRequest{Object: "accounts", Cursor: last})))

	// A real cursor never resumes after a row it did not read.
	got = readAll(t, s, connectors.ReadRequest{Object: "accounts", Cursor: got[1].Cursor})
	require.Contains(t, recordIDs(got), "10")
}

func TestReadRefusals(t *testing.T) {
	t.Parallel()
	url, _ := setup(t)
	ctx := testenv.Context(t)
	s := open(t, connectors.Config{"url": url})
	emit := func(connectors.Record) error { return nil }

	err := s.Read(ctx, connectors.ReadRequest{Object: "no_key"}, emit)
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	require.Contains(t, err.Error(), "no primary key")

	acc := readAll(t, s, connectors.ReadRequest{Object: "accounts"})
	err = s.Read(ctx, connectors.ReadRequest{Object: "line_items", Cursor: acc[0].Cursor}, emit)
	require.ErrorIs(t, err, connectors.ErrInvalidCursor, "a cursor of another table")

	li := readAll(t, s, connectors.ReadRequest{Object: "line_items"})
	bad := connectors.Cursor(`{"t":"line_items","k":["order-1","not a number"]}`)
	err = s.Read(ctx, connectors.ReadRequest{Object: "line_items", Cursor: bad}, emit)
	require.ErrorIs(t, err, connectors.ErrInvalidCursor, "a key value that does not fit the column")

	inc := open(t, connectors.Config{"url": url, "cursor_column": "updated_at"})
	err = inc.Read(ctx, connectors.ReadRequest{Object: "accounts", Cursor: acc[0].Cursor}, emit)
	require.ErrorIs(t, err, connectors.ErrInvalidCursor, "a key-only cursor on an incremental read")
	require.NotEmpty(t, li)
}

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	const secret = "Wr0ng-Passw0rd-42"
	role := testenv.Name("nobody")
	s := open(t, connectors.Config{"host": "127.0.0.1", "user": role, "password": secret, "database": "postgres", "sslmode": "disable"})
	err := s.Check(ctx)
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.Contains(t, err.Error(), role)
	require.NotContains(t, err.Error(), secret)
	_, err = s.Discover(ctx)
	require.ErrorIs(t, err, connectors.ErrUnauthorized)

	db := testenv.Name("aos_missing")
	s = open(t, connectors.Config{"url": fmt.Sprintf("postgres://root:%s@127.0.0.1:5432/%s?sslmode=disable", secret, db)})
	err = s.Check(ctx)
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	require.Contains(t, err.Error(), db)
	require.NotContains(t, err.Error(), secret)

	_, err = pgsource.New(connectors.Config{"url": "postgres://root:" + secret + "@127.0.0.1:x/db"})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	require.NotContains(t, err.Error(), secret)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	reg := connectors.NewRegistry()
	require.NoError(t, pgsource.Register(reg))
	require.Error(t, pgsource.Register(reg))
	_, err := reg.New(pgsource.Name, connectors.Config{"bogus": "x"})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	spec, ok := reg.Spec(pgsource.Name)
	require.True(t, ok)
	for _, name := range []string{"url", "password"} {
		p, _ := spec.Param(name)
		require.True(t, p.Secret, "param %q", name)
	}
}
