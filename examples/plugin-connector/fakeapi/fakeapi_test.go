package fakeapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/examples/plugin-connector/fakeapi"
)

func get(t *testing.T, h http.Handler, path, token string) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body map[string]any
	if rec.Code == http.StatusOK {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	}
	return rec.Code, body
}

func TestPagesInIDOrder(t *testing.T) {
	t.Parallel()
	recs := fakeapi.Customers(12)
	recs[0], recs[11] = recs[11], recs[0] // the handler sorts by id
	h := fakeapi.New("t", map[string][]map[string]any{"customers": recs})

	var ids []float64
	after := ""
	for pages := 0; ; pages++ {
		require.Less(t, pages, 10, "pagination does not end")
		path := "/objects/customers?limit=5"
		if after != "" {
			path += "&after=" + after
		}
		code, body := get(t, h, path, "t")
		require.Equal(t, http.StatusOK, code)
		for _, r := range body["data"].([]any) {
			ids = append(ids, r.(map[string]any)["id"].(float64))
		}
		after = body["next"].(string)
		if after == "" {
			break
		}
	}
	require.Equal(t, []float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, ids)
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	h := fakeapi.New("t", map[string][]map[string]any{"customers": fakeapi.Customers(1)})
	code, _ := get(t, h, "/objects", "wrong")
	require.Equal(t, http.StatusUnauthorized, code)
	code, _ = get(t, h, "/objects", "")
	require.Equal(t, http.StatusUnauthorized, code)
	code, _ = get(t, h, "/objects/nope?limit=1", "t")
	require.Equal(t, http.StatusNotFound, code)
	code, _ = get(t, h, "/objects/customers?limit=0", "t")
	require.Equal(t, http.StatusBadRequest, code)
	code, _ = get(t, h, "/objects/customers?limit=1&after=999", "t")
	require.Equal(t, http.StatusBadRequest, code)
	code, body := get(t, h, "/objects", "t")
	require.Equal(t, http.StatusOK, code)
	require.Equal(t, []any{map[string]any{"name": "customers", "primary_key": "id"}}, body["objects"])
}
