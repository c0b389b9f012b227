package plugin

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/autonomos/autonomos/connectors"
)

// Errors of the plugin host; test with errors.Is. Errors a plugin's connector
// returns keep their connectors sentinel (connectors.ErrInvalidConfig,
// ErrUnauthorized, ErrNotFound, ErrInvalidCursor, ErrUnimplemented) and
// context errors keep context.Canceled or context.DeadlineExceeded.
var (
	// ErrChecksumMismatch: the plugin binary's SHA-256 differs from
	// LoadOptions.Checksum; the binary was changed and was not started.
	ErrChecksumMismatch = errors.New("plugin: binary checksum mismatch")
	// ErrExited: the plugin process exited (crashed or was killed) or stopped
	// answering. Load the plugin again to relaunch it.
	ErrExited = errors.New("plugin: plugin process exited")
	// ErrClosed: the Client or Manager was closed.
	ErrClosed = errors.New("plugin: closed")
	// ErrProtocol: the plugin broke the wire protocol (a malformed message,
	// a second Configure).
	ErrProtocol = errors.New("plugin: protocol error")
)

// toStatus turns a connector's error into the gRPC status the plugin process
// returns. It is the one place where errors become codes.
func toStatus(err error) error {
	if err == nil {
		return nil
	}
	code := codes.Unknown
	switch {
	case errors.Is(err, connectors.ErrInvalidConfig):
		code = codes.InvalidArgument
	case errors.Is(err, connectors.ErrUnauthorized):
		code = codes.Unauthenticated
	case errors.Is(err, connectors.ErrNotFound):
		code = codes.NotFound
	case errors.Is(err, connectors.ErrInvalidCursor):
		code = codes.FailedPrecondition
	case errors.Is(err, connectors.ErrUnimplemented):
		code = codes.Unimplemented
	case errors.Is(err, context.Canceled):
		code = codes.Canceled
	case errors.Is(err, context.DeadlineExceeded):
		code = codes.DeadlineExceeded
	case errors.Is(err, ErrProtocol):
		code = codes.Aborted
	}
	return status.Error(code, strings.ToValidUTF8(err.Error(), "\uFFFD"))
}

// remoteError is an error returned by the plugin process: its text as the
// plugin wrote it, unwrapping to the sentinel its status code stands for.
type remoteError struct {
	msg      string
	sentinel error
}

func (e *remoteError) Error() string { return e.msg }
func (e *remoteError) Unwrap() error { return e.sentinel }

// fromStatus turns a gRPC error received from the plugin process back into an
// error wrapping the matching sentinel. It is the inverse of toStatus.
func fromStatus(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	var sentinel error
	switch st.Code() {
	case codes.InvalidArgument:
		sentinel = connectors.ErrInvalidConfig
	case codes.Unauthenticated:
		sentinel = connectors.ErrUnauthorized
	case codes.NotFound:
		sentinel = connectors.ErrNotFound
	case codes.FailedPrecondition:
		sentinel = connectors.ErrInvalidCursor
	case codes.Unimplemented:
		sentinel = connectors.ErrUnimplemented
	case codes.Canceled:
		sentinel = context.Canceled
	case codes.DeadlineExceeded:
		sentinel = context.DeadlineExceeded
	case codes.Unavailable:
		return &remoteError{msg: ErrExited.Error() + ": " + st.Message(), sentinel: ErrExited}
	case codes.Aborted:
		sentinel = ErrProtocol
	default:
		return &remoteError{msg: st.Message()}
	}
	return &remoteError{msg: st.Message(), sentinel: sentinel}
}
