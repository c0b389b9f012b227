package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/tenancytest"
)

// TestBadTokensAre401Fast: every kind of bad token gets a 401 with the one
// message, and without slow work: the server answers the fastest of three
// tries within 100 ms of receiving it (a 1 MB token is refused before
// parsing; the time to transfer a megabyte is the network's, not
// counted).
func TestBadTokensAre401Fast(t *testing.T) {
	modes(t, func(t *testing.T, newEnv func(*envOptions) *env) {
		e := newEnv(nil)
		a := e.register("acme", "admin@acme.example")
		r := e.do("GET", "/api/v1/users", a.token, nil)
		require.Equal(t, http.StatusOK, r.status, "the good token works")

		bad := tenancytest.BadTokens(signingKey, uuid.MustParse(a.user), uuid.MustParse(a.tenant), tenancy.RoleAdmin)
		bad = append(bad, tenancytest.BadToken{Name: "empty", Token: ""})
		for _, b := range bad {
			t.Run(b.Name, func(t *testing.T) {
				fastest := time.Hour
				for range 3 {
					id := uuid.NewString()
					r := e.do("GET", "/api/v1/users", b.Token, nil, "X-Request-Id", id)
					took, ok := e.served.Load(id)
					require.True(t, ok)
					fastest = min(fastest, took.(time.Duration))
					require.Equal(t, http.StatusUnauthorized, r.status, "%s", r.body)
					require.Equal(t, "unauthorized", r.errorCode(t))
					require.Contains(t, r.header.Get("WWW-Authenticate"), "Bearer")
					require.NotContains(t, string(r.body), "kid", "no detail of the failure leaks")
				}
				require.Less(t, fastest, 100*time.Millisecond)
			})
		}
		r = e.do("GET", "/api/v1/users", "", nil, "Authorization", "Basic dXNlcjpwYXNz")
		require.Equal(t, http.StatusUnauthorized, r.status)
	})
}

// TestOtherTenantsIDsAre404: tenant B's valid admin token on each of
// tenant A's ids gets 404, and A's data is untouched.
func TestOtherTenantsIDsAre404(t *testing.T) {
	modes(t, func(t *testing.T, newEnv func(*envOptions) *env) {
		e := newEnv(nil)
		a := e.register("tenant-a", "admin@a.example")
		b := e.register("tenant-b", "admin@b.example")
		viewerA, _ := e.addUser(a.token, "viewer@a.example", "viewer")
		for _, id := range []string{a.user, viewerA} {
			r := e.do("DELETE", "/api/v1/users/"+id, b.token, nil)
			require.Equal(t, http.StatusNotFound, r.status, "%s", r.body)
			require.Equal(t, "not_found", r.errorCode(t))
		}
		r := e.do("DELETE", "/api/v1/users/"+uuid.NewString(), b.token, nil)
		require.Equal(t, http.StatusNotFound, r.status, "a missing id looks the same")
		r = e.do("DELETE", "/api/v1/users/not-a-uuid", b.token, nil)
		require.Equal(t, http.StatusNotFound, r.status)

		r = e.do("GET", "/api/v1/users", a.token, nil)
		require.Equal(t, http.StatusOK, r.status)
		require.Len(t, r.json(t)["users"], 2, "A still has both users")
		r = e.do("GET", "/api/v1/users", b.token, nil)
		users := r.json(t)["users"].([]any)
		require.Len(t, users, 1, "B sees only its own")
		require.Equal(t, "admin@b.example", users[0].(map[string]any)["email"])

		r = e.do("GET", "/api/v1/audit", b.token, nil)
		for _, en := range r.json(t)["entries"].([]any) {
			require.Equal(t, b.tenant, en.(map[string]any)["tenant_id"], "B's audit log holds only B's rows")
		}
	})
}

// TestRoles: a viewer writing gets 403, an editor managing users too; the
// refusal is audited as denied.
func TestRoles(t *testing.T) {
	modes(t, func(t *testing.T, newEnv func(*envOptions) *env) {
		e := newEnv(nil)
		a := e.register("roles", "admin@roles.example")
		_, viewer := e.addUser(a.token, "viewer@roles.example", "viewer")
		_, editor := e.addUser(a.token, "editor@roles.example", "editor")
		for _, tok := range []string{viewer, editor} {
			r := e.do("POST", "/api/v1/users", tok, map[string]string{"email": "x@roles.example", "password": password, "role": "viewer"})
			require.Equal(t, http.StatusForbidden, r.status, "%s", r.body)
			require.Equal(t, "forbidden", r.errorCode(t))
			r = e.do("DELETE", "/api/v1/users/"+a.user, tok, nil)
			require.Equal(t, http.StatusForbidden, r.status)
			r = e.do("GET", "/api/v1/audit", tok, nil)
			require.Equal(t, http.StatusForbidden, r.status)
		}
		r := e.do("GET", "/api/v1/audit?limit=1", a.token, nil)
		require.Equal(t, http.StatusOK, r.status)
		last := r.json(t)["entries"].([]any)[0].(map[string]any)
		require.Equal(t, "denied", last["outcome"])
		require.EqualValues(t, 403, last["status"])
		require.Equal(t, "DELETE /api/v1/users/{id}", last["action"])
	})
}

