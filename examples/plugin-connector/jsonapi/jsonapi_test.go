package jsonapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/examples/plugin-connector/fakeapi"
	"github.com/autonomos/autonomos/examples/plugin-connector/jsonapi"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

const token = "tok-0123456789abcdef"

// serve starts a fake API holding customers (n records) and orders (empty);
// it stops when the test ends.
func serve(t *testing.T, n int) string {
	t.Helper()
	srv := httptest.NewServer(fakeapi.New(token, map[string][]map[string]any{
		"customers": fakeapi.Customers(n),
		"orders":    {},
		"mixed": {
			{"id": "a", "v": int64(1)},
			{"id": "b", "v": 2.5},
			{"id": "c", "v": "x"},
			{"no_id": true},
		},
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func open(t *testing.T, cfg connectors.Config) *jsonapi.Connector {
	t.Helper()
	c, err := jsonapi.NewConnector(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, c.Close()) })
	return c
}

func TestConformance(t *testing.T) {
	base := serve(t, 137)
	connectortest.Run(t, connectortest.Harness{
		New: func(_ context.Context, cfg connectors.Config) (connectors.Connector, error) {
			return jsonapi.New(cfg)
		},
		Config: connectors.Config{"base_url": base, "token": token, "page_size": "25"},
		BadConfigs: map[string]connectors.Config{
			"wrong token":      {"base_url": base, "token": "wrong-token-value"},
			"not a url":        {"base_url": "not a url", "token": token},
			"ftp scheme":       {"base_url": "ftp://example.com", "token": token},
			"page size 0":      {"base_url": base, "token": token, "page_size": "0"},
			"unreachable host": {"base_url": "http://127.0.0.1:1", "token": token, "timeout": "2s"},
			"wrong path":       {"base_url": base + "/nothing/here", "token": token},
		},
		Object:     "customers",
		MinRecords: 137,
	})
}

func TestReadPagesAndTypes(t *testing.T) {
	t.Parallel()
	c := open(t, connectors.Config{"base_url": serve(t, 10), "token": token, "page_size": "3"})
	recs, err := connectortest.ReadAll(context.Background(), c, connectors.ReadRequest{Object: "customers"})
	require.NoError(t, err)
	require.Len(t, recs, 10)
	r := recs[0]
	require.Equal(t, "1", r.ID)
	require.Equal(t, int64(1), r.Fields["id"])
	require.Equal(t, 10.5, r.Fields["balance"])
	require.Equal(t, true, r.Fields["active"])
	require.Equal(t, map[string]any{"city": "Springfield", "zip": "00001"}, r.Fields["address"])
	require.Equal(t, []any{"tier-1"}, r.Fields["tags"])
}

func TestMalformedRecordIsEmittedWithError(t *testing.T) {
	t.Parallel()
	c := open(t, connectors.Config{"base_url": serve(t, 1), "token": token})
	recs, err := connectortest.ReadAll(context.Background(), c, connectors.ReadRequest{Object: "mixed"})
	require.NoError(t, err)
	require.Len(t, recs, 4)
	var bad int
	for _, r := range recs {
		if r.Err != nil {
			bad++
			require.Contains(t, r.Err.Reason, "id")
			require.Contains(t, r.Err.Raw, "no_id")
			require.Nil(t, r.Fields)
		}
	}
	require.Equal(t, 1, bad)
}

func TestDiscoverInfersTypes(t *testing.T) {
	t.Parallel()
	c := open(t, connectors.Config{"base_url": serve(t, 30), "token": token})
	cat, err := c.Discover(context.Background())
	require.NoError(t, err)
	require.Len(t, cat.Objects, 3)
	cust, ok := cat.Object("customers")
	require.True(t, ok)
	require.Equal(t, []string{"id"}, cust.PrimaryKey)
	want := map[string]canonical.FieldType{
		"id": canonical.TypeInteger, "name": canonical.TypeString, "email": canonical.TypeString,
		"balance": canonical.TypeNumber, "active": canonical.TypeBoolean, "created_at": canonical.TypeDatetime,
		"tags": canonical.TypeArray, "address": canonical.TypeObject,
	}
	require.Len(t, cust.Schema.Fields, len(want))
	for _, f := range cust.Schema.Fields {
		require.Equal(t, want[f.Name], f.Type, f.Name)
		require.Len(t, f.Samples, canonical.MaxSamples, f.Name)
	}
	mixed, _ := cat.Object("mixed")
	v, _ := mixed.Schema.Field("v")
	require.Equal(t, canonical.TypeUnknown, v.Type)
	orders, _ := cat.Object("orders")
	require.NoError(t, orders.Schema.Validate(), "an empty object still has a valid schema")
}

func TestWrongTokenIsUnauthorized(t *testing.T) {
	t.Parallel()
	c := open(t, connectors.Config{"base_url": serve(t, 1), "token": "wrong-token-value"})
	err := c.Check(context.Background())
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.NotContains(t, err.Error(), "wrong-token-value")
}

func TestTokenIsSentAsBearer(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.Header.Get("Authorization"):
		default:
		}
		_, _ = w.Write([]byte(`{"objects":[]}`))
	}))
	defer srv.Close()
	c := open(t, connectors.Config{"base_url": srv.URL, "token": token})
	require.NoError(t, c.Check(context.Background()))
	require.Equal(t, "Bearer "+token, <-got)
}

func TestUsesOnlyPublicPackages(t *testing.T) {
	t.Parallel()
	// The example is what a third party can write: it imports no internal
	// package of the project.
	for _, f := range []string{"jsonapi.go", "../main.go", "../fakeapi/fakeapi.go"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		require.NotContains(t, string(b), "/internal/", f)
	}
}
