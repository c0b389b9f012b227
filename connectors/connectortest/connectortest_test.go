package connectortest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// memConnector serves one object of n records from memory. Its bug field
// breaks it in one way, to show the suite notices.
type memConnector struct {
	connectors.UnimplementedConnector
	n   int
	bug string
}

func newMem(cfg connectors.Config, bug string) (connectors.Connector, error) {
	if err := memSpec().ValidateConfig(cfg); err != nil {
		return nil, err
	}
	if cfg["token"] != "s3cret-token" {
		if bug == "echoes secret" {
			return nil, fmt.Errorf("%w: mem: token %q refused", connectors.ErrUnauthorized, cfg["token"])
		}
		return nil, fmt.Errorf("%w: mem: token refused", connectors.ErrUnauthorized)
	}
	n, _ := strconv.Atoi(memSpec().Get(cfg, "records"))
	return &memConnector{n: n, bug: bug}, nil
}

func memSpec() connectors.Spec {
	return connectors.Spec{Name: "mem", Version: "1.0.0", Params: []connectors.Param{
		{Name: "token", Type: connectors.ParamString, Required: true, Secret: true},
		{Name: "records", Type: connectors.ParamInt, Default: "12"},
	}}
}

func (m *memConnector) Spec() connectors.Spec       { return memSpec() }
func (m *memConnector) Check(context.Context) error { return nil }

func (m *memConnector) Discover(context.Context) (*connectors.Catalog, error) {
	return &connectors.Catalog{Objects: []connectors.Object{{
		Schema: canonical.SourceSchema{System: "mem", Object: "items", Fields: []canonical.SourceField{
			{Name: "id", Type: canonical.TypeInteger, Samples: []any{int64(1)}},
			{Name: "name", Type: canonical.TypeString},
		}},
		PrimaryKey: []string{"id"},
	}}}, nil
}

func (m *memConnector) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	if req.Object != "items" && m.bug != "unknown object" {
		return fmt.Errorf("mem: object %q: %w", req.Object, connectors.ErrNotFound)
	}
	start := 0
	if req.Cursor != "" {
		i, err := strconv.Atoi(strings.TrimPrefix(string(req.Cursor), "mem:"))
		if err != nil || !strings.HasPrefix(string(req.Cursor), "mem:") {
			return fmt.Errorf("%w: mem: %q", connectors.ErrInvalidCursor, req.Cursor)
		}
		start = i
		if m.bug == "resume repeats" {
			start--
		}
	}
	for i := start; i < m.n; i++ {
		if err := ctx.Err(); err != nil && m.bug != "ignores cancel" {
			return fmt.Errorf("mem: read: %w", err)
		}
		r := connectors.Record{
			ID:     strconv.Itoa(i + 1),
			Fields: map[string]any{"id": int64(i + 1), "name": "item " + strconv.Itoa(i+1)},
			Cursor: connectors.Cursor("mem:" + strconv.Itoa(i+1)),
		}
		if err := emit(r); err != nil {
			if m.bug == "swallows emit error" {
				continue
			}
			return err
		}
	}
	return nil
}

func harness(bug string) connectortest.Harness {
	return connectortest.Harness{
		New: func(_ context.Context, cfg connectors.Config) (connectors.Connector, error) {
			return newMem(cfg, bug)
		},
		Config: connectors.Config{"token": "s3cret-token"},
		BadConfigs: map[string]connectors.Config{
			"wrong token": {"token": "wrong-token-value"},
			"bad count":   {"token": "s3cret-token", "records": "many"},
		},
		Object: "items",
	}
}

func TestSuitePassesCorrectConnector(t *testing.T) {
	connectortest.Run(t, harness(""))
}

// TestSuiteCatchesBugs runs the suite on broken connectors in a child
// process (a failing suite fails its test) and checks each is caught by the
// check that names the bug.
func TestSuiteCatchesBugs(t *testing.T) {
	if bug := os.Getenv("CONNECTORTEST_BUG"); bug != "" {
		connectortest.Run(t, harness(bug))
		return
	}
	t.Parallel()
	for bug, check := range map[string]string{
		"resume repeats":      "--- FAIL: TestSuiteCatchesBugs/Resume",
		"ignores cancel":      "--- FAIL: TestSuiteCatchesBugs/Cancel",
		"unknown object":      "--- FAIL: TestSuiteCatchesBugs/UnknownObject",
		"swallows emit error": "--- FAIL: TestSuiteCatchesBugs/EmitError",
		"echoes secret":       "--- FAIL: TestSuiteCatchesBugs/BadConfigs/wrong_token",
	} {
		t.Run(bug, func(t *testing.T) {
			t.Parallel()
			requireSuiteFails(t, "TestSuiteCatchesBugs", "CONNECTORTEST_BUG", bug, check)
		})
	}
}

// requireSuiteFails runs test in a child process with env=bug and checks
// that it fails, in the check named by the line check.
func requireSuiteFails(t *testing.T, test, env, bug, check string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+test+"$", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+bug)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.True(t, errors.As(err, &exit), "the suite passed a connector that %s:\n%s", bug, out)
	require.Contains(t, string(out), check, "the suite did not fail the check for %q", bug)
}