// TestRateLimit: the request after the limit gets 429 with Retry-After and
// the RateLimit headers; another tenant is unaffected; a per-tenant
// override applies.
func TestRateLimit(t *testing.T) {
	modes(t, func(t *testing.T, newEnv func(*envOptions) *env) {
		e := newEnv(&envOptions{perMinute: 5})
		a := e.register("limited", "admin@limited.example")
		b := e.register("other", "admin@other.example")
		for i := range 5 {
			r := e.do("GET", "/api/v1/users", a.token, nil)
			require.Equal(t, http.StatusOK, r.status, "request %d", i+1)
			require.Equal(t, `"default";q=5;w=60`, r.header.Get("RateLimit-Policy"))
			require.True(t, strings.HasPrefix(r.header.Get("RateLimit"), `"default";r=`+strconv.Itoa(4-i)+";t="), r.header.Get("RateLimit"))
		}
		r := e.do("GET", "/api/v1/users", a.token, nil)
		require.Equal(t, http.StatusTooManyRequests, r.status)
		require.Equal(t, "rate_limited", r.errorCode(t))
		retry, err := strconv.Atoi(r.header.Get("Retry-After"))
		require.NoError(t, err)
		require.GreaterOrEqual(t, retry, 1)
		require.LessOrEqual(t, retry, 12)
		require.NotEmpty(t, r.header.Get("RateLimit"))
		require.NotEmpty(t, r.header.Get("RateLimit-Policy"))

		r = e.do("GET", "/api/v1/users", b.token, nil)
		require.Equal(t, http.StatusOK, r.status, "another tenant is unaffected")

		// A tenant's own limit replaces the default.
		c := e.register("own-limit", "admin@own-limit.example")
		require.NoError(t, e.store.SetRateLimit(context.Background(), uuid.MustParse(c.tenant), 7))
		for i := range 7 {
			r = e.do("GET", "/api/v1/users", c.token, nil)
			require.Equal(t, http.StatusOK, r.status, "request %d", i+1)
			require.Equal(t, `"default";q=7;w=60`, r.header.Get("RateLimit-Policy"))
		}
		r = e.do("GET", "/api/v1/users", c.token, nil)
		require.Equal(t, http.StatusTooManyRequests, r.status)
	})
}

// TestIdempotency: replay, 422 for another body, 409 while in flight.
func TestIdempotency(t *testing.T) {
	modes(t, func(t *testing.T, newEnv func(*envOptions) *env) {
		e := newEnv(nil)
		a := e.register("idem", "admin@idem.example")
		body := map[string]string{"email": "new@idem.example", "password": password, "role": "editor"}
		first := e.do("POST", "/api/v1/users", a.token, body, "Idempotency-Key", "key-1")
		require.Equal(t, http.StatusCreated, first.status, "%s", first.body)
		again := e.do("POST", "/api/v1/users", a.token, body, "Idempotency-Key", "key-1")
		require.Equal(t, http.StatusCreated, again.status)
		require.Equal(t, "true", again.header.Get("Idempotent-Replayed"))
		require.JSONEq(t, string(first.body), string(again.body))
		r := e.do("GET", "/api/v1/users", a.token, nil)
		require.Len(t, r.json(t)["users"], 2, "the replay created nobody")

		body["role"] = "viewer"
		r = e.do("POST", "/api/v1/users", a.token, body, "Idempotency-Key", "key-1")
		require.Equal(t, http.StatusUnprocessableEntity, r.status)
		require.Equal(t, "idempotency_mismatch", r.errorCode(t))

		// A failed request's response is stored too.
		dup := map[string]string{"email": "admin@idem.example", "password": password, "role": "viewer"}
		r = e.do("POST", "/api/v1/users", a.token, dup, "Idempotency-Key", "key-2")
		require.Equal(t, http.StatusConflict, r.status)
		r = e.do("POST", "/api/v1/users", a.token, dup, "Idempotency-Key", "key-2")
		require.Equal(t, http.StatusConflict, r.status)
		require.Equal(t, "true", r.header.Get("Idempotent-Replayed"))

		// Concurrent requests with one new key: exactly one runs; the
		// others see it in flight (409) or, once it is done, its replay.
		const n = 6
		results := make([]response, n)
		var wg sync.WaitGroup
		body3 := map[string]string{"email": "race@idem.example", "password": password, "role": "viewer"}
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i] = e.do("POST", "/api/v1/users", a.token, body3, "Idempotency-Key", "key-3")
			}()
		}
		wg.Wait()
		ran, conflicts := 0, 0
		for _, r := range results {
			switch {
			case r.status == http.StatusCreated && r.header.Get("Idempotent-Replayed") == "":
				ran++
			case r.status == http.StatusConflict:
				require.Equal(t, "conflict", r.errorCode(t))
				conflicts++
			default:
				require.Equal(t, http.StatusCreated, r.status, "%s", r.body)
			}
		}
		require.Equal(t, 1, ran)
		require.Positive(t, conflicts, "at least one request found the key in flight")
		r = e.do("GET", "/api/v1/users", a.token, nil)
		require.Len(t, r.json(t)["users"], 3)

		r = e.do("POST", "/api/v1/users", a.token, body3, "Idempotency-Key", strings.Repeat("k", 300))
		require.Equal(t, http.StatusBadRequest, r.status)
	})
}

