package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/httpapi"
	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/memlimit"
)

// ExampleNew mounts the API in an existing mux, on the local store.
func ExampleNew() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "httpapi-example")
	defer os.RemoveAll(dir)
	control, err := duckstore.Open(ctx, dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer control.Close()
	store, _ := duckstore.NewTenancy(control)
	auth, _ := tenancy.NewAuthenticator(tenancy.Key{ID: "k1", Secret: []byte("a secret of at least thirty-two bytes")}, nil, nil)
	svc, _ := tenancy.NewService(store, auth, nil)
	limiter, _ := tenancy.NewRateLimiter(memlimit.New(), nil)
	api, err := httpapi.New(svc, limiter, nil)
	if err != nil {
		fmt.Println(err)
		return
	}

	mux := http.NewServeMux()
	mux.Handle("/api/", api)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	resp, _ := http.Post(srv.URL+"/api/v1/auth/register", "application/json",
		strings.NewReader(`{"tenant_name":"acme","email":"admin@acme.example","password":"correct horse battery"}`))
	resp.Body.Close()
	fmt.Println(resp.StatusCode)
	resp, _ = http.Get(srv.URL + "/api/v1/users")
	resp.Body.Close()
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	// Output:
	// 201
	// 401 application/json
}
