package sftest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors/salesforce/sftest"
)

func TestServerShapes(t *testing.T) {
	t.Parallel()
	srv := sftest.New(&sftest.Options{PageSize: 2})
	t.Cleanup(srv.Close)
	require.NoError(t, srv.AddObject("Account", sftest.Field{Name: "Name", Type: "string"}))
	require.Error(t, srv.AddObject("Account"))
	for _, n := range []string{"a", "b", "c"} {
		_, err := srv.Insert("Account", map[string]any{"Name": n})
		require.NoError(t, err)
	}
	_, err := srv.Insert("Account", map[string]any{"Nope": 1})
	require.Error(t, err)

	// Token, client-credentials flow.
	resp, err := http.PostForm(srv.URL+"/services/oauth2/token", url.Values{
		"grant_type": {"client_credentials"}, "client_id": {"test-client-id"}, "client_secret": {"test-client-secret"},
	})
	require.NoError(t, err)
	var tok map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	resp.Body.Close()
	require.Equal(t, 200, resp.StatusCode)
	require.Equal(t, srv.URL, tok["instance_url"])
	require.Equal(t, "Bearer", tok["token_type"])
	require.NotEmpty(t, tok["access_token"])

	get := func(path string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok["access_token"])
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		return resp.StatusCode, string(b)
	}
	code, body := get("/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Id, Name FROM Account ORDER BY Name DESC"))
	require.Equal(t, 200, code)
	var page struct {
		TotalSize      int              `json:"totalSize"`
		Done           bool             `json:"done"`
		NextRecordsURL string           `json:"nextRecordsUrl"`
		Records        []map[string]any `json:"records"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Equal(t, 3, page.TotalSize)
	require.False(t, page.Done)
	require.Equal(t, "c", page.Records[0]["Name"])
	require.Equal(t, "Account", page.Records[0]["attributes"].(map[string]any)["type"])
	code, body = get(page.NextRecordsURL)
	require.Equal(t, 200, code)
	require.Contains(t, body, `"done":true`)

	// queryAll also returns records in the recycle bin, with IsDeleted
	// true, and pages under /queryAll/; query leaves them out.
	var ids []string
	for _, r := range page.Records {
		ids = append(ids, r["Id"].(string))
	}
	require.NoError(t, srv.Delete("Account", ids[0]))
	require.Error(t, srv.Delete("Account", ids[0]), "deleted twice")
	code, body = get("/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Id, IsDeleted FROM Account"))
	require.Equal(t, 200, code)
	require.Contains(t, body, `"totalSize":2`)
	require.NotContains(t, body, ids[0])
	code, body = get("/services/data/v60.0/queryAll?q=" + url.QueryEscape("SELECT Id, Name, IsDeleted FROM Account WHERE IsDeleted = true"))
	require.Equal(t, 200, code)
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Equal(t, 1, page.TotalSize)
	require.Equal(t, ids[0], page.Records[0]["Id"])
	require.Equal(t, true, page.Records[0]["IsDeleted"])
	code, body = get("/services/data/v60.0/queryAll?q=" + url.QueryEscape("SELECT Id FROM Account ORDER BY Id"))
	require.Equal(t, 200, code)
	require.NoError(t, json.Unmarshal([]byte(body), &page))
	require.Equal(t, 3, page.TotalSize)
	require.Regexp(t, `^/services/data/v60\.0/queryAll/01g`, page.NextRecordsURL)
	code, body = get(page.NextRecordsURL)
	require.Equal(t, 200, code)
	require.Contains(t, body, `"done":true`)
	srv.EmptyRecycleBin()
	code, body = get("/services/data/v60.0/queryAll?q=" + url.QueryEscape("SELECT Id FROM Account"))
	require.Equal(t, 200, code)
	require.Contains(t, body, `"totalSize":2`)

	code, body = get("/services/data/v60.0/query?q=" + url.QueryEscape("SELECT Id FROM Nope"))
	require.Equal(t, 400, code)
	require.Contains(t, body, `"errorCode":"INVALID_TYPE"`)
	code, body = get("/services/data/v60.0/sobjects/Nope/describe")
	require.Equal(t, 404, code)
	require.Contains(t, body, `"errorCode":"NOT_FOUND"`)

	srv.ExpireTokens()
	code, body = get("/services/data/v60.0/sobjects")
	require.Equal(t, 401, code)
	require.JSONEq(t, `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`, body)

	resp, err = http.PostForm(srv.URL+"/services/oauth2/token", url.Values{
		"grant_type": {"refresh_token"}, "client_id": {"test-client-id"}, "client_secret": {"test-client-secret"}, "refresh_token": {"wrong"},
	})
	require.NoError(t, err)
	var oe map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&oe))
	resp.Body.Close()
	require.Equal(t, 400, resp.StatusCode)
	require.Equal(t, "invalid_grant", oe["error"])
	require.Equal(t, 2, srv.Stats().TokenRequests)
}
