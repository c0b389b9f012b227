package kb

import (
	"testing"

	"go.uber.org/goleak"
)

// Bleve's indexes start goroutines; closing them must stop every one. The
// analysis workers are Bleve's own process-wide pool, started at package
// initialization and never stopped.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("github.com/blevesearch/bleve_index_api.AnalysisWorker"))
}
