package httpapi

import (
	"bytes"
	"context"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/autonomos/autonomos/tenancy"
)

// chain builds the gateway chain around one route.
func (h *Handler) chain(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &Call{Request: r, route: rt, maxBytes: h.opts.MaxBodyBytes}
		h.trace(c, w, func() {
			if rt.Role != "" && !h.authenticate(c) {
				return
			}
			h.audited(c, func() {
				if rt.Role != "" && (!h.authorize(c) || !h.rateLimit(c)) {
					return
				}
				h.idempotent(c, func() { h.run(c) })
			})
		})
	})
}

// run calls the route's handler and writes its result.
func (h *Handler) run(c *Call) {
	status, v, err := c.route.Handle(c)
	if err != nil {
		h.fail(c, err)
		return
	}
	writeJSON(c.w, status, v)
}

// fail writes err as the JSON error body; an internal error is logged with
// the request id and shown as "internal error".
func (h *Handler) fail(c *Call, err error) {
	code, msg := classify(err)
	if code == CodeInternal {
		h.log.Error("httpapi: internal error", "request_id", c.RequestID, "route", c.route.Pattern, "error", err)
	}
	if code == CodeUnauthorized {
		c.w.Header().Set("WWW-Authenticate", `Bearer realm="autonomos"`)
	}
	if code == CodeBusy {
		c.w.Header().Set("Retry-After", "1")
	}
	writeJSON(c.w, code.Status(), errorBody{Error: errorDetail{Code: code, Message: msg}})
}

// authenticate verifies the bearer token; it answers 401 itself.
func (h *Handler) authenticate(c *Call) bool {
	authz := c.Request.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(authz, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || len(token) > tenancy.MaxTokenBytes {
		h.fail(c, apiError(CodeUnauthorized, "a Bearer token is required"))
		return false
	}
	claims, reason, err := h.svc.Authenticator().VerifyReason(strings.TrimSpace(token))
	if err != nil {
		h.log.Info("httpapi: token refused", "request_id", c.RequestID, "reason", reason)
		h.fail(c, err)
		return false
	}
	c.Principal = &claims
	return true
}

// authorize checks the route's least role; it answers 403 itself.
func (h *Handler) authorize(c *Call) bool {
	if c.Principal.Role.Allows(c.route.Role) {
		return true
	}
	h.fail(c, apiError(CodeForbidden, "this needs the "+string(c.route.Role)+" role"))
	return false
}

// rateLimit applies the tenant's limit and sets the RateLimit headers
// (draft-ietf-httpapi-ratelimit-headers); it answers 429 or 503 itself.
func (h *Handler) rateLimit(c *Call) bool {
	d, err := h.limit.Allow(c.Request.Context(), c.Principal.TenantID)
	if err != nil {
		h.fail(c, err)
		return false
	}
	hdr := c.w.Header()
	hdr.Set("RateLimit-Policy", `"default";q=`+strconv.Itoa(d.Limit)+`;w=60`)
	hdr.Set("RateLimit", `"default";r=`+strconv.Itoa(d.Remaining)+`;t=`+strconv.Itoa(ceilSeconds(d.ResetAfter)))
	if d.Allowed {
		return true
	}
	c.w.Header().Set("Retry-After", strconv.Itoa(max(1, ceilSeconds(d.RetryAfter))))
	h.fail(c, apiError(CodeRateLimited, "rate limit of "+strconv.Itoa(d.Limit)+" requests per minute exceeded"))
	return false
}

func ceilSeconds(d time.Duration) int { return int(math.Ceil(d.Seconds())) }

// idemState is the idempotency claim of a call.
type idemState struct {
	key string
	// inTx: the handler's store wrote the completion with its side effect.
	inTx bool
}

// idempotent applies Idempotency-Key on POST, PUT and PATCH of an
// authenticated caller.
func (h *Handler) idempotent(c *Call, next func()) {
	key := c.Request.Header.Get("Idempotency-Key")
	m := c.Request.Method
	if key == "" || c.Principal == nil || (m != http.MethodPost && m != http.MethodPut && m != http.MethodPatch) {
		next()
		return
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		h.fail(c, bodyError(err))
		return
	}
	c.Request.Body = io.NopCloser(bytes.NewReader(body))
	ctx := c.Request.Context()
	tenant := c.Principal.TenantID
	stored, err := h.svc.ClaimIdempotencyKey(ctx, tenant, key, tenancy.RequestHash(m, c.Request.URL.Path, body))
	if err != nil {
		h.fail(c, err)
		return
	}
	if stored != nil {
		c.w.Header().Set("Idempotent-Replayed", "true")
		if len(stored.Body) > 0 {
			c.w.Header().Set("Content-Type", "application/json")
		}
		c.w.WriteHeader(stored.Status)
		_, _ = c.w.Write(stored.Body)
		return
	}
	c.idem = &idemState{key: key}
	c.w.capture = true
	finished := false
	defer func() {
		// A panic or an unstored response releases the key, so a retry
		// runs the request again rather than hanging on 409.
		if finished {
			return
		}
		if err := h.svc.ReleaseIdempotencyKey(context.WithoutCancel(ctx), tenant, key); err != nil {
			h.log.Error("httpapi: release idempotency key", "request_id", c.RequestID, "error", err)
		}
	}()
	next()
	status := c.w.status
	switch {
	case c.idem.inTx && status < 300:
		finished = true
	case status >= 500 || c.w.overflow:
		// Not stored: released by the deferred function.
	default:
		err := h.svc.CompleteIdempotencyKey(context.WithoutCancel(ctx), tenancy.Completion{
			TenantID: tenant, Key: key, Status: status, Body: c.w.body.Bytes()})
		if err != nil {
			h.log.Error("httpapi: store idempotent response", "request_id", c.RequestID, "error", err)
			return
		}
		finished = true
	}
}

// audited writes one audit row after a mutating call, whatever its
// outcome, except a rate-limit refusal. The row goes to the caller's
// tenant, or to the tenant a public route named (register, login).
func (h *Handler) audited(c *Call, next func()) {
	if !c.route.mutating() {
		next()
		return
	}
	next()
	status := c.w.status
	tenant, user := c.tenant, c.user
	if c.Principal != nil {
		tenant, user = c.Principal.TenantID, c.Principal.UserID.String()
	}
	if status == http.StatusTooManyRequests || tenant == [16]byte{} {
		return
	}
	outcome := "failure"
	switch {
	case status < 400:
		outcome = "success"
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusNotFound:
		outcome = "denied"
	}
	e := tenancy.AuditEntry{
		TenantID: tenant, UserID: user, Action: c.route.Method + " " + c.route.Pattern,
		Target: c.target, RequestID: c.RequestID, Outcome: outcome, Status: status,
		ClientIP: clientIP(c.Request),
	}
	if err := h.svc.Audit(context.WithoutCancel(c.Request.Context()), e); err != nil {
		// The response is out; losing the row must at least be loud.
		h.log.Error("httpapi: audit row not written", "request_id", c.RequestID, "action", e.Action, "error", err)
	}
}
