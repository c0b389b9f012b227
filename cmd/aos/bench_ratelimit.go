package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/autonomos/autonomos/internal/benchfmt"
	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/redislimit"
)

// benchRateLimit is `aos bench ratelimit`: one GCRA decision (the Lua
// script round trip) against a bare INCR on the same Redis connection, in
// the same run; both in ns/op, so a ratio above 1 is the script's cost.
func benchRateLimit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench ratelimit", stderr)
	n := fs.Int("n", 20000, "calls of each kind")
	url := fs.String("redis-url", envOr("REDIS_URL", "redis://127.0.0.1:6379/0"), "Redis URL (REDIS_URL)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *n <= 0 {
		return usagef("-n must be positive")
	}
	opt, err := redis.ParseURL(*url)
	if err != nil {
		return usagef("-redis-url: %v", err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	prefix := "aosbench:" + uuid.NewString()[:8] + ":"
	lim, err := redislimit.New(rdb, &redislimit.Options{Prefix: prefix})
	if err != nil {
		return err
	}
	tenant := uuid.New()
	defer rdb.Del(context.WithoutCancel(ctx), lim.Key(tenant), prefix+"incr")
	rate := tenancy.Rate{Limit: 1 << 30, Period: time.Minute}
	// Warm up: load the script and the connection.
	if _, err := lim.Allow(ctx, tenant, rate); err != nil {
		return fmt.Errorf("redis at %s: %w", opt.Addr, err)
	}
	start := time.Now()
	for range *n {
		if _, err := lim.Allow(ctx, tenant, rate); err != nil {
			return err
		}
	}
	ours := float64(time.Since(start).Nanoseconds()) / float64(*n)
	start = time.Now()
	for range *n {
		if err := rdb.Incr(ctx, prefix+"incr").Err(); err != nil {
			return err
		}
	}
	ref := float64(time.Since(start).Nanoseconds()) / float64(*n)
	fmt.Fprintf(stdout, "gcra script: %.0f ns/op, bare INCR: %.0f ns/op\n", ours, ref)
	return benchfmt.New("ratelimit", "ns/op", *n, ours, ref).Write(stdout)
}
