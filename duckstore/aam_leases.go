package duckstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
)

// leaseKey names one connection's sync lease.
type leaseKey struct{ tenant, conn uuid.UUID }

// leaseLocks are in-process locks, one per connection: the control store
// is used by one process (its file lock), so that is every writer.
type leaseLocks struct {
	mu   sync.Mutex
	held map[leaseKey]chan struct{}
}

func newLeaseLocks() *leaseLocks { return &leaseLocks{held: map[leaseKey]chan struct{}{}} }

// take waits for key's lock, or until ctx ends.
func (l *leaseLocks) take(ctx context.Context, k leaseKey) error {
	for {
		l.mu.Lock()
		ch, busy := l.held[k]
		if !busy {
			l.held[k] = make(chan struct{})
			l.mu.Unlock()
			return nil
		}
		l.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (l *leaseLocks) give(k leaseKey) {
	l.mu.Lock()
	ch := l.held[k]
	delete(l.held, k)
	l.mu.Unlock()
	close(ch)
}

// duckLease is a held in-process lease.
type duckLease struct {
	token int64
	once  sync.Once
	give  func()
}

func (l *duckLease) Token() int64 { return l.token }

func (l *duckLease) Release() error {
	l.once.Do(l.give)
	return nil
}

// AcquireLease takes the connection's sync lease, an in-process lock shared
// by every AAM of the store, waiting while another holder has it, and
// issues the next fencing token, kept in the file so tokens grow across
// restarts. Safe for concurrent use.
func (a *AAM) AcquireLease(ctx context.Context, tenant, connection uuid.UUID) (aam.Lease, error) {
	const op = "acquire lease"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	k := leaseKey{tenant, connection}
	if err := a.leases.take(ctx, k); err != nil {
		return nil, aamError(ctx, op, err)
	}
	l := &duckLease{give: func() { a.leases.give(k) }}
	err := a.write(ctx, func(_ *sql.Conn, tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT token FROM sync_leases WHERE tenant_id = ? AND connection_id = ?", tenant, connection).Scan(&l.token)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			l.token = 1
			_, err = tx.ExecContext(ctx, "INSERT INTO sync_leases (tenant_id, connection_id, token) VALUES (?, ?, 1)", tenant, connection)
		case err == nil:
			l.token++
			_, err = tx.ExecContext(ctx, "UPDATE sync_leases SET token = ?, acquired_at = now() WHERE tenant_id = ? AND connection_id = ?", l.token, tenant, connection)
		}
		return err
	})
	if err != nil {
		_ = l.Release()
		return nil, aamError(ctx, fmt.Sprintf("%s of connection %q", op, connection.String()), err)
	}
	return l, nil
}

// checkLease refuses a checkpoint written under a stale lease. The caller
// holds the write lock, so no lease is issued meanwhile.
func checkLease(ctx context.Context, tx *sql.Tx, tenant uuid.UUID, cp *aam.Checkpoint) error {
	if cp.Lease == 0 {
		return nil
	}
	var token int64
	err := tx.QueryRowContext(ctx, "SELECT token FROM sync_leases WHERE tenant_id = ? AND connection_id = ?", tenant, cp.ConnectionID).Scan(&token)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if token != cp.Lease {
		return fmt.Errorf("%w: checkpoint of %q written under lease %d, the newest is %d", aam.ErrStaleLease, cp.Object, cp.Lease, token)
	}
	return nil
}
