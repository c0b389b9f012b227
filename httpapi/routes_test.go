package httpapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/httpapi"
)

func TestRegisterAndLogin(t *testing.T) {
	t.Parallel()
	e := newLocalEnv(t, nil)
	e.register("acme", "Admin@Acme.example")
	r := e.do("POST", "/api/v1/auth/register", "", map[string]string{"tenant_name": "acme-2", "email": "admin@acme.example", "password": password})
	require.Equal(t, http.StatusConflict, r.status, "a duplicate e-mail, whatever its case")
	require.Equal(t, "conflict", r.errorCode(t))
	require.Contains(t, string(r.body), "e-mail is taken")
	r = e.do("POST", "/api/v1/auth/register", "", map[string]string{"tenant_name": "acme", "email": "other@acme.example", "password": password})
	require.Equal(t, http.StatusConflict, r.status)
	require.Contains(t, string(r.body), "tenant name is taken")
	require.NotContains(t, strings.ToLower(string(r.body)), "duplicate", "no backend text")
	for _, name := range []string{"../evil", "/abs", strings.Repeat("n", 5000), ""} {
		r = e.do("POST", "/api/v1/auth/register", "", map[string]string{"tenant_name": name, "email": "x@acme.example", "password": password})
		require.Equal(t, http.StatusBadRequest, r.status)
		require.Equal(t, "invalid_argument", r.errorCode(t))
	}
	r = e.do("POST", "/api/v1/auth/register", "", map[string]string{"tenant_name": "short-pw", "email": "y@acme.example", "password": "short"})
	require.Equal(t, http.StatusBadRequest, r.status)

	wrong := e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@acme.example", "password": "not the password"})
	unknown := e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": "ghost@acme.example", "password": "not the password"})
	require.Equal(t, http.StatusUnauthorized, wrong.status)
	require.Equal(t, wrong.status, unknown.status)
	require.JSONEq(t, string(wrong.body), string(unknown.body), "same answer for a wrong password and an unknown user")
}

func TestRegistrationClosed(t *testing.T) {
	t.Parallel()
	e := newLocalEnv(t, &envOptions{api: httpapi.Options{RegistrationClosed: true}})
	r := e.do("POST", "/api/v1/auth/register", "", map[string]string{"tenant_name": "acme", "email": "a@acme.example", "password": password})
	require.Equal(t, http.StatusForbidden, r.status)
	require.Equal(t, "forbidden", r.errorCode(t))
}

func TestTraceAndRequestID(t *testing.T) {
	t.Parallel()
	e := newLocalEnv(t, nil)
	const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	r := e.do("GET", "/api/v1/users", "", nil, "traceparent", parent, "X-Request-Id", "req-123")
	require.Equal(t, http.StatusUnauthorized, r.status)
	tp := r.header.Get("traceparent")
	require.True(t, strings.HasPrefix(tp, "00-4bf92f3577b34da6a3ce929d0e0e4736-"), tp)
	require.True(t, strings.HasSuffix(tp, "-01"))
	require.NotContains(t, tp, "00f067aa0ba902b7", "a span of our own")
	require.Equal(t, "req-123", r.header.Get("X-Request-Id"))

	r = e.do("GET", "/api/v1/users", "", nil, "traceparent", "garbage", "X-Request-Id", "bad id with spaces")
	require.Regexp(t, `^00-[0-9a-f]{32}-[0-9a-f]{16}-00$`, r.header.Get("traceparent"))
	require.NotEqual(t, "bad id with spaces", r.header.Get("X-Request-Id"))
	require.NotEmpty(t, r.header.Get("X-Request-Id"))
}

func TestUnknownRoutesAreJSON(t *testing.T) {
	t.Parallel()
	e := newLocalEnv(t, nil)
	r := e.do("GET", "/api/v1/nothing", "", nil)
	require.Equal(t, http.StatusNotFound, r.status)
	require.Equal(t, "not_found", r.errorCode(t))
	r = e.do("PUT", "/api/v1/users", "", nil)
	require.Equal(t, http.StatusMethodNotAllowed, r.status)
	require.Equal(t, "method_not_allowed", r.errorCode(t))
	require.Contains(t, r.header.Get("Allow"), "GET")
	r = e.do("POST", "/api/v1/auth/login", "", []byte(`{"email":"a@b.c"`))
	require.Equal(t, http.StatusBadRequest, r.status)
	r = e.do("POST", "/api/v1/auth/login", "", []byte(`{"email":"a@b.c"} {}`))
	require.Equal(t, http.StatusBadRequest, r.status)
	require.Contains(t, string(r.body), "single JSON value")
}
