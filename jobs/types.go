package jobs

import (
	"context"
	"fmt"
	"time"
)

// Job types of the platform. Their handlers live in the domain packages and
// are registered by the composition root; jobs itself knows none of them.
const (
	// TypeConnectionSync reads a connection's source and ingests its
	// records (registered with the aam handler).
	TypeConnectionSync = "connection.sync"
	// TypeMappingGeneration proposes mappings for many source objects at
	// once (registered with the matcher handler).
	TypeMappingGeneration = "mapping.generate"
	// TypeTest is the built-in test job; see TestHandler.
	TypeTest = "test.job"
)

// TestHandler is the handler of TypeTest, for smoke tests of a deployment:
// it reports progress in four steps, waiting the duration in the payload
// (a time.ParseDuration string, default none) spread over the steps, and
// fails when the payload is "fail". It stops early when ctx is cancelled.
func TestHandler(ctx context.Context, j *Job) error {
	if string(j.Payload) == "fail" {
		return errTestFailure
	}
	var total time.Duration
	if len(j.Payload) > 0 {
		d, err := time.ParseDuration(string(j.Payload))
		if err != nil {
			return Permanent(err)
		}
		total = d
	}
	for step := 1; step <= 4; step++ {
		if total > 0 {
			t := time.NewTimer(total / 4)
			select {
			case <-ctx.Done():
				t.Stop()
				return context.Cause(ctx)
			case <-t.C:
			}
		}
		if err := ReportProgress(ctx, step*25, fmt.Sprintf("step %d of 4", step)); err != nil {
			return err
		}
	}
	return nil
}

var errTestFailure = testFailure("jobs: test job asked to fail")

type testFailure string

func (e testFailure) Error() string { return string(e) }
