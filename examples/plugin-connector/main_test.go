package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/connectors/plugin"
	"github.com/autonomos/autonomos/examples/plugin-connector/fakeapi"
)

// The plugin binary, built once from this package for the tests.
var (
	bin    string
	binSum []byte
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "plugin-connector-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	bin = filepath.Join(dir, "plugin-connector")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		return 1
	}
	if binSum, err = plugin.FileChecksum(bin); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintf(os.Stderr, "goleak: %v\n", err)
			return 1
		}
	}
	return code
}

// TestConformance runs the conformance suite on the connector as a plugin
// process, loaded the way a host loads it.
func TestConformance(t *testing.T) {
	const token = "tok-0123456789abcdef"
	srv := httptest.NewServer(fakeapi.New(token, map[string][]map[string]any{
		"customers": fakeapi.Customers(250),
	}))
	defer srv.Close()
	connectortest.Run(t, connectortest.Harness{
		New: func(ctx context.Context, cfg connectors.Config) (connectors.Connector, error) {
			return plugin.Load(ctx, bin, &plugin.LoadOptions{Checksum: binSum, Config: cfg})
		},
		Config: connectors.Config{"base_url": srv.URL, "token": token, "page_size": "40"},
		BadConfigs: map[string]connectors.Config{
			"wrong token":      {"base_url": srv.URL, "token": "wrong-token-value"},
			"not a url":        {"base_url": "not a url", "token": token},
			"unreachable host": {"base_url": "http://127.0.0.1:1", "token": token, "timeout": "2s"},
		},
		Object:     "customers",
		MinRecords: 250,
	})
}
