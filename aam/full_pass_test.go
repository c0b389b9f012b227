package aam_test

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/pgsource"
	"github.com/autonomos/autonomos/internal/testenv"
)

// clock is a settable Options.Now.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// TestScheduledFullPassFindsDeletes: an incremental PostgreSQL table loses
// rows; syncs within Options.FullPassEvery of the last full pass read from
// the cursor and do not see the deletes, the first sync after it reads the
// table from the start and deletes them. The time of the last full pass
// survives a new mesh on the same store (another process), and -1 never
// schedules one.
func TestScheduledFullPassFindsDeletes(t *testing.T) {
	t.Parallel()
	for _, kind := range []string{"postgres", "duckdb"} {
		t.Run(kind, func(t *testing.T) {
			t.Parallel()
			raw := testenv.PostgresURL(t)
			pool := peoplePool(t, raw)

			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			clk := &clock{now: t0}
			opts := &aam.Options{FullPassEvery: 24 * time.Hour, Now: clk.Now}
			e := setup(t, kind, opts, func(reg *connectors.Registry) {
				require.NoError(t, pgsource.Register(reg))
			})
			conf := pgConfig(t, raw)
			conf["cursor_column"] = "updated_at"
			c := e.peopleConnection("people", conf)
			del := func() {
				_, err := pool.Exec(e.ctx, `DELETE FROM people WHERE id = (SELECT id FROM people ORDER BY name LIMIT 1)`)
				require.NoError(t, err)
			}

			r := e.sync(c.ID)
			require.True(t, r.FullPass, "the first sync is a full pass: %+v", r)
			require.Equal(t, 30, r.Events)
			last, err := e.store.LastFullPass(e.ctx, e.tenant, c.ID, "people")
			require.NoError(t, err)
			require.True(t, last.Equal(t0), "recorded as of the pass's start: %v", last)

			del()
			clk.set(t0.Add(23 * time.Hour))
			r = e.sync(c.ID)
			require.False(t, r.FullPass, "within FullPassEvery the sync reads from the cursor: %+v", r)
			require.Zero(t, r.Deleted)
			require.Len(t, e.streamState(c.ID), 30, "the delete is not seen yet")

			clk.set(t0.Add(24 * time.Hour))
			r = e.sync(c.ID)
			require.True(t, r.FullPass, "FullPassEvery after the last full pass: %+v", r)
			require.Equal(t, 1, r.Deleted, "%+v", r)
			require.Equal(t, tableState(t, pool), e.streamState(c.ID))
			last, err = e.store.LastFullPass(e.ctx, e.tenant, c.ID, "people")
			require.NoError(t, err)
			require.True(t, last.Equal(t0.Add(24*time.Hour)), "%v", last)

			// Another process: a new mesh on the same store keeps the time.
			del()
			clk.set(t0.Add(47 * time.Hour))
			other, err := aam.New(e.canon, e.conns, e.store, &aam.Options{FullPassEvery: 24 * time.Hour, Now: clk.Now})
			require.NoError(t, err)
			rep, err := other.Sync(e.ctx, e.tenant, c.ID)
			require.NoError(t, err)
			require.False(t, rep.Objects[0].FullPass, "%+v", rep.Objects[0])
			require.Zero(t, rep.Objects[0].Deleted)

			// -1 never schedules a full pass.
			never, err := aam.New(e.canon, e.conns, e.store, &aam.Options{FullPassEvery: -1, Now: clk.Now})
			require.NoError(t, err)
			clk.set(t0.Add(100 * time.Hour))
			rep, err = never.Sync(e.ctx, e.tenant, c.ID)
			require.NoError(t, err)
			require.False(t, rep.Objects[0].FullPass, "%+v", rep.Objects[0])

			rep, err = other.Sync(e.ctx, e.tenant, c.ID)
			require.NoError(t, err)
			require.True(t, rep.Objects[0].FullPass, "%+v", rep.Objects[0])
			require.Equal(t, 1, rep.Objects[0].Deleted)
			require.Equal(t, tableState(t, pool), e.streamState(c.ID))
		})
	}
}

func TestFullPassEveryValidated(t *testing.T) {
	e := setup(t, "duckdb", nil)
	_, err := aam.New(e.canon, e.conns, e.store, &aam.Options{FullPassEvery: -2})
	require.ErrorIs(t, err, aam.ErrInvalid)
	require.ErrorContains(t, err, "FullPassEvery")
}
