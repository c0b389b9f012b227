package salesforce_test

import (
	"context"
	"fmt"
	"log"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/salesforce"
	"github.com/autonomos/autonomos/connectors/salesforce/sftest"
)

func Example() {
	// A fake org stands in for https://MyDomain.my.salesforce.com.
	org := sftest.New(&sftest.Options{ClientID: "app-key", ClientSecret: "app-secret"})
	defer org.Close()
	if err := org.AddObject("Account", sftest.Field{Name: "Name", Type: "string"}); err != nil {
		log.Fatal(err)
	}
	for _, name := range []string{"Acme", "Globex"} {
		if _, err := org.Insert("Account", map[string]any{"Name": name}); err != nil {
			log.Fatal(err)
		}
	}

	ctx := context.Background()
	src, err := salesforce.New(connectors.Config{
		"instance_url":  org.URL,
		"client_id":     "app-key",
		"client_secret": "app-secret", // client-credentials flow: no refresh_token
		"objects":       "Account",
	})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()

	cat, err := src.Discover(ctx)
	if err != nil {
		log.Fatal(err)
	}
	acc, _ := cat.Object("Account")
	fmt.Println("cursor field:", acc.CursorField)

	var last connectors.Cursor
	err = src.Read(ctx, connectors.ReadRequest{Object: "Account"}, func(r connectors.Record) error {
		fmt.Println(r.ID, r.Fields["Name"])
		last = r.Cursor
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(last))
	// Output:
	// cursor field: SystemModstamp
	// 001000000000001AAA Acme
	// 001000000000002AAA Globex
	// {"object":"Account","systemModstamp":"2024-01-01T00:00:01Z","id":"001000000000002AAA"}
}

func ExampleNew() {
	_, err := salesforce.New(connectors.Config{"client_id": "app-key"})
	fmt.Println(err)
	// Output:
	// connectors: invalid configuration: salesforce: parameter "client_secret" is required
}
