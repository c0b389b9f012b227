package memlimit_test

import (
	"testing"

	"github.com/autonomos/autonomos/tenancy"
	"github.com/autonomos/autonomos/tenancy/memlimit"
	"github.com/autonomos/autonomos/tenancy/tenancytest"
)

func TestConformance(t *testing.T) {
	t.Parallel()
	tenancytest.RunLimiter(t, func(t *testing.T) tenancy.LimitDriver { return memlimit.New() })
}
