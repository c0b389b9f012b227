package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"regexp"
	"time"

	"github.com/google/uuid"
)

var (
	traceparentRE = regexp.MustCompile(`^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$`)
	requestIDRE   = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
)

const (
	zeroTrace = "00000000000000000000000000000000"
	zeroSpan  = "0000000000000000"
)

// parseTraceparent returns the trace id and flags of a valid W3C
// traceparent (version 00), or ok false.
func parseTraceparent(v string) (traceID, flags string, ok bool) {
	m := traceparentRE.FindStringSubmatch(v)
	if m == nil || m[1] == zeroTrace || m[2] == zeroSpan {
		return "", "", false
	}
	return m[1], m[3], true
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// trace is the chain's first stage: trace context, request id, body
// limit, one log line per request.
func (h *Handler) trace(c *Call, w http.ResponseWriter, next func()) {
	start := time.Now()
	r := c.Request
	traceID, flags, ok := parseTraceparent(r.Header.Get("traceparent"))
	if !ok {
		traceID, flags = randomHex(16), "00"
	}
	spanID := randomHex(8)
	c.TraceID = traceID
	c.RequestID = r.Header.Get("X-Request-Id")
	if !requestIDRE.MatchString(c.RequestID) {
		c.RequestID = uuid.NewString()
	}
	c.w = &recorder{ResponseWriter: w}
	hdr := w.Header()
	hdr.Set("traceparent", "00-"+traceID+"-"+spanID+"-"+flags)
	hdr.Set("X-Request-Id", c.RequestID)
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("X-Content-Type-Options", "nosniff")

	if r.ContentLength > c.maxBytes {
		h.fail(c, apiError(CodeTooLarge, CodeTooLarge.defaultMessage()))
	} else {
		r.Body = http.MaxBytesReader(c.w, r.Body, c.maxBytes)
		next()
	}
	attrs := []any{
		"request_id", c.RequestID, "trace_id", traceID, "span_id", spanID,
		"method", r.Method, "route", c.route.Pattern, "status", c.w.status,
		"duration_ms", float64(time.Since(start).Microseconds()) / 1000,
	}
	if c.Principal != nil {
		attrs = append(attrs, "tenant_id", c.Principal.TenantID.String(), "user_id", c.Principal.UserID.String())
	}
	h.log.Info("http request", attrs...)
}
