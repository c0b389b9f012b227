package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
)

func ExampleStore_WithTenant() {
	ctx := context.Background()
	dsn, drop := exampleDatabase(ctx) // a fresh, empty database
	defer drop()

	store, err := pgstore.Open(ctx, dsn, nil) // connects and migrates
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()

	// Creating tenants is a system operation.
	acme, globex := uuid.New(), uuid.New()
	err = store.WithSystem(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO tenants (id, name) VALUES ($1, 'acme'), ($2, 'globex')", acme, globex)
		return err
	})
	if err != nil {
		fmt.Println(err)
		return
	}

	// Everything else runs scoped to one tenant.
	addUser := func(tenant uuid.UUID, email string) error {
		return store.WithTenant(ctx, tenant, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx,
				"INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, $2, 'hash', 'viewer')",
				tenant, email)
			return err
		})
	}
	for _, u := range []struct {
		tenant uuid.UUID
		email  string
	}{{acme, "bob@acme.example"}, {globex, "hank@globex.example"}, {acme, "ann@acme.example"}} {
		if err := addUser(u.tenant, u.email); err != nil {
			fmt.Println(err)
			return
		}
	}

	// No WHERE tenant_id: row-level security shows acme's rows only.
	err = store.WithTenant(ctx, acme, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT email FROM users ORDER BY email")
		if err != nil {
			return err
		}
		emails, err := pgx.CollectRows(rows, pgx.RowTo[string])
		fmt.Println(emails)
		return err
	})
	if err != nil {
		fmt.Println(err)
	}

	// Writing a row of another tenant is refused.
	err = store.WithTenant(ctx, acme, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx,
			"INSERT INTO users (tenant_id, email, password_hash, role) VALUES ($1, 'eve@acme.example', 'hash', 'viewer')",
			globex)
		return err
	})
	fmt.Println(errors.Is(err, pgstore.ErrForbidden))
	// Output:
	// [ann@acme.example bob@acme.example]
	// true
}

func ExampleMigrate() {
	ctx := context.Background()
	dsn, drop := exampleDatabase(ctx)
	defer drop()
	pool, err := pgxpool.New(ctx, dsn) // a pool the caller owns
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pool.Close()

	fmt.Println(pgstore.Migrate(ctx, pool))
	fmt.Println(pgstore.Migrate(ctx, pool)) // nothing left to apply
	fmt.Println(pgstore.CheckRLS(ctx, pool))

	// A tenant table created without the protection routine is caught.
	_, err = pool.Exec(ctx, "CREATE TABLE notes (tenant_id uuid, body text)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(pgstore.CheckRLS(ctx, pool))
	// Output:
	// <nil>
	// <nil>
	// <nil>
	// pgstore: tenant isolation broken: table "notes": row level security is not enabled; table "notes": row level security is not forced; table "notes": has no policy
}

func ExampleMigrations() {
	migs, err := pgstore.Migrations()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(migs[0].Version, migs[0].Name)
	// Output:
	// 1 foundation
}

// exampleDatabase creates an empty database on the test server and returns
// its URL and a function dropping it.
func exampleDatabase(ctx context.Context) (dsn string, drop func()) {
	admin, err := pgx.Connect(ctx, testenv.AdminDatabaseURL())
	if err != nil {
		panic(err)
	}
	name := testenv.Name("aosexample")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()+" TEMPLATE template0"); err != nil {
		panic(err)
	}
	u, err := url.Parse(testenv.AdminDatabaseURL())
	if err != nil {
		panic(err)
	}
	u.Path = "/" + name
	return u.String(), func() {
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			panic(err)
		}
	}
}
