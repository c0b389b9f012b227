package pgstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autonomos/autonomos/aam"
)

// leaseLockSalt separates sync lease advisory lock keys from the others.
const leaseLockSalt = 0x61616d2d6c656173 // "aam-leas"

// leaseLockKey is the session advisory lock key of a connection's sync
// lease. Two connections sharing a key only serialize each other's syncs.
func leaseLockKey(tenant, connection uuid.UUID) int64 {
	h := binary.BigEndian.Uint64(tenant[:8]) ^ binary.BigEndian.Uint64(tenant[8:]) ^
		binary.BigEndian.Uint64(connection[:8])*31 ^ binary.BigEndian.Uint64(connection[8:])*17
	return int64(h ^ leaseLockSalt)
}

const bumpLeaseSQL = `
INSERT INTO sync_leases (tenant_id, connection_id, token) VALUES ($1, $2, 1)
ON CONFLICT (tenant_id, connection_id) DO UPDATE SET token = sync_leases.token + 1, acquired_at = now()
RETURNING token`

// pgLease is a held session advisory lock on a pooled connection.
type pgLease struct {
	token int64
	key   int64
	once  sync.Once
	conn  *pgxpool.Conn
	err   error
}

func (l *pgLease) Token() int64 { return l.token }

func (l *pgLease) Release() error {
	l.once.Do(func() {
		ctx := context.Background()
		if _, err := l.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", l.key); err != nil {
			// Closing the session drops its locks.
			l.err = fmt.Errorf("pgstore: release sync lease: %w", err)
			_ = l.conn.Conn().Close(ctx)
		}
		l.conn.Release()
	})
	return l.err
}

// AcquireLease takes the connection's sync lease: a session advisory lock
// held on a pooled connection of its own until Release (so each running
// sync holds one connection of the pool), waiting while another process
// or goroutine holds it, then issues the next fencing token. If the
// session dies, the lock goes with it and another writer may take the
// lease; the old writer's checkpoints are then refused. Safe for
// concurrent use.
func (a *AAM) AcquireLease(ctx context.Context, tenant, connection uuid.UUID) (aam.Lease, error) {
	const op = "acquire lease"
	if err := checkTenant(op, tenant); err != nil {
		return nil, err
	}
	conn, err := a.s.pool.Acquire(ctx)
	if err != nil {
		return nil, aamError(op, err)
	}
	l := &pgLease{key: leaseLockKey(tenant, connection), conn: conn}
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock($1)", l.key); err != nil {
		// A cancelled wait may leave the session in doubt: drop it.
		_ = conn.Conn().Close(context.Background())
		conn.Release()
		return nil, aamError(op, err)
	}
	err = a.s.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
		return tx.QueryRow(ctx, bumpLeaseSQL, tenant, connection).Scan(&l.token)
	})
	if err != nil {
		_ = l.Release()
		return nil, aamError(fmt.Sprintf("%s of connection %q", op, connection.String()), err)
	}
	return l, nil
}

// checkLeaseSQL reads a connection's newest fencing token and holds the
// row, so a newer lease cannot be issued until the batch commits.
const checkLeaseSQL = `SELECT token FROM sync_leases WHERE tenant_id = $1 AND connection_id = $2 FOR SHARE`

// checkLease refuses a checkpoint written under a stale lease.
func checkLease(ctx context.Context, tx pgx.Tx, tenant uuid.UUID, cp *aam.Checkpoint) error {
	if cp == nil || cp.Lease == 0 {
		return nil
	}
	var token int64
	if err := tx.QueryRow(ctx, checkLeaseSQL, tenant, cp.ConnectionID).Scan(&token); err != nil && err != pgx.ErrNoRows {
		return err
	}
	if token != cp.Lease {
		return fmt.Errorf("%w: checkpoint of %q written under lease %d, the newest is %d", aam.ErrStaleLease, cp.Object, cp.Lease, token)
	}
	return nil
}
