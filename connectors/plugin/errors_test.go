package plugin

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/autonomos/autonomos/connectors"
)

func TestStatusRoundTripKeepsSentinels(t *testing.T) {
	t.Parallel()
	for _, sentinel := range []error{
		connectors.ErrInvalidConfig,
		connectors.ErrUnauthorized,
		connectors.ErrNotFound,
		connectors.ErrInvalidCursor,
		connectors.ErrUnimplemented,
		context.Canceled,
		context.DeadlineExceeded,
		ErrProtocol,
	} {
		err := fmt.Errorf("jsonapi: object %q: %w", "x", sentinel)
		back := fromStatus(toStatus(err))
		require.ErrorIs(t, back, sentinel)
		require.Equal(t, err.Error(), back.Error(), "the plugin's message is kept as is")
	}
}

func TestStatusUnknownError(t *testing.T) {
	t.Parallel()
	back := fromStatus(toStatus(errors.New("disk on fire \xff")))
	require.Equal(t, "disk on fire \uFFFD", back.Error())
	for _, s := range []error{connectors.ErrNotFound, context.Canceled, ErrExited} {
		require.NotErrorIs(t, back, s)
	}
	require.Nil(t, toStatus(nil))
	require.Nil(t, fromStatus(nil))
}

func TestStatusUnavailableIsExited(t *testing.T) {
	t.Parallel()
	err := fromStatus(status.Error(codes.Unavailable, "error reading from server: EOF"))
	require.ErrorIs(t, err, ErrExited)
	require.Contains(t, err.Error(), "EOF")
}
