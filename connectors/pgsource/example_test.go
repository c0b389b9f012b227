package pgsource_test

import (
	"context"
	"fmt"
	"log"
	"net/url"

	"github.com/jackc/pgx/v5"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/pgsource"
	"github.com/autonomos/autonomos/internal/testenv"
)

// exampleDatabase creates a database holding a small customers table and
// returns its URL and a function that drops it.
func exampleDatabase(ctx context.Context) (string, func()) {
	admin, err := pgx.Connect(ctx, testenv.AdminDatabaseURL())
	if err != nil {
		log.Fatal(err)
	}
	name := testenv.Name("aosexample")
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(testenv.AdminDatabaseURL())
	u.Path = "/" + name
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		log.Fatal(err)
	}
	_, err = conn.Exec(ctx, `
		CREATE TABLE customers (id int PRIMARY KEY, name text, updated_at timestamptz);
		INSERT INTO customers VALUES
			(1, 'Ada', '2024-05-01 10:00:00+00'),
			(2, 'Grace', '2024-05-01 09:00:00+00')`)
	if err != nil {
		log.Fatal(err)
	}
	_ = conn.Close(ctx)
	return u.String(), func() {
		_, _ = admin.Exec(ctx, "DROP DATABASE "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
		_ = admin.Close(ctx)
	}
}

func Example() {
	ctx := context.Background()
	dbURL, drop := exampleDatabase(ctx)
	defer drop()

	src, err := pgsource.New(connectors.Config{"url": dbURL, "cursor_column": "updated_at"})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()

	cat, err := src.Discover(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, o := range cat.Objects {
		fmt.Println(o.Schema.Object, "key", o.PrimaryKey, "cursor", o.CursorField)
		for _, f := range o.Schema.Fields {
			fmt.Printf("  %s %s\n", f.Name, f.Type)
		}
	}

	// Rows come in cursor-column order. A read from the last cursor starts
	// at its cursor value minus the look-back window (default 5m), or
	// further back while transactions were open, so rows committed late
	// with an earlier value are not missed: here it reads Ada again.
	var last connectors.Cursor
	err = src.Read(ctx, connectors.ReadRequest{Object: "customers"}, func(r connectors.Record) error {
		fmt.Println(r.ID, r.Fields["name"])
		last = r.Cursor
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	again := false
	_ = src.Read(ctx, connectors.ReadRequest{Object: "customers", Cursor: last}, func(r connectors.Record) error {
		again = again || r.Fields["name"] == "Ada"
		return nil
	})
	fmt.Println("Ada read again:", again)
	// Output:
	// customers key [id] cursor updated_at
	//   id integer
	//   name string
	//   updated_at datetime
	// 2 Grace
	// 1 Ada
	// Ada read again: true
}

func ExampleNew() {
	_, err := pgsource.New(connectors.Config{"host": "db.example.com"})
	fmt.Println(err)
	// Output:
	// connectors: invalid configuration: pgsource: parameter "database" is required with "host"
}
