package plugin_test

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/connectors/plugin"
)

// hostOnlyVar is set in the test process's environment; no plugin may see it.
const hostOnlyVar = "AUTONOMOS_TEST_HOST_ONLY"

// Plugin binaries built once for the whole test binary.
var (
	testPlugin    string // the test connector (internal/testplugin)
	testPluginSum []byte
	examplePlugin string // the example JSON API connector
	exampleSum    []byte
	binDir        string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	if os.Getenv(hostModeVar) == "1" {
		return hostMode()
	}
	var err error
	binDir, err = os.MkdirTemp("", "plugin-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(binDir)
	if testPlugin, testPluginSum, err = build("./internal/testplugin", "testplugin"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if examplePlugin, exampleSum, err = build("../../examples/plugin-connector", "plugin-connector"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if err := os.Setenv(hostOnlyVar, "host-secret-value"); err != nil {
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

// hostModeVar makes the test binary act as a plugin host that loads the
// plugin named by PLUGINTEST_PATH and PLUGINTEST_SUM, prints the plugin's
// PID and waits to be killed (see TestHostDeathKillsPlugin).
const hostModeVar = "PLUGINTEST_HOST_MODE"

func hostMode() int {
	sum, err := hex.DecodeString(os.Getenv("PLUGINTEST_SUM"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	c, err := plugin.Load(context.Background(), os.Getenv("PLUGINTEST_PATH"), &plugin.LoadOptions{Checksum: sum})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Println(c.PID())
	// Wait for the test to kill this process; it never closes c.
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

func build(pkg, name string) (string, []byte, error) {
	out := filepath.Join(binDir, name)
	cmd := exec.Command("go", "build", "-o", out, pkg)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("go build %s: %v\n%s", pkg, err, b)
	}
	sum, err := plugin.FileChecksum(out)
	if err != nil {
		return "", nil, err
	}
	return out, sum, nil
}
