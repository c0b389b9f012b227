package testenv_test

import (
	"testing"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/stretchr/testify/require"
)

func TestPostgresIsFreshAndIsolated(t *testing.T) {
	t.Parallel()
	a := testenv.Postgres(t)
	b := testenv.Postgres(t)
	ctx := testenv.Context(t)
	_, err := a.Exec(ctx, "CREATE TABLE only_in_a (id int)")
	require.NoError(t, err)
	var n int
	require.NoError(t, b.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n))
	require.Equal(t, 0, n, "a table made in one test database must not appear in another")
}

func TestRedisPrefixIsCleaned(t *testing.T) {
	t.Parallel()
	var prefix string
	t.Run("writes", func(t *testing.T) {
		r := testenv.NewRedis(t)
		prefix = r.Prefix
		require.NoError(t, r.Client.Set(testenv.Context(t), r.Prefix+"k", "v", 0).Err())
	})
	r := testenv.NewRedis(t)
	n, err := r.Client.Exists(testenv.Context(t), prefix+"k").Result()
	require.NoError(t, err)
	require.Zero(t, n, "keys under a finished test's prefix must be deleted")
	require.NotEqual(t, prefix, r.Prefix)
}
