package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/httpapi"
	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/pgstore"
	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/memlimit"
	"github.com/autonomos/autonomos/tenancy/redislimit"
)

var signingKey = tenancy.Key{ID: "test-1", Secret: []byte("0123456789abcdef0123456789abcdef")}

// env is one running API over real HTTP on one backend.
type env struct {
	t     *testing.T
	srv   *httptest.Server
	svc   *tenancy.Service
	store tenancy.Store
	// served records, per X-Request-Id, how long the server took from
	// the request's headers to its response (network transfer excluded).
	served sync.Map
}

type envOptions struct {
	perMinute int
	hasher    *tenancy.HasherOptions
	api       httpapi.Options
}

// modes runs fn once against PostgreSQL + Redis (production) and once
// against the DuckDB control store + the in-process limiter (local).
func modes(t *testing.T, fn func(t *testing.T, newEnv func(*envOptions) *env)) {
	t.Run("production", func(t *testing.T) {
		t.Parallel()
		fn(t, func(o *envOptions) *env { return newProductionEnv(t, o) })
	})
	t.Run("local", func(t *testing.T) {
		t.Parallel()
		fn(t, func(o *envOptions) *env { return newLocalEnv(t, o) })
	})
}

func newProductionEnv(t *testing.T, o *envOptions) *env {
	t.Helper()
	ctx := testenv.Context(t)
	cfg, err := pgxpool.ParseConfig(testenv.PostgresURL(t))
	require.NoError(t, err)
	cfg.MaxConns = 4
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	ps, err := pgstore.New(pool, nil)
	require.NoError(t, err)
	require.NoError(t, ps.Migrate(ctx))
	store, err := pgstore.NewTenancy(ps)
	require.NoError(t, err)
	r := testenv.NewRedis(t)
	d, err := redislimit.New(r.Client, &redislimit.Options{Prefix: r.Prefix})
	require.NoError(t, err)
	return start(t, store, d, o)
}

func newLocalEnv(t *testing.T, o *envOptions) *env {
	t.Helper()
	ds, err := duckstore.Open(testenv.Context(t), testenv.DataDir(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = ds.Close() })
	store, err := duckstore.NewTenancy(ds)
	require.NoError(t, err)
	return start(t, store, memlimit.New(), o)
}

func start(t *testing.T, store tenancy.Store, d tenancy.LimitDriver, o *envOptions) *env {
	t.Helper()
	if o == nil {
		o = &envOptions{}
	}
	auth, err := tenancy.NewAuthenticator(signingKey, nil, nil)
	require.NoError(t, err)
	hasher, err := tenancy.NewHasher(o.hasher)
	require.NoError(t, err)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc, err := tenancy.NewService(store, auth, &tenancy.Options{Hasher: hasher, Logger: quiet})
	require.NoError(t, err)
	lim, err := tenancy.NewRateLimiter(d, &tenancy.LimiterOptions{PerMinute: o.perMinute, Tenants: store, Logger: quiet})
	require.NoError(t, err)
	apiOpts := o.api
	apiOpts.Logger = quiet
	h, err := httpapi.New(svc, lim, &apiOpts)
	require.NoError(t, err)
	e := &env{t: t, svc: svc, store: store}
	e.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h.ServeHTTP(w, r)
		e.served.Store(r.Header.Get("X-Request-Id"), time.Since(start))
	}))
	e.srv.Config.MaxHeaderBytes = httpapi.MaxHeaderBytes
	e.srv.Start()
	t.Cleanup(e.srv.Close)
	return e
}

// response is a decoded reply.
type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.body, &m), "body %s", r.body)
	return m
}

// errorCode returns the code of an error body, checking its shape.
func (r response) errorCode(t *testing.T) string {
	t.Helper()
	var b struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(r.body, &b), "body %s", r.body)
	require.NotEmpty(t, b.Error.Code)
	require.NotEmpty(t, b.Error.Message)
	return b.Error.Code
}

// do sends a request; body is JSON-encoded unless it is []byte.
func (e *env) do(method, path, token string, body any, hdr ...string) response {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		require.NoError(e.t, err)
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	require.NoError(e.t, err)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(e.t, err)
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

const password = "correct horse battery staple"

// registered is a tenant with its admin and the admin's token.
type registered struct {
	tenant, user, token string
}

func (e *env) register(name, email string) registered {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/register", "", map[string]string{"tenant_name": name, "email": email, "password": password})
	require.Equal(e.t, http.StatusCreated, r.status, "%s", r.body)
	m := r.json(e.t)
	return registered{tenant: m["tenant_id"].(string), user: m["user_id"].(string), token: e.login(email)}
}

func (e *env) login(email string) string {
	e.t.Helper()
	r := e.do("POST", "/api/v1/auth/login", "", map[string]string{"email": email, "password": password})
	require.Equal(e.t, http.StatusOK, r.status, "%s", r.body)
	m := r.json(e.t)
	require.Equal(e.t, "bearer", m["token_type"])
	require.EqualValues(e.t, 1800, m["expires_in"])
	return m["access_token"].(string)
}

// addUser creates a user with role through the API and returns its id and
// token.
func (e *env) addUser(admin, email, role string) (string, string) {
	e.t.Helper()
	r := e.do("POST", "/api/v1/users", admin, map[string]string{"email": email, "password": password, "role": role})
	require.Equal(e.t, http.StatusCreated, r.status, "%s", r.body)
	return r.json(e.t)["id"].(string), e.login(email)
}
