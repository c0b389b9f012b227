package duckstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"
	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
)

// writeAttempts bounds how often a write transaction is retried after a
// DuckDB write-write conflict (possible only with a writer outside this
// AAM, since the AAM serializes its own writes).
const writeAttempts = 3

// AAM is the local-mode implementation of aam.Store on the control store:
// tenants, connections, versioned mappings, the canonical stream with its
// checkpoints and quarantine, schema snapshots and drift events, in the
// tables of migration 0002_aam.
//
// DuckDB has no row-level security, so isolation is by construction: every
// tenant-scoped method takes the tenant and every statement filters by
// tenant_id; a row of another tenant is never found, listed or changed.
//
// DuckDB resolves concurrent writers optimistically (a conflicting
// transaction fails), so an AAM serializes its write transactions through
// one lock, which also keeps each tenant's stream offsets in commit order;
// reads run concurrently on DuckDB snapshots. Make one AAM per Store and
// share it: two AAMs on one Store stay correct, because a conflicting write
// is retried, but they contend.
//
// Errors wrap aam.ErrNotFound, aam.ErrConflict and aam.ErrInvalid as the
// aam.Store contract says. An AAM is safe for concurrent use.
type AAM struct {
	db *sql.DB
	// sem is the write lock: a one-slot semaphore, so waiting for it
	// respects the caller's context.
	sem chan struct{}
	// heads caches each tenant's highest stream offset; read and written
	// only while holding sem.
	heads map[uuid.UUID]int64
	// staging holds the tenants whose next append goes through the staging
	// table rather than straight into the stream; guarded like heads.
	staging map[uuid.UUID]bool
	// leases are the store's sync leases.
	leases *leaseLocks
}

var _ aam.Store = (*AAM)(nil)

// NewAAM returns the aam.Store of s, which must be open (Open applies the
// migrations). The AAM borrows s's database: closing s ends it. It fails
// with aam.ErrInvalid if s is nil; it does no I/O.
func NewAAM(s *Store) (*AAM, error) {
	if s == nil {
		return nil, fmt.Errorf("duckstore: new aam: %w: store is nil", aam.ErrInvalid)
	}
	return &AAM{db: s.db, sem: make(chan struct{}, 1), heads: map[uuid.UUID]int64{}, staging: map[uuid.UUID]bool{}, leases: s.leases}, nil
}

// lock takes the write lock, or gives up when ctx ends.
func (a *AAM) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case a.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (a *AAM) unlock() { <-a.sem }

// write runs fn in one transaction on a connection of its own while holding
// the write lock, committing if fn succeeds. fn may use conn for what needs
// the raw connection (the Appender), which joins the open transaction. A
// write-write conflict reported by DuckDB runs fn again in a new
// transaction, up to writeAttempts times.
func (a *AAM) write(ctx context.Context, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	return a.writeRetry(ctx, nil, nil, fn)
}

// writeRetry is write that also retries when retry (if not nil), called
// with every failure, returns true, and calls committed (if not nil) after
// the commit, still holding the write lock.
func (a *AAM) writeRetry(ctx context.Context, retry func(error) bool, committed func(), fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	if err := a.lock(ctx); err != nil {
		return err
	}
	defer a.unlock()
	for attempt := 1; ; attempt++ {
		err := a.writeOnce(ctx, fn)
		if err == nil {
			if committed != nil {
				committed()
			}
			return nil
		}
		again := retry != nil && retry(err)
		if attempt == writeAttempts || ctx.Err() != nil || !(again || isTxConflict(err)) {
			return err
		}
	}
}

func (a *AAM) writeOnce(ctx context.Context, fn func(conn *sql.Conn, tx *sql.Tx) error) error {
	conn, err := a.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// A read DuckDB interrupted (a cancelled context) can leave its
	// connection's transaction aborted ("Current transaction is aborted,
	// please ROLLBACK") when it goes back to the pool; roll such a
	// transaction back first (without one, ROLLBACK only fails).
	_, _ = conn.ExecContext(ctx, "ROLLBACK")
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(conn, tx); err != nil {
		_ = tx.Rollback() // the transaction may already be gone with ctx
		// An interrupted or failed statement can leave DuckDB's
		// transaction aborted on this connection ("Current transaction is
		// aborted"), which would fail every later write that gets it from
		// the pool: discard it.
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		return err
	}
	if err := tx.Commit(); err != nil {
		if ctx.Err() != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		return err
	}
	return nil
}

