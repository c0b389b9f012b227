package aam_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/pgsource"
	"github.com/autonomos/autonomos/internal/testenv"
)

// uuidPeopleSQL is a table keyed by random UUIDs (Supabase's default) with
// an updated_at a trigger keeps at the write time.
const uuidPeopleSQL = `
CREATE TABLE people (
	id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	name       text NOT NULL,
	last       text NOT NULL DEFAULT 'Doe',
	updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := clock_timestamp(); RETURN NEW; END $$;
CREATE TRIGGER people_touch BEFORE UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO people (name) SELECT 'person-' || lpad(i::text, 4, '0') FROM generate_series(1, 30) i;
`

// pgConfig is the pgsource configuration of the database at raw (trust
// authentication: no secret).
func pgConfig(t *testing.T, raw string) connectors.Config {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	return connectors.Config{"host": u.Hostname(), "port": u.Port(), "user": u.User.Username(),
		"database": u.Path[1:], "sslmode": "disable", "max_conns": "2"}
}

// peoplePool connects to the database at raw (two connections at most)
// and creates the people table in it.
func peoplePool(t *testing.T, raw string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(raw)
	require.NoError(t, err)
	cfg.MaxConns = 2
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = pool.Exec(testenv.Context(t), uuidPeopleSQL)
	require.NoError(t, err)
	return pool
}

// peopleConnection creates a pgsource connection of e's tenant with conf,
// removed at the end of the test (with its replication slot, so the test
// database can be dropped), and maps its people table to contacts.
func (e *env) peopleConnection(name string, conf connectors.Config) aam.Connection {
	e.t.Helper()
	c, err := e.mesh.CreateConnection(e.ctx, e.tenant, name, pgsource.Name, conf)
	require.NoError(e.t, err)
	e.t.Cleanup(func() { require.NoError(e.t, e.mesh.DeleteConnection(context.Background(), e.tenant, c.ID)) })
	e.putMapping(e.tenant, c.ID, "people", 0, canonical.Mapping{Entity: "contact", Fields: []canonical.FieldMapping{
		{Source: "id", Target: "contact_id", Confidence: 1},
		{Source: "name", Target: "first_name", Confidence: 1},
		{Source: "last", Target: "last_name", Confidence: 1},
	}})
	return c
}

// tableState is record id -> name of every row of people.
func tableState(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	rows, err := pool.Query(testenv.Context(t), `SELECT id::text, name FROM people`)
	require.NoError(t, err)
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		require.NoError(t, rows.Scan(&id, &name))
		out[id] = name
	}
	require.NoError(t, rows.Err())
	return out
}

// mutatePeople inserts rows with random keys, updates rows without changing
// any length (the name's case flips, and back again: A -> B -> A) and
// deletes rows.
func mutatePeople(t *testing.T, pool *pgxpool.Pool, rng *rand.Rand) {
	t.Helper()
	ctx := testenv.Context(t)
	for range 4 {
		_, err := pool.Exec(ctx, `INSERT INTO people (name) VALUES ($1)`, fmt.Sprintf("new-%06d", rng.IntN(1e6)))
		require.NoError(t, err)
	}
	for range 4 {
		_, err := pool.Exec(ctx, `UPDATE people SET name = CASE WHEN name = lower(name) THEN upper(name) ELSE lower(name) END
			WHERE id = (SELECT id FROM people ORDER BY id OFFSET $1 LIMIT 1)`, rng.IntN(25))
		require.NoError(t, err)
	}
	for range 2 {
		_, err := pool.Exec(ctx, `DELETE FROM people WHERE id = (SELECT id FROM people ORDER BY id OFFSET $1 LIMIT 1)`, rng.IntN(25))
		require.NoError(t, err)
	}
}

// TestPostgresTableAndStreamEndEqual: a UUID-keyed PostgreSQL table gets
// inserts, updates (including A -> B -> A) and deletes between syncs; read
// as a full snapshot (no cursor_column), incrementally (cursor_column,
// with a FullPass sync to find deletes) and by change data capture, the
// canonical stream ends exactly equal to the table after every round:
// nothing missing, nothing twice, every delete applied.
func TestPostgresTableAndStreamEndEqual(t *testing.T) {
	t.Parallel()
	for _, mode := range []string{"snapshot", "incremental", "cdc"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			var raw string
			if mode == "cdc" {
				raw = testenv.CDCPostgresURL(t)
			} else {
				raw = testenv.PostgresURL(t)
			}
			pool := peoplePool(t, raw)

			e := setup(t, "postgres", &aam.Options{BatchSize: 7}, func(reg *connectors.Registry) {
				require.NoError(t, pgsource.Register(reg))
			})
			conf := pgConfig(t, raw)
			switch mode {
			case "incremental":
				conf["cursor_column"] = "updated_at"
			case "cdc":
				conf["mode"], conf["cdc_wait"] = "cdc", "1s"
			}
			c := e.peopleConnection("people-"+mode, conf)

			r := e.sync(c.ID)
			require.Equal(t, 30, r.Events, "%+v", r)
			require.Equal(t, tableState(t, pool), e.streamState(c.ID))

			rng := rand.New(rand.NewPCG(7, uint64(len(mode))))
			for round := range 4 {
				mutatePeople(t, pool, rng)
				var opts []aam.SyncOption
				if mode == "incremental" && round%2 == 1 {
					// Incremental reads see inserts and updates; a full
					// pass finds what was deleted since.
					opts = append(opts, aam.FullPass())
				}
				r := e.sync(c.ID, opts...)
				require.Empty(t, r.Errors, "round %d", round)
				want := tableState(t, pool)
				got := e.streamState(c.ID)
				if mode == "incremental" && round%2 == 0 {
					// Only deletes may be missing before the full pass.
					for id, name := range want {
						require.Equal(t, name, got[id], "round %d: record %s", round, id)
					}
					continue
				}
				require.Equal(t, want, got, "round %d", round)
			}
			// Nothing changed: a sync appends nothing.
			r = e.sync(c.ID)
			require.Zero(t, r.Events, "%+v", r)
			require.Zero(t, r.Deleted, "%+v", r)
		})
	}
}
