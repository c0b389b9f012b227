package redisqueue

import (
	"fmt"
	"strconv"
	"time"

	"github.com/autonomos/autonomos/jobs"
)

// decodeJob turns an HGETALL reply inside a script result (a flat array of
// field, value) into a Job.
func decodeJob(v any) (*jobs.Job, error) {
	arr, ok := v.([]any)
	if !ok || len(arr)%2 != 0 {
		return nil, fmt.Errorf("redisqueue: malformed job reply %T", v)
	}
	m := make(map[string]string, len(arr)/2)
	for i := 0; i < len(arr); i += 2 {
		k, _ := arr[i].(string)
		val, _ := arr[i+1].(string)
		m[k] = val
	}
	return jobFromMap(m)
}

// jobFromMap decodes a job hash. Numeric fields that do not parse are
// reported, since they mean the hash was written by something else.
func jobFromMap(m map[string]string) (*jobs.Job, error) {
	var firstErr error
	num := func(f string) int64 {
		s := m[f]
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil && firstErr == nil {
			firstErr = fmt.Errorf("redisqueue: job %q field %q: %w", m["id"], f, err)
		}
		return n
	}
	at := func(f string) time.Time {
		n := num(f)
		if n <= 0 {
			return time.Time{}
		}
		return time.UnixMilli(n).UTC()
	}
	j := &jobs.Job{
		ID:              m["id"],
		Tenant:          m["tenant"],
		Type:            m["type"],
		Queue:           m["queue"],
		Payload:         payload(m["payload"]),
		UniqueKey:       m["unique"],
		MaxAttempts:     int(num("max")),
		Timeout:         time.Duration(num("timeout")) * time.Millisecond,
		RunAfter:        at("run_after"),
		State:           jobs.State(m["state"]),
		Attempt:         int(num("attempt")),
		Progress:        int(num("progress")),
		ProgressMessage: m["pmsg"],
		LastError:       m["error"],
		CreatedAt:       at("created"),
		UpdatedAt:       at("updated"),
		StartedAt:       at("started"),
		FinishedAt:      at("finished"),
		LeaseUntil:      at("lease"),
		FailingSince:    at("failing_since"),
	}
	if firstErr != nil {
		return nil, firstErr
	}
	if j.ID == "" || !j.State.Valid() {
		return nil, fmt.Errorf("redisqueue: malformed job hash (id %q, state %q)", j.ID, j.State)
	}
	return j, nil
}

func payload(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}
