package jobs

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// State is a job's place in its lifecycle:
//
//	queued → running → completed
//	                 ↘ retrying → running ...   (error, crash, timeout)
//	                 ↘ failed                   (permanent error)
//	                 ↘ dead                     (attempts exhausted)
//	queued | retrying | running → cancelled
//	dead | failed → queued                      (Queue.Requeue)
type State string

// The job states.
const (
	StateQueued    State = "queued"
	StateRunning   State = "running"
	StateRetrying  State = "retrying"
	StateCompleted State = "completed"
	StateFailed    State = "failed"
	StateDead      State = "dead"
	StateCancelled State = "cancelled"
)

// States lists every state, in lifecycle order.
var States = []State{StateQueued, StateRunning, StateRetrying, StateCompleted, StateFailed, StateDead, StateCancelled}

// Valid reports whether s is one of the job states.
func (s State) Valid() bool {
	for _, v := range States {
		if s == v {
			return true
		}
	}
	return false
}

// Terminal reports whether s is a final state (completed, failed, dead,
// cancelled).
func (s State) Terminal() bool {
	switch s {
	case StateCompleted, StateFailed, StateDead, StateCancelled:
		return true
	}
	return false
}

// DefaultQueue is the queue name used when a job names none.
const DefaultQueue = "default"

// Job is one unit of work for one tenant. The caller fills Tenant, Type,
// Payload and the optional fields (Queue, UniqueKey, MaxAttempts, Timeout,
// RunAfter) before Enqueue; the rest is maintained by the queue.
//
// A Job value is a snapshot; it is not updated in place as the job runs.
type Job struct {
	// ID identifies the job within its tenant; assigned by Enqueue when empty.
	ID string
	// Tenant owns the job; see ValidateTenant.
	Tenant string
	// Type selects the handler; see Handlers.
	Type string
	// Queue is the named queue within the tenant; DefaultQueue when empty.
	Queue string
	// Payload is opaque handler input.
	Payload []byte
	// UniqueKey, when set, makes Enqueue return ErrDuplicate while another
	// unfinished job of the same tenant holds the key.
	UniqueKey string
	// MaxAttempts bounds the runs; when the last one fails the job is dead.
	// Zero means Options.MaxAttempts.
	MaxAttempts int
	// Timeout bounds one run; the handler's context is cancelled when it
	// passes. Zero means Options.Timeout.
	Timeout time.Duration
	// RunAfter delays the first run; zero means as soon as possible.
	RunAfter time.Time

	// State is the lifecycle state.
	State State
	// Attempt counts the runs started so far (1 during the first run).
	Attempt int
	// Progress is the last percentage (0–100) reported by the handler.
	Progress int
	// ProgressMessage is the last message reported with Progress.
	ProgressMessage string
	// LastError is the error of the most recent failed run; it is cleared
	// when a later run completes.
	LastError string
	// FailingSince is when the current streak of failed runs began (the
	// first failed run since the job was enqueued, requeued or last
	// completed); zero while no run failed. Retry budgets count from it.
	FailingSince time.Time
	// CreatedAt is when the job was enqueued.
	CreatedAt time.Time
	// UpdatedAt is the time of the last state change.
	UpdatedAt time.Time
	// StartedAt is when the current or last run started.
	StartedAt time.Time
	// FinishedAt is when the job reached a terminal state.
	FinishedAt time.Time
	// LeaseUntil is when the running job's lease expires unless renewed.
	LeaseUntil time.Time
}

// Clone returns a deep copy of j.
func (j *Job) Clone() *Job {
	c := *j
	c.Payload = append([]byte(nil), j.Payload...)
	return &c
}

// ValidateTenant checks a tenant ID before it becomes part of a storage key:
// non-empty, at most 128 bytes, and free of '{', '}', ':' and white space.
// The error wraps ErrInvalid.
func ValidateTenant(tenant string) error {
	if tenant == "" {
		return fmt.Errorf("jobs: tenant is empty: %w", ErrInvalid)
	}
	if len(tenant) > 128 {
		return fmt.Errorf("jobs: tenant %.20q... longer than 128 bytes: %w", tenant, ErrInvalid)
	}
	if i := strings.IndexFunc(tenant, badKeyRune); i >= 0 {
		return fmt.Errorf("jobs: tenant %q: character %q not allowed: %w", tenant, tenant[i], ErrInvalid)
	}
	return nil
}

// ValidateName checks a queue name, job type or job ID with the same rules as
// ValidateTenant; what names the checked field in the error.
func ValidateName(what, name string) error {
	if name == "" {
		return fmt.Errorf("jobs: %s is empty: %w", what, ErrInvalid)
	}
	if len(name) > 128 {
		return fmt.Errorf("jobs: %s %.20q... longer than 128 bytes: %w", what, name, ErrInvalid)
	}
	if i := strings.IndexFunc(name, badKeyRune); i >= 0 {
		return fmt.Errorf("jobs: %s %q: character %q not allowed: %w", what, name, name[i], ErrInvalid)
	}
	return nil
}

func badKeyRune(r rune) bool {
	return r == '{' || r == '}' || r == ':' || unicode.IsSpace(r) || r == unicode.ReplacementChar || r < 0x20
}
