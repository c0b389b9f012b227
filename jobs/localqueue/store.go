package localqueue

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/autonomos/autonomos/jobs"
)

// schema is created by New when missing. One row per job; the in-memory
// indexes (ready lines, schedules, slots, unique keys) are rebuilt from it.
const schema = `
CREATE TABLE IF NOT EXISTS local_jobs (
	tenant           VARCHAR NOT NULL,
	id               VARCHAR NOT NULL,
	type             VARCHAR NOT NULL,
	queue            VARCHAR NOT NULL,
	payload          BLOB,
	unique_key       VARCHAR NOT NULL,
	max_attempts     INTEGER NOT NULL,
	timeout_ms       BIGINT NOT NULL,
	run_after_ms     BIGINT NOT NULL,
	state            VARCHAR NOT NULL,
	attempt          INTEGER NOT NULL,
	progress         INTEGER NOT NULL,
	progress_message VARCHAR NOT NULL,
	last_error       VARCHAR NOT NULL,
	created_ms       BIGINT NOT NULL,
	updated_ms       BIGINT NOT NULL,
	started_ms       BIGINT NOT NULL,
	finished_ms      BIGINT NOT NULL,
	lease_ms         BIGINT NOT NULL,
	due_ms           BIGINT NOT NULL,
	seq              BIGINT NOT NULL,
	PRIMARY KEY (tenant, id)
);
ALTER TABLE local_jobs ADD COLUMN IF NOT EXISTS failing_ms BIGINT DEFAULT 0;
CREATE TABLE IF NOT EXISTS local_job_limits (
	tenant VARCHAR PRIMARY KEY,
	lim    INTEGER NOT NULL
);`

const columns = `tenant, id, type, queue, payload, unique_key, max_attempts, timeout_ms, run_after_ms, state,
	attempt, progress, progress_message, last_error, created_ms, updated_ms, started_ms, finished_ms, lease_ms, due_ms, seq, failing_ms`

const nColumns = 22

func msOf(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func timeOf(ms int64) time.Time {
	if ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms).UTC()
}

func (e *entry) values() []any {
	j := &e.job
	return []any{j.Tenant, j.ID, j.Type, j.Queue, j.Payload, j.UniqueKey, j.MaxAttempts, j.Timeout.Milliseconds(),
		msOf(j.RunAfter), string(j.State), j.Attempt, j.Progress, j.ProgressMessage, j.LastError,
		msOf(j.CreatedAt), msOf(j.UpdatedAt), msOf(j.StartedAt), msOf(j.FinishedAt), msOf(j.LeaseUntil), e.due, e.seq, msOf(j.FailingSince)}
}

// persist writes the changed rows and deletions in one transaction.
func (d *Driver) persist(ctx context.Context, rows []*entry, deleted []*entry) error {
	if len(rows) == 0 && len(deleted) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("localqueue: begin: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck // after Commit it is a no-op
	for _, e := range deleted {
		if _, err := tx.ExecContext(ctx, `DELETE FROM local_jobs WHERE tenant = ? AND id = ?`, e.job.Tenant, e.job.ID); err != nil {
			return fmt.Errorf("localqueue: delete job %q: %w", e.job.ID, err)
		}
	}
	const chunk = 100
	for len(rows) > 0 {
		n := min(chunk, len(rows))
		var sb strings.Builder
		sb.WriteString("INSERT OR REPLACE INTO local_jobs (" + columns + ") VALUES ")
		args := make([]any, 0, n*nColumns)
		for i, e := range rows[:n] {
			if i > 0 {
				sb.WriteString(",")
			}
			sb.WriteString("(?" + strings.Repeat(",?", nColumns-1) + ")")
			args = append(args, e.values()...)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return fmt.Errorf("localqueue: write %d jobs: %w", n, err)
		}
		rows = rows[n:]
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("localqueue: commit: %w", err)
	}
	return nil
}

// load reads every job row and limit.
func (d *Driver) load(ctx context.Context) ([]*entry, map[string]int, error) {
	rs, err := d.db.QueryContext(ctx, `SELECT `+columns+` FROM local_jobs ORDER BY seq`)
	if err != nil {
		return nil, nil, fmt.Errorf("localqueue: load jobs: %w", err)
	}
	defer rs.Close()
	var out []*entry
	for rs.Next() {
		e := &entry{}
		j := &e.job
		var state string
		var timeout, runAfter, created, updated, started, finished, lease, failing int64
		if err := rs.Scan(&j.Tenant, &j.ID, &j.Type, &j.Queue, &j.Payload, &j.UniqueKey, &j.MaxAttempts, &timeout,
			&runAfter, &state, &j.Attempt, &j.Progress, &j.ProgressMessage, &j.LastError,
			&created, &updated, &started, &finished, &lease, &e.due, &e.seq, &failing); err != nil {
			return nil, nil, fmt.Errorf("localqueue: load jobs: %w", err)
		}
		if len(j.Payload) == 0 {
			j.Payload = nil
		}
		j.State = jobs.State(state)
		j.Timeout = time.Duration(timeout) * time.Millisecond
		j.RunAfter, j.CreatedAt, j.UpdatedAt = timeOf(runAfter), timeOf(created), timeOf(updated)
		j.StartedAt, j.FinishedAt, j.LeaseUntil = timeOf(started), timeOf(finished), timeOf(lease)
		j.FailingSince = timeOf(failing)
		out = append(out, e)
	}
	if err := rs.Err(); err != nil {
		return nil, nil, fmt.Errorf("localqueue: load jobs: %w", err)
	}
	limits := map[string]int{}
	lr, err := d.db.QueryContext(ctx, `SELECT tenant, lim FROM local_job_limits`)
	if err != nil {
		return nil, nil, fmt.Errorf("localqueue: load limits: %w", err)
	}
	defer lr.Close()
	for lr.Next() {
		var t string
		var n int
		if err := lr.Scan(&t, &n); err != nil {
			return nil, nil, fmt.Errorf("localqueue: load limits: %w", err)
		}
		limits[t] = n
	}
	if err := lr.Err(); err != nil {
		return nil, nil, fmt.Errorf("localqueue: load limits: %w", err)
	}
	return out, limits, nil
}
