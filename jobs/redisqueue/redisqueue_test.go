package redisqueue_test

import (
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/internal/testenv"
	"github.com/autonomos/autonomos/jobs"
	"github.com/autonomos/autonomos/jobs/jobstest"
	"github.com/autonomos/autonomos/jobs/redisqueue"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func newDriver(t *testing.T) *redisqueue.Driver {
	t.Helper()
	r := testenv.NewRedis(t)
	d, err := redisqueue.New(r.Client, &redisqueue.Options{Prefix: r.Prefix})
	require.NoError(t, err)
	return d
}

func TestConformance(t *testing.T) {
	t.Parallel()
	jobstest.Run(t, func(t *testing.T) jobs.Driver { return newDriver(t) })
}

func TestNewValidates(t *testing.T) {
	t.Parallel()
	_, err := redisqueue.New(nil, nil)
	require.ErrorIs(t, err, jobs.ErrInvalid)
	r := testenv.NewRedis(t)
	_, err = redisqueue.New(r.Client, &redisqueue.Options{Prefix: "a{b}"})
	require.ErrorIs(t, err, jobs.ErrInvalid)
	require.ErrorContains(t, err, "Options.Prefix")
}
