package pgsource_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/testenv"
)

// soakDuration is how long TestSoak runs: AOS_SOAK (e.g. 10m) when set,
// else a few seconds, so the default run stays short.
func soakDuration(t *testing.T) (time.Duration, time.Duration) {
	t.Helper()
	if v := os.Getenv("AOS_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "AOS_SOAK must be a duration such as 10m")
		return d, time.Second
	}
	return 3 * time.Second, 300 * time.Millisecond
}

// writer mutates the people table until ctx ends: inserts, updates and
// deletes, each its own transaction, some with several statements.
func writer(ctx context.Context, pool *pgxpool.Pool, seed uint64) (ops int, err error) {
	rng := rand.New(rand.NewPCG(seed, seed+1))
	for ctx.Err() == nil {
		switch k := rng.IntN(10); {
		case k < 4:
			_, err = pool.Exec(ctx, `INSERT INTO people (name, n) VALUES ($1, $2)`, fmt.Sprintf("soak-%06d", rng.IntN(1e6)), rng.IntN(1000))
		case k < 8:
			_, err = pool.Exec(ctx, `UPDATE people SET name = CASE WHEN name = lower(name) THEN upper(name) ELSE lower(name) END, n = n + 1
				WHERE id = (SELECT id FROM people ORDER BY id OFFSET $1 LIMIT 1)`, rng.IntN(40))
		default:
			_, err = pool.Exec(ctx, `DELETE FROM people WHERE id = (SELECT id FROM people ORDER BY id OFFSET $1 LIMIT 1)`, rng.IntN(40))
		}
		if err != nil && ctx.Err() == nil {
			return ops, err
		}
		ops++
		time.Sleep(time.Duration(rng.IntN(20)) * time.Millisecond)
	}
	return ops, nil
}

// TestSoak: a writer mutates a UUID-keyed table while syncs run every
// interval in each change model; when the writer stops, one more sync
// makes the records equal to the table (incremental: with a full pass for
// the deletes). Set AOS_SOAK=10m for the long run.
func TestSoak(t *testing.T) {
	total, every := soakDuration(t)
	for _, mode := range []string{"snapshot", "incremental", "cdc"} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			var url string
			cfg := connectors.Config{"page_size": "50", "max_conns": "2"}
			switch mode {
			case "incremental":
				url = testenv.PostgresURL(t)
				cfg["cursor_column"], cfg["lookback"] = "updated_at", "0s"
			case "snapshot":
				url = testenv.PostgresURL(t)
			case "cdc":
				url = testenv.CDCPostgresURL(t)
				cfg["mode"], cfg["cdc_wait"], cfg["slot"] = "cdc", "1s", testenv.Name("aos")
			}
			cfg["url"] = url
			pool := peopleDB(t, url)
			src := open(t, cfg)
			if mode == "cdc" {
				require.NoError(t, src.Provision(testenv.Context(t)))
				t.Cleanup(func() { require.NoError(t, src.Deprovision(context.Background())) })
			}
			r := newReplica(src, "people")
			r.pass(t)

			ctx, cancel := context.WithTimeout(testenv.Context(t), total)
			defer cancel()
			var wg sync.WaitGroup
			var ops int
			var werr error
			wg.Add(1)
			go func() { defer wg.Done(); ops, werr = writer(ctx, pool, 42) }()
			syncs, read := 0, 0
			tick := time.NewTicker(every)
		loop:
			for {
				select {
				case <-ctx.Done():
					break loop
				case <-tick.C:
				}
				if mode == "snapshot" {
					read += len(r.pass(t))
				} else {
					read += len(r.follow(t))
				}
				syncs++
			}
			tick.Stop()
			wg.Wait()
			require.NoError(t, werr)
			if mode == "snapshot" {
				r.pass(t)
			} else {
				r.follow(t)
			}
			if mode == "incremental" {
				r.pass(t) // deletes are seen by full passes
			}
			r.requireEqualsTable(t, pool, "after the soak")
			t.Logf("soak %s: %v, %d writes, %d syncs, %d records read, %d rows at the end, no difference", mode, total, ops, syncs, read, len(r.state))
		})
	}
}
