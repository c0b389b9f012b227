package jsonapi_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/examples/plugin-connector/fakeapi"
	"github.com/autonomos/autonomos/examples/plugin-connector/jsonapi"
)

// The connector also runs in-process, here against the fake API.
func ExampleNew() {
	srv := httptest.NewServer(fakeapi.New("example-token", map[string][]map[string]any{
		"customers": fakeapi.Customers(3),
	}))
	defer srv.Close()

	conn, err := jsonapi.New(connectors.Config{"base_url": srv.URL, "token": "example-token", "page_size": "2"})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()
	ctx := context.Background()
	err = conn.Read(ctx, connectors.ReadRequest{Object: "customers"}, func(r connectors.Record) error {
		fmt.Println(r.ID, r.Fields["name"], r.Fields["balance"], r.Cursor)
		return nil
	})
	fmt.Println(err)
	// Output:
	// 1 Customer 1 10.5 jsonapi/v1:1
	// 2 Customer 2 20.5 jsonapi/v1:2
	// 3 Customer 3 30.5 jsonapi/v1:3
	// <nil>
}
