package httpapi

import (
	"context"
	"errors"
	"net/http"

	"github.com/autonomos/autonomos/tenancy"
)

// Code is an API error code, the "code" of an error body.
type Code string

// The API's error codes.
const (
	CodeInvalid          Code = "invalid_argument"
	CodeUnauthorized     Code = "unauthorized"
	CodeForbidden        Code = "forbidden"
	CodeNotFound         Code = "not_found"
	CodeMethodNotAllowed Code = "method_not_allowed"
	CodeConflict         Code = "conflict"
	CodeTooLarge         Code = "payload_too_large"
	CodeUnsupportedMedia Code = "unsupported_media_type"
	CodeMismatch         Code = "idempotency_mismatch"
	CodeRateLimited      Code = "rate_limited"
	CodeInternal         Code = "internal"
	CodeBusy             Code = "busy"
	CodeUnavailable      Code = "unavailable"
)

// Status is the one mapping of error codes to HTTP status codes.
func (c Code) Status() int {
	switch c {
	case CodeInvalid:
		return http.StatusBadRequest
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeNotFound:
		return http.StatusNotFound
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeConflict:
		return http.StatusConflict
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType
	case CodeMismatch:
		return http.StatusUnprocessableEntity
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeBusy, CodeUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// defaultMessage is the message of a code when the error has no client
// message of its own.
func (c Code) defaultMessage() string {
	switch c {
	case CodeInvalid:
		return "invalid request"
	case CodeUnauthorized:
		return "authentication required"
	case CodeForbidden:
		return "your role does not allow this"
	case CodeNotFound:
		return "not found"
	case CodeMethodNotAllowed:
		return "method not allowed"
	case CodeConflict:
		return "conflict"
	case CodeTooLarge:
		return "request body too large"
	case CodeUnsupportedMedia:
		return "request body must be application/json"
	case CodeMismatch:
		return "Idempotency-Key was used with a different request"
	case CodeRateLimited:
		return "rate limit exceeded"
	case CodeBusy:
		return "server busy, retry shortly"
	case CodeUnavailable:
		return "service unavailable"
	}
	return "internal error"
}

// Error is an API error: a code and a message safe for the client.
type Error struct {
	Code    Code
	Message string
}

// Error returns the message.
func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Errorf-like constructor for API errors raised by the HTTP layer itself.
func apiError(c Code, msg string) *Error { return &Error{Code: c, Message: msg} }

// classify returns the code of err and the message to show: the client
// message carried by err when there is one, else the code's default. An
// unknown error is internal and its text is never shown.
func classify(err error) (Code, string) {
	var ae *Error
	if errors.As(err, &ae) {
		return ae.Code, ae.Message
	}
	var c Code
	switch {
	case errors.Is(err, tenancy.ErrInvalid):
		c = CodeInvalid
	case errors.Is(err, tenancy.ErrUnauthorized):
		c = CodeUnauthorized
	case errors.Is(err, tenancy.ErrForbidden):
		c = CodeForbidden
	case errors.Is(err, tenancy.ErrNotFound):
		c = CodeNotFound
	case errors.Is(err, tenancy.ErrConflict):
		c = CodeConflict
	case errors.Is(err, tenancy.ErrMismatch):
		c = CodeMismatch
	case errors.Is(err, tenancy.ErrBusy):
		c = CodeBusy
	case errors.Is(err, tenancy.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		c = CodeUnavailable
	default:
		return CodeInternal, CodeInternal.defaultMessage()
	}
	if m := tenancy.PublicMessage(err); m != "" {
		return c, m
	}
	return c, c.defaultMessage()
}

// errorBody is the JSON of every error response.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
}
