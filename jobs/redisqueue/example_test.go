package redisqueue_test

import (
	"context"
	"fmt"
	"log"

	"github.com/redis/go-redis/v9"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/redisqueue"
)

// A queue on Redis: the client stays the caller's; keys go under the prefix.
func ExampleNew() {
	ctx := context.Background()
	opt, err := redis.ParseURL(testenv.RedisURL())
	if err != nil {
		log.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	prefix := testenv.Name("example") + ":"
	defer testenv.DeletePrefix(ctx, rdb, prefix) //nolint:errcheck // best-effort clean-up

	d, err := redisqueue.New(rdb, &redisqueue.Options{Prefix: prefix})
	if err != nil {
		log.Fatal(err)
	}
	q, err := jobs.New(d, nil)
	if err != nil {
		log.Fatal(err)
	}
	j, err := q.Enqueue(ctx, jobs.Job{Tenant: "acme", Type: jobs.TypeMappingGeneration, Queue: "mappings"})
	if err != nil {
		log.Fatal(err)
	}
	n, _ := rdb.LLen(ctx, prefix+"rq:queue:tenant:{acme}:mappings").Result()
	fmt.Println(j.State, n)
	// Output: queued 1
}
