package pgstore

import (
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/internal/testenv"
)

func TestMigrationsLoad(t *testing.T) {
	t.Parallel()
	migs, err := Migrations()
	require.NoError(t, err)
	require.NotEmpty(t, migs)
	require.Equal(t, 1, migs[0].Version)
	require.Equal(t, "foundation", migs[0].Name)
	for i := 1; i < len(migs); i++ {
		require.Less(t, migs[i-1].Version, migs[i].Version)
	}
}

func TestLoadMigrationsRejectsBadFiles(t *testing.T) {
	t.Parallel()
	cases := map[string]fstest.MapFS{
		"misnamed":  {"1_a.sql": {Data: []byte("SELECT 1")}},
		"uppercase": {"0001_Alpha.sql": {Data: []byte("SELECT 1")}},
		"empty":     {"0001_a.sql": {Data: nil}},
		"zero":      {"0000_a.sql": {Data: []byte("SELECT 1")}},
		"duplicate": {"0001_a.sql": {Data: []byte("SELECT 1")}, "0001_b.sql": {Data: []byte("SELECT 2")}},
	}
	for name, fsys := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := loadMigrations(fsys)
			require.ErrorIs(t, err, ErrInvalid)
		})
	}
}

func TestLoadMigrationsSortsByVersion(t *testing.T) {
	t.Parallel()
	migs, err := loadMigrations(fstest.MapFS{
		"0010_c.sql": {Data: []byte("SELECT 3")},
		"0002_b.sql": {Data: []byte("SELECT 2")},
		"0001_a.sql": {Data: []byte("SELECT 1")},
	})
	require.NoError(t, err)
	require.Len(t, migs, 3)
	require.Equal(t, []int{1, 2, 10}, []int{migs[0].Version, migs[1].Version, migs[2].Version})
	require.Equal(t, "c", migs[2].Name)
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	require.NoError(t, Migrate(ctx, pool))
	require.NoError(t, Migrate(ctx, pool))

	migs, err := Migrations()
	require.NoError(t, err)
	rows, err := pool.Query(ctx, "SELECT version, name, checksum FROM schema_migrations ORDER BY version")
	require.NoError(t, err)
	var got []Migration
	for rows.Next() {
		var m Migration
		require.NoError(t, rows.Scan(&m.Version, &m.Name, &m.Checksum))
		got = append(got, m)
	}
	require.NoError(t, rows.Err())
	require.Len(t, got, len(migs))
	for i := range migs {
		require.Equal(t, migs[i].Version, got[i].Version)
		require.Equal(t, migs[i].Name, got[i].Name)
		require.Equal(t, migs[i].Checksum, got[i].Checksum)
	}
}

func TestMigrateConcurrentProcesses(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	dsn := testenv.PostgresURL(t)

	const processes = 6
	pools := make([]*pgxpool.Pool, processes)
	for i := range pools {
		p, err := pgxpool.New(ctx, dsn)
		require.NoError(t, err)
		t.Cleanup(p.Close)
		require.NoError(t, p.Ping(ctx)) // connect before the start signal
		pools[i] = p
	}
	start := make(chan struct{})
	errs := make([]error, processes)
	var wg sync.WaitGroup
	for i, p := range pools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = Migrate(ctx, p)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "process %d", i)
	}

	migs, err := Migrations()
	require.NoError(t, err)
	var n, distinct int
	require.NoError(t, pools[0].QueryRow(ctx,
		"SELECT count(*), count(DISTINCT version) FROM schema_migrations").Scan(&n, &distinct))
	require.Equal(t, len(migs), n)
	require.Equal(t, len(migs), distinct)
	// Every process released the advisory lock.
	var held int
	require.NoError(t, pools[0].QueryRow(ctx,
		"SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())").Scan(&held))
	require.Zero(t, held)
}

