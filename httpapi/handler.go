package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/autonomos/autonomos/tenancy"
)

// DefaultMaxBodyBytes is the default request body limit: 1 MiB.
const DefaultMaxBodyBytes = 1 << 20

// MaxHeaderBytes is the http.Server.MaxHeaderBytes servers mounting the
// Handler should set: above net/http's 1 MiB default, so that an oversized
// Authorization header still reaches the chain and gets the API's JSON
// 401 (tokens over 8 KiB are refused before parsing) rather than a bare
// 431.
const MaxHeaderBytes = 2 << 20

// Options configures New. Nil means defaults.
type Options struct {
	// RegistrationClosed turns POST /api/v1/auth/register off (403); then
	// operators create tenants and admins with the CLI. Default false:
	// open. Env AOS_OPEN_REGISTRATION=false.
	RegistrationClosed bool
	// MaxBodyBytes limits request bodies (413 beyond). Default 1 MiB.
	MaxBodyBytes int64
	// Routes are more routes served behind the same gateway chain.
	Routes []Route
	// Logger receives one line per request and the errors behind 500s.
	// Default slog.Default().
	Logger *slog.Logger
}

// Route is one route of the API.
type Route struct {
	// Method and Pattern as in http.ServeMux ("GET", "/api/v1/users/{id}").
	Method  string
	Pattern string
	// Role is the least role the route needs; "" makes the route public
	// (no token, no rate limit).
	Role tenancy.Role
	// Handle serves the request: it returns the status and the value to
	// send as JSON (nil: no body), or an error the chain renders.
	Handle func(c *Call) (int, any, error)
}

// mutating reports whether the route changes state: it is audited, and
// POST, PUT and PATCH honour Idempotency-Key.
func (rt Route) mutating() bool {
	switch rt.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

// Handler is the API as one http.Handler, to mount at "/api/" (it serves
// paths under /api/v1/). Safe for concurrent use.
type Handler struct {
	svc   *tenancy.Service
	limit *tenancy.RateLimiter
	opts  Options
	log   *slog.Logger
	mux   *http.ServeMux
}

// New returns the API over svc, rate-limited by limiter. Nil arguments or
// invalid options are an error.
func New(svc *tenancy.Service, limiter *tenancy.RateLimiter, opts *Options) (*Handler, error) {
	if svc == nil || limiter == nil {
		return nil, fmt.Errorf("httpapi: new: the tenancy service and the rate limiter are required")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.MaxBodyBytes < 0 {
		return nil, fmt.Errorf("httpapi: new: MaxBodyBytes must be positive")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	h := &Handler{svc: svc, limit: limiter, opts: o, log: o.Logger, mux: http.NewServeMux()}
	for _, rt := range append(h.routes(), o.Routes...) {
		if rt.Handle == nil || rt.Method == "" || rt.Pattern == "" {
			return nil, fmt.Errorf("httpapi: new: route %s %s is incomplete", rt.Method, rt.Pattern)
		}
		if rt.Role != "" && !rt.Role.Valid() {
			return nil, fmt.Errorf("httpapi: new: route %s %s: role %q is not valid", rt.Method, rt.Pattern, rt.Role)
		}
		h.mux.Handle(rt.Method+" "+rt.Pattern, h.chain(rt))
	}
	return h, nil
}

// routes are the auth, users and audit routes.
func (h *Handler) routes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/auth/register", Handle: h.register},
		{Method: "POST", Pattern: "/api/v1/auth/login", Handle: h.login},
		{Method: "POST", Pattern: "/api/v1/users", Role: tenancy.RoleAdmin, Handle: h.createUser},
		{Method: "GET", Pattern: "/api/v1/users", Role: tenancy.RoleAdmin, Handle: h.listUsers},
		{Method: "DELETE", Pattern: "/api/v1/users/{id}", Role: tenancy.RoleAdmin, Handle: h.deleteUser},
		{Method: "GET", Pattern: "/api/v1/audit", Role: tenancy.RoleAdmin, Handle: h.audit},
	}
}

// ServeHTTP serves a route, or a JSON 404 or 405 when none matches.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if _, pattern := h.mux.Handler(r); pattern != "" {
		h.mux.ServeHTTP(w, r)
		return
	}
	// Let the mux decide between 404 and 405 (and its Allow header), then
	// answer in JSON.
	rec := &statusOnly{header: http.Header{}}
	h.mux.ServeHTTP(rec, r)
	code := CodeNotFound
	if rec.status == http.StatusMethodNotAllowed {
		code = CodeMethodNotAllowed
		w.Header().Set("Allow", rec.header.Get("Allow"))
	}
	writeJSON(w, code.Status(), errorBody{Error: errorDetail{Code: code, Message: code.defaultMessage()}})
}

// statusOnly records the status and headers the mux's fallback writes.
type statusOnly struct {
	header http.Header
	status int
}

func (s *statusOnly) Header() http.Header         { return s.header }
func (s *statusOnly) Write(b []byte) (int, error) { return len(b), nil }
func (s *statusOnly) WriteHeader(code int)        { s.status = code }

// writeJSON writes v as the JSON body with status; nil v writes no body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := marshalBody(v)
	if err != nil {
		status, body = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`+"\n")
	}
	if body != nil {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
