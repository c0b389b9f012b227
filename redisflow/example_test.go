package redisflow_test

import (
	"context"
	"fmt"
	"log"

	"github.com/google/uuid"
	"github.com/redis/go-redis/v9"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/redisflow"
)

func Example() {
	ctx := context.Background()
	opt, err := redis.ParseURL(testenv.RedisURL())
	if err != nil {
		log.Fatal(err)
	}
	client := redis.NewClient(opt)
	defer client.Close()
	prefix := testenv.Name("example") + ":"
	defer testenv.DeletePrefix(ctx, client, prefix) //nolint:errcheck // best-effort clean-up

	bus, err := redisflow.New(client, &redisflow.Options{Prefix: prefix})
	if err != nil {
		log.Fatal(err)
	}
	tenant := uuid.New()
	events, cancel, err := bus.Subscribe(ctx, tenant)
	if err != nil {
		log.Fatal(err)
	}
	defer cancel()

	// A mesh made with aam.Options{FlowBus: bus} publishes like this.
	if err := bus.Publish(ctx, aam.FlowEvent{TenantID: tenant, Object: "accounts", Stage: aam.StageAppend, Count: 42}); err != nil {
		log.Fatal(err)
	}
	e := <-events
	fmt.Println(e.Stage, e.Object, e.Count)
	// Output: append accounts 42
}