func TestMigrateRejectsChangedMigration(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	v1, err := loadMigrations(fstest.MapFS{"0001_widgets.sql": {Data: []byte("CREATE TABLE widgets (id int)")}})
	require.NoError(t, err)
	require.NoError(t, migrate(ctx, pool, v1))

	changed, err := loadMigrations(fstest.MapFS{"0001_widgets.sql": {Data: []byte("CREATE TABLE widgets (id bigint)")}})
	require.NoError(t, err)
	err = migrate(ctx, pool, changed)
	require.ErrorIs(t, err, ErrMigrationChanged)
	require.Contains(t, err.Error(), `"0001_widgets.sql"`)
}

func TestMigrateRollsBackFailedMigration(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	migs, err := loadMigrations(fstest.MapFS{
		"0001_ok.sql":     {Data: []byte("CREATE TABLE ok_table (id int)")},
		"0002_broken.sql": {Data: []byte("CREATE TABLE half_done (id int); SELECT 1/0;")},
	})
	require.NoError(t, err)
	err = migrate(ctx, pool, migs)
	require.Error(t, err)
	require.Contains(t, err.Error(), `"0002_broken.sql"`)

	var versions []int
	rows, err := pool.Query(ctx, "SELECT version FROM schema_migrations ORDER BY version")
	require.NoError(t, err)
	for rows.Next() {
		var v int
		require.NoError(t, rows.Scan(&v))
		versions = append(versions, v)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []int{1}, versions)
	var halfDone bool
	require.NoError(t, pool.QueryRow(ctx, "SELECT to_regclass('half_done') IS NOT NULL").Scan(&halfDone))
	require.False(t, halfDone, "the failed migration's statements must be rolled back")

	// Fixing the file lets the next start finish the job.
	fixed, err := loadMigrations(fstest.MapFS{
		"0001_ok.sql":     {Data: []byte("CREATE TABLE ok_table (id int)")},
		"0002_broken.sql": {Data: []byte("CREATE TABLE half_done (id int);")},
	})
	require.NoError(t, err)
	require.NoError(t, migrate(ctx, pool, fixed))
}

func TestMigrateToleratesNewerDatabase(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	pool := testenv.Postgres(t)
	newer, err := loadMigrations(fstest.MapFS{
		"0001_a.sql": {Data: []byte("CREATE TABLE a (id int)")},
		"0002_b.sql": {Data: []byte("CREATE TABLE b (id int)")},
	})
	require.NoError(t, err)
	require.NoError(t, migrate(ctx, pool, newer))
	require.NoError(t, migrate(ctx, pool, newer[:1]))
}

// TestAppRoleCreationRace runs the first migration in several databases at
// once with a role name no other test uses, so the role really is created
// concurrently: every database must migrate without error.
func TestAppRoleCreationRace(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	role := testenv.Name("aos_app_race")
	admin, err := pgxpool.New(ctx, testenv.AdminDatabaseURL())
	require.NoError(t, err)
	t.Cleanup(admin.Close)
	// Registered first so it runs last, after the databases are dropped.
	t.Cleanup(func() {
		_, err := admin.Exec(ctx, "DROP ROLE IF EXISTS "+pgx.Identifier{role}.Sanitize())
		require.NoError(t, err)
	})

	migs, err := Migrations()
	require.NoError(t, err)
	first := migs[0]
	require.Contains(t, first.sql, AppRole)
	first.sql = strings.ReplaceAll(first.sql, AppRole, role)

	const databases = 4
	pools := make([]*pgxpool.Pool, databases)
	for i := range pools {
		pools[i] = testenv.Postgres(t)
		require.NoError(t, pools[i].Ping(ctx))
	}
	start := make(chan struct{})
	errs := make([]error, databases)
	var wg sync.WaitGroup
	for i, p := range pools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = migrate(ctx, p, []Migration{first})
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err, "database %d", i)
	}
	for _, p := range pools {
		require.NoError(t, checkRLS(ctx, p, role))
	}
	var super, bypass, canLogin, inherit bool
	require.NoError(t, admin.QueryRow(ctx,
		"SELECT rolsuper, rolbypassrls, rolcanlogin, rolinherit FROM pg_roles WHERE rolname = $1", role).
		Scan(&super, &bypass, &canLogin, &inherit))
	require.False(t, super)
	require.False(t, bypass)
	require.False(t, canLogin)
	require.False(t, inherit)
}
