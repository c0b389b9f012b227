package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/tenancy"
)

// Call is one request on its way through the gateway chain: what the chain
// learned (request id, trace, principal) and what the route tells the
// audit and idempotency stages.
type Call struct {
	// Request is the HTTP request; its body is limited.
	Request *http.Request
	// RequestID identifies the request in logs, audit rows and the
	// X-Request-Id response header.
	RequestID string
	// TraceID is the W3C trace id.
	TraceID string
	// Principal is the verified token's claims; nil on public routes.
	Principal *tenancy.Claims

	w        *recorder
	route    Route
	target   string
	tenant   uuid.UUID // audit tenant of a public route (register, login)
	user     string    // audit user of a public route
	idem     *idemState
	maxBytes int64
}

// Tenant returns the caller's tenant (uuid.Nil on public routes).
func (c *Call) Tenant() uuid.UUID {
	if c.Principal == nil {
		return uuid.Nil
	}
	return c.Principal.TenantID
}

// SetTarget names the object the call acts on, for the audit row.
func (c *Call) SetTarget(target string) { c.target = target }

// setActor names the tenant and user of a public route's audit row.
func (c *Call) setActor(tenant, user uuid.UUID) {
	c.tenant, c.user = tenant, user.String()
}

// Complete returns the idempotency completion a store must write in the
// same transaction as the call's side effect, for a response of status
// with body v; nil when the call has no Idempotency-Key. If the handler
// then returns without error, the chain takes the key as completed.
func (c *Call) Complete(status int, v any) *tenancy.Completion {
	if c.idem == nil {
		return nil
	}
	body, err := marshalBody(v)
	if err != nil {
		return nil
	}
	c.idem.inTx = true
	return &tenancy.Completion{TenantID: c.Tenant(), Key: c.idem.key, Status: status, Body: body}
}

// Decode reads the JSON request body into v: the media type must be
// application/json, unknown fields and trailing data are refused, and a
// body over the limit is 413.
func (c *Call) Decode(v any) error {
	if ct := c.Request.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || mt != "application/json" {
			return apiError(CodeUnsupportedMedia, CodeUnsupportedMedia.defaultMessage())
		}
	}
	return decodeJSON(c.Request.Body, v)
}

// decodeJSON decodes exactly one JSON value with no unknown fields.
func decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			return bodyError(err)
		}
		return apiError(CodeInvalid, "request body must hold a single JSON value")
	}
	return nil
}

// bodyError turns a decoding failure into a client error without echoing
// the body.
func bodyError(err error) error {
	var tooLarge *http.MaxBytesError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &tooLarge):
		return apiError(CodeTooLarge, CodeTooLarge.defaultMessage())
	case errors.Is(err, io.EOF):
		return apiError(CodeInvalid, "request body is empty")
	case errors.As(err, &syntax), errors.Is(err, io.ErrUnexpectedEOF):
		return apiError(CodeInvalid, "request body is not valid JSON")
	case errors.As(err, &typ):
		return apiError(CodeInvalid, "request body field "+quoteField(typ.Field)+" has the wrong type")
	}
	// json reports unknown fields as `json: unknown field "x"`.
	const unknown = "json: unknown field "
	if msg := err.Error(); len(msg) > len(unknown) && msg[:len(unknown)] == unknown && len(msg) < 200 {
		return apiError(CodeInvalid, "request body has an unknown field "+msg[len(unknown):])
	}
	return apiError(CodeInvalid, "request body is not valid JSON")
}

func quoteField(f string) string {
	if len(f) > 100 {
		f = f[:100]
	}
	b, _ := json.Marshal(f)
	return string(b)
}

func marshalBody(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// clientIP is the peer address of the connection (no proxy header is
// trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// recorder is the ResponseWriter the chain hands down: it records the
// status and, while capture is on, a copy of the body (up to a bound) for
// the idempotency store.
type recorder struct {
	http.ResponseWriter
	status   int
	capture  bool
	body     bytes.Buffer
	overflow bool
}

// maxStoredResponse bounds a response kept for idempotent replay.
const maxStoredResponse = 1 << 20

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if r.capture && !r.overflow {
		if r.body.Len()+len(b) > maxStoredResponse {
			r.overflow = true
		} else {
			r.body.Write(b)
		}
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
