package filesource_test

import (
	"context"
	"fmt"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

func Example() {
	ctx := context.Background()
	src, err := filesource.New(connectors.Config{"root": "testdata/example"})
	if err != nil {
		panic(err)
	}
	defer src.Close()

	cat, err := src.Discover(ctx)
	if err != nil {
		panic(err)
	}
	for _, o := range cat.Objects {
		fmt.Println("object", o.Schema.Object, "key", o.PrimaryKey)
		for _, f := range o.Schema.Fields {
			fmt.Printf("  %s %s\n", f.Name, f.Type)
		}
	}

	err = src.Read(ctx, connectors.ReadRequest{Object: "accounts"}, func(r connectors.Record) error {
		if r.Err != nil {
			fmt.Printf("bad record at %s: %s\n", r.Err.Location, r.Err.Reason)
			return nil
		}
		fmt.Println(r.ID, r.Fields["name"], r.Fields["revenue"], r.Fields["active"])
		return nil
	})
	if err != nil {
		panic(err)
	}
	// Output:
	// object accounts key [id]
	//   id integer
	//   name string
	//   revenue number
	//   active boolean
	// 1 Acme 1200.5 true
	// 2 Globex; Intl <nil> false
	// bad record at accounts.csv:4: row has 2 fields, the header has 4
}
