package redisbreaker_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/autonomos/autonomos/redisbreaker"
)

func ExampleBreaker() {
	b, err := redisbreaker.New(&redisbreaker.Options{Failures: 2})
	if err != nil {
		panic(err)
	}
	down := func(context.Context) error { return errors.New("connection refused") }
	for range 3 {
		err := b.Do(context.Background(), down)
		fmt.Println(errors.Is(err, redisbreaker.ErrOpen), b.State())
	}
	// Output:
	// false closed
	// false open
	// true open
}