// duckError returns the DuckDB error inside err, if any.
func duckError(err error) (*duckdb.Error, bool) {
	var de *duckdb.Error
	ok := errors.As(err, &de)
	return de, ok
}

// isTxConflict reports a DuckDB write-write conflict between transactions.
func isTxConflict(err error) bool {
	de, ok := duckError(err)
	return ok && (de.Type == duckdb.ErrorTypeTransaction || strings.Contains(de.Msg, "Conflict"))
}

// isDuplicateKey reports a primary-key or unique constraint violation.
func isDuplicateKey(err error) bool {
	de, ok := duckError(err)
	return ok && de.Type == duckdb.ErrorTypeConstraint && strings.Contains(de.Msg, "Duplicate key")
}

// aamError is the one place that translates errors of a store operation:
// no rows becomes aam.ErrNotFound, a duplicate key or a lost write-write
// conflict aam.ErrConflict, another constraint violation aam.ErrInvalid;
// errors already wrapping an aam sentinel and others (context errors,
// closed database) pass through. When ctx has ended, the error also wraps
// ctx's error: DuckDB reports a cancelled query as an INTERRUPT error, and
// database/sql a statement of a transaction it rolled back as ErrTxDone,
// so errors.Is(err, context.Canceled) holds as with every other store. It
// wraps once, naming the operation.
func aamError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	err = translate(op, err)
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w (%w)", cerr, err)
	}
	return err
}

func translate(op string, err error) error {
	switch {
	case errors.Is(err, aam.ErrNotFound), errors.Is(err, aam.ErrConflict), errors.Is(err, aam.ErrInvalid):
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("duckstore: %s: %w", op, aam.ErrNotFound)
	case isDuplicateKey(err), isTxConflict(err):
		return fmt.Errorf("duckstore: %s: %w: %w", op, aam.ErrConflict, err)
	default:
		if de, ok := duckError(err); ok && de.Type == duckdb.ErrorTypeConstraint {
			return fmt.Errorf("duckstore: %s: %w: %w", op, aam.ErrInvalid, err)
		}
	}
	return fmt.Errorf("duckstore: %s: %w", op, err)
}

// invalid returns an argument error of op wrapping aam.ErrInvalid.
func invalid(op, format string, args ...any) error {
	return fmt.Errorf("duckstore: %s: %w: %s", op, aam.ErrInvalid, fmt.Sprintf(format, args...))
}

// checkTenant rejects the nil tenant id before any I/O.
func checkTenant(op string, tenant uuid.UUID) error {
	if tenant == uuid.Nil {
		return invalid(op, "tenant id is the nil uuid")
	}
	return nil
}

// connectionExists reports whether tenant has connection id, inside tx.
func connectionExists(ctx context.Context, tx *sql.Tx, tenant, id uuid.UUID) (bool, error) {
	var n int
	err := tx.QueryRowContext(ctx,
		"SELECT count(*) FROM connections WHERE tenant_id = ? AND id = ?", tenant, id).Scan(&n)
	return n > 0, err
}

// jsonText encodes v for a JSON text column; a nil or empty raw message
// becomes SQL NULL, and a raw message must be valid JSON.
func jsonText(v any) (any, error) {
	if raw, ok := v.(json.RawMessage); ok {
		if len(raw) == 0 {
			return nil, nil
		}
		if !json.Valid(raw) {
			return nil, errors.New("not valid JSON")
		}
		return string(raw), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// rawJSON returns a JSON text column as a json.RawMessage (nil for NULL).
func rawJSON(s sql.NullString) json.RawMessage {
	if !s.Valid {
		return nil
	}
	return json.RawMessage(s.String)
}

// decodeJSON decodes a JSON text column into v, turning JSON numbers inside
// untyped values (any, map[string]any, []any) into int64 when integral and
// float64 otherwise — the Go values canonical.Registry.DecodeEvent gives —
// instead of float64 for everything, so large integers survive. NULL leaves
// v untouched.
func decodeJSON(s sql.NullString, v any) error {
	if !s.Valid {
		return nil
	}
	return canonical.DecodeJSON([]byte(s.String), v)
}