// TestBodyLimit: a 2 MiB body gets 413, with or without a Content-Length.
func TestBodyLimit(t *testing.T) {
	modes(t, func(t *testing.T, newEnv func(*envOptions) *env) {
		e := newEnv(nil)
		a := e.register("big", "admin@big.example")
		big := []byte(`{"email":"` + strings.Repeat("a", 2<<20) + `"}`)
		r := e.do("POST", "/api/v1/users", a.token, big)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
		require.Equal(t, "payload_too_large", r.errorCode(t))

		req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/users", struct{ *bytes.Reader }{bytes.NewReader(big)})
		require.NoError(t, err)
		req.ContentLength = -1 // chunked: the limit is met while reading
		req.Header.Set("Authorization", "Bearer "+a.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.srv.Client().Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		require.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
		r = e.do("POST", "/api/v1/auth/register", "", big)
		require.Equal(t, http.StatusRequestEntityTooLarge, r.status)
	})
}

// TestEveryMutatingCallOneAuditRow: each mutating call, whatever its
// outcome, adds exactly one audit row; reads add none.
func TestEveryMutatingCallOneAuditRow(t *testing.T) {
	modes(t, func(t *testing.T, newEnv func(*envOptions) *env) {
		e := newEnv(nil)
		a := e.register("audited", "admin@audited.example")
		tenant := uuid.MustParse(a.tenant)
		count := func() int {
			es, err := e.store.AuditEntries(context.Background(), tenant, 0, 1000)
			require.NoError(t, err)
			return len(es)
		}
		require.Equal(t, 2, count(), "register and login")
		_, viewer := e.addUser(a.token, "v@audited.example", "viewer")
		calls := []struct {
			name                string
			method, path, token string
			body                any
			hdr                 []string
			status              int
		}{
			{"create", "POST", "/api/v1/users", a.token, map[string]string{"email": "e@audited.example", "password": password, "role": "editor"}, nil, 201},
			{"duplicate", "POST", "/api/v1/users", a.token, map[string]string{"email": "e@audited.example", "password": password, "role": "editor"}, nil, 409},
			{"invalid", "POST", "/api/v1/users", a.token, map[string]string{"email": "nope", "password": password, "role": "editor"}, nil, 400},
			{"unknown field", "POST", "/api/v1/users", a.token, []byte(`{"email":"x@y.z","admin":true}`), nil, 400},
			{"viewer", "POST", "/api/v1/users", viewer, map[string]string{"email": "w@audited.example", "password": password, "role": "viewer"}, nil, 403},
			{"delete missing", "DELETE", "/api/v1/users/" + uuid.NewString(), a.token, nil, nil, 404},
			{"idempotent", "POST", "/api/v1/users", a.token, map[string]string{"email": "i@audited.example", "password": password, "role": "viewer"}, []string{"Idempotency-Key", "k"}, 201},
			{"replay", "POST", "/api/v1/users", a.token, map[string]string{"email": "i@audited.example", "password": password, "role": "viewer"}, []string{"Idempotency-Key", "k"}, 201},
			{"mismatch", "POST", "/api/v1/users", a.token, map[string]string{"email": "j@audited.example", "password": password, "role": "viewer"}, []string{"Idempotency-Key", "k"}, 422},
			{"bad login", "POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@audited.example", "password": "wrong password!"}, nil, 401},
		}
		for _, c := range calls {
			before := count()
			r := e.do(c.method, c.path, c.token, c.body, c.hdr...)
			require.Equal(t, c.status, r.status, "%s: %s", c.name, r.body)
			require.Equal(t, before+1, count(), "%s leaves exactly one audit row", c.name)
		}
		before := count()
		e.do("GET", "/api/v1/users", a.token, nil)
		e.do("GET", "/api/v1/audit", a.token, nil)
		require.Equal(t, before, count(), "reads are not audited")

		r := e.do("GET", "/api/v1/audit?limit=2", a.token, nil)
		m := r.json(t)
		require.Len(t, m["entries"], 2)
		last := m["entries"].([]any)[0].(map[string]any)
		require.Equal(t, "POST /api/v1/auth/login", last["action"])
		require.Equal(t, "denied", last["outcome"])
		require.Equal(t, "127.0.0.1", last["client_ip"])
		require.NotEmpty(t, last["request_id"])
		cursor := m["next_cursor"].(string)
		r = e.do("GET", "/api/v1/audit?limit=500&cursor="+cursor, a.token, nil)
		m = r.json(t)
		require.Len(t, m["entries"], before-2)
		require.Nil(t, m["next_cursor"])
		r = e.do("GET", "/api/v1/audit?cursor=abc", a.token, nil)
		require.Equal(t, http.StatusBadRequest, r.status)
	})
}
