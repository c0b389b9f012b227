package pgsource_test

import (
	"context"
	"math/rand/v2"

	"github.com/jackc/pgx/v5/pgxpool"
)

// accountsMutator changes the accounts table of seedSQL for the
// conformance suite's Changes check.
type accountsMutator struct{ pool *pgxpool.Pool }

func (m accountsMutator) Insert(ctx context.Context) (string, error) {
	var id string
	err := m.pool.QueryRow(ctx, `INSERT INTO accounts (id, name, created_at, updated_at)
		VALUES ($1, 'Inserted', now(), clock_timestamp()) RETURNING id::text`, 1_000_000+rand.Int64N(1<<40)).Scan(&id)
	return id, err
}

// Update flips the case of the name: no length changes.
func (m accountsMutator) Update(ctx context.Context, id string) error {
	_, err := m.pool.Exec(ctx, `UPDATE accounts SET name = CASE WHEN name = upper(name) THEN lower(name) ELSE upper(name) END,
		updated_at = clock_timestamp() WHERE id = $1::bigint`, id)
	return err
}

func (m accountsMutator) Delete(ctx context.Context, id string) error {
	_, err := m.pool.Exec(ctx, `DELETE FROM accounts WHERE id = $1::bigint`, id)
	return err
}
