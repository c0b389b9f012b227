package plugin_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/connectors/plugin"
	"github.com/autonomos/autonomos/connectors/plugin/internal/testconnector"
	"github.com/autonomos/autonomos/examples/plugin-connector/jsonapi"
)

// load starts the test plugin with cfg; it is closed when the test ends.
func load(t *testing.T, cfg connectors.Config, env ...string) *plugin.Client {
	t.Helper()
	c, err := plugin.Load(context.Background(), testPlugin, &plugin.LoadOptions{
		Checksum: testPluginSum,
		Config:   cfg,
		Env:      env,
	})
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// readAll reads object to its end.
func readAll(ctx context.Context, c connectors.Connector, object string) ([]connectors.Record, error) {
	return connectortest.ReadAll(ctx, c, connectors.ReadRequest{Object: object})
}

// gone reports whether process pid no longer exists: exited and reaped
// (a zombie still has its /proc entry, in state Z).
func gone(pid int) bool {
	_, err := os.Stat("/proc/" + strconv.Itoa(pid))
	return errors.Is(err, os.ErrNotExist)
}

// state returns the one-letter state of process pid from /proc, or "" when
// it does not exist.
func state(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	// pid (comm) S ...; comm may hold spaces, so split after the last ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 || i+2 >= len(s) {
		return ""
	}
	return s[i+2 : i+3]
}

func TestConformanceTestPlugin(t *testing.T) {
	connectortest.Run(t, connectortest.Harness{
		New: func(ctx context.Context, cfg connectors.Config) (connectors.Connector, error) {
			return plugin.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum, Config: cfg})
		},
		Config: connectors.Config{"rows": "2000", "token": "good-token"},
		BadConfigs: map[string]connectors.Config{
			"rows not a number": {"rows": "many", "token": "good-token"},
			"negative rows":     {"rows": "-1"},
			"unknown parameter": {"colour": "blue"},
			"refused token":     {"token": "bad-token"},
		},
		Object:     testconnector.ObjectRows,
		MinRecords: 2000,
	})
}

func TestLoadRequiresChecksum(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for name, opts := range map[string]*plugin.LoadOptions{
		"nil options":    nil,
		"empty checksum": {},
		"short checksum": {Checksum: testPluginSum[:16]},
	} {
		_, err := plugin.Load(ctx, testPlugin, opts)
		require.ErrorContains(t, err, "LoadOptions.Checksum", name)
	}
}

func TestLoadRefusesBadOptions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := plugin.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum, Env: []string{"NOEQUALS"}})
	require.ErrorContains(t, err, "LoadOptions.Env")
	_, err = plugin.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum, Env: []string{plugin.MagicCookieKey + "=x"}})
	require.ErrorContains(t, err, "LoadOptions.Env")
	_, err = plugin.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum, StartTimeout: -1})
	require.ErrorContains(t, err, "LoadOptions.StartTimeout")
	_, err = plugin.Load(ctx, "", &plugin.LoadOptions{Checksum: testPluginSum})
	require.Error(t, err)
	_, err = plugin.Load(ctx, filepath.Join(t.TempDir(), "missing"), &plugin.LoadOptions{Checksum: testPluginSum})
	require.ErrorContains(t, err, "no such file")
}

func TestTamperedBinaryIsRefused(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "testplugin")
	data, err := os.ReadFile(testPlugin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(bin, data, 0o700))
	sum, err := plugin.FileChecksum(bin)
	require.NoError(t, err)
	require.Equal(t, testPluginSum, sum)

	// One byte appended after the checksum was taken.
	f, err := os.OpenFile(bin, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.Write([]byte{0})
	require.NoError(t, err)
	require.NoError(t, f.Close())

	_, err = plugin.Load(context.Background(), bin, &plugin.LoadOptions{Checksum: sum})
	require.ErrorIs(t, err, plugin.ErrChecksumMismatch)
	require.Contains(t, err.Error(), "checksum mismatch")
}

func TestTamperedBinaryNeverRuns(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	marker := filepath.Join(dir, "ran")
	script := filepath.Join(dir, "plugin.sh")
	// A binary swapped for a script that would leave a mark if it ran.
	require.NoError(t, os.WriteFile(script, []byte("#!/bin/sh\ntouch "+marker+"\n"), 0o700))
	_, err := plugin.Load(context.Background(), script, &plugin.LoadOptions{Checksum: testPluginSum})
	require.ErrorIs(t, err, plugin.ErrChecksumMismatch)
	_, statErr := os.Stat(marker)
	require.ErrorIs(t, statErr, os.ErrNotExist, "the refused binary was started")
}

// script writes an executable shell script and returns its path and
// checksum.
func script(t *testing.T, body string) (string, []byte) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plugin.sh")
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o700))
	sum, err := plugin.FileChecksum(path)
	require.NoError(t, err)
	return path, sum
}

func TestNotAPluginFailsPromptly(t *testing.T) {
	t.Parallel()
	bin, sum := script(t, "echo hello; exit 0")
	start := time.Now()
	_, err := plugin.Load(context.Background(), bin, &plugin.LoadOptions{Checksum: sum})
	require.Error(t, err)
	require.Less(t, time.Since(start), 10*time.Second, "Load waited for StartTimeout instead of seeing the exit")
}

func TestSilentPluginTimesOutAndIsReaped(t *testing.T) {
	t.Parallel()
	pidFile := filepath.Join(t.TempDir(), "pid")
	bin, sum := script(t, "echo $$ > "+pidFile+"; exec /bin/sleep 60")
	_, err := plugin.Load(context.Background(), bin, &plugin.LoadOptions{Checksum: sum, StartTimeout: 500 * time.Millisecond})
	require.ErrorContains(t, err, "timeout")
	b, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	require.NoError(t, err)
	require.True(t, gone(pid), "the silent plugin is left in state %q", state(pid))
}

func TestLoadHonoursContextDeadline(t *testing.T) {
	t.Parallel()
	bin, sum := script(t, "exec /bin/sleep 60")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := plugin.Load(ctx, bin, &plugin.LoadOptions{Checksum: sum})
	require.Error(t, err)
	require.Less(t, time.Since(start), 10*time.Second)
}

func TestConfigRefusedByPlugin(t *testing.T) {
	t.Parallel()
	_, err := plugin.Load(context.Background(), testPlugin, &plugin.LoadOptions{
		Checksum: testPluginSum,
		Config:   connectors.Config{"rows": "lots", "token": "s3cret-value"},
	})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	require.Contains(t, err.Error(), `"rows"`)
	require.NotContains(t, err.Error(), "s3cret-value")
}

func TestSpecCrossesTheBoundary(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	require.Equal(t, testconnector.Spec(), c.Spec())
	require.Positive(t, c.PID())
	require.Equal(t, testPlugin, c.Path())
}

func TestDescribeNeedsNoConfig(t *testing.T) {
	t.Parallel()
	// The example plugin refuses an empty configuration, yet describes
	// itself.
	spec, err := plugin.Describe(context.Background(), examplePlugin, &plugin.LoadOptions{Checksum: exampleSum})
	require.NoError(t, err)
	require.Equal(t, jsonapi.Spec(), spec)
	_, err = plugin.Load(context.Background(), examplePlugin, &plugin.LoadOptions{Checksum: exampleSum})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	_, err = plugin.Describe(context.Background(), examplePlugin, &plugin.LoadOptions{Checksum: testPluginSum})
	require.ErrorIs(t, err, plugin.ErrChecksumMismatch)
}

func TestDiscoverCrossesTheBoundary(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	ctx := context.Background()
	got, err := c.Discover(ctx)
	require.NoError(t, err)
	local, err := testconnector.New(nil)
	require.NoError(t, err)
	want, err := local.Discover(ctx)
	require.NoError(t, err)
	require.Equal(t, want, got)
}

func TestUnauthorizedCrossesTheBoundary(t *testing.T) {
	t.Parallel()
	c := load(t, connectors.Config{"token": "bad-token"})
	err := c.Check(context.Background())
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.NotContains(t, err.Error(), "bad-token")
}

func TestValueTypesSurvive(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	recs, err := readAll(context.Background(), c, testconnector.ObjectTypes)
	require.NoError(t, err)
	require.Len(t, recs, 1)
	in := testconnector.TypesRecord()
	want := map[string]any{}
	for k, v := range in.Fields {
		want[k] = v
	}
	// Kinds without a JSON number or object form arrive in their
	// encoding/json form; the rest keep their Go kind (widened).
	want["invalid"] = "a\uFFFDb"
	want["bytes"] = "AAEC/w=="
	want["time"] = "2026-01-02T03:04:05.000000006Z"
	want["int32"] = int64(12)
	want["float32"] = 0.5
	want["raw_json"] = []any{"s"}
	require.Equal(t, connectors.Record{ID: in.ID, Cursor: in.Cursor, Fields: want}, recs[0])
}

func TestEnvironmentIsNotInherited(t *testing.T) {
	t.Parallel()
	require.NotEmpty(t, os.Getenv(hostOnlyVar))
	c := load(t, nil, "ALLOWED_VAR=passed")
	recs, err := readAll(context.Background(), c, testconnector.ObjectEnv)
	require.NoError(t, err)
	env := map[string]string{}
	for _, r := range recs {
		k, v, _ := strings.Cut(r.Fields["kv"].(string), "=")
		env[k] = v
	}
	require.Equal(t, "passed", env["ALLOWED_VAR"])
	require.NotContains(t, env, hostOnlyVar)
	require.NotContains(t, env, "PATH")
	require.NotContains(t, env, "HOME")
	for k := range env {
		if k == "ALLOWED_VAR" || k == plugin.MagicCookieKey || strings.HasPrefix(k, "PLUGIN_") {
			continue
		}
		t.Errorf("the plugin sees the variable %q it was not given", k)
	}
}

func TestCancelReachesThePlugin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := load(t, connectors.Config{"marker_dir": dir})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var cancelled time.Time
	err := c.Read(ctx, connectors.ReadRequest{Object: testconnector.ObjectBlock}, func(connectors.Record) error {
		cancelled = time.Now()
		cancel()
		return nil
	})
	require.ErrorIs(t, err, context.Canceled)
	require.Less(t, time.Since(cancelled), 5*time.Second)
	requireMarker(t, dir, "context canceled")
}

func TestDeadlineReachesThePlugin(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	c := load(t, connectors.Config{"marker_dir": dir})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	hostDeadline, _ := ctx.Deadline()
	var pluginDeadline any
	err := c.Read(ctx, connectors.ReadRequest{Object: testconnector.ObjectBlock}, func(r connectors.Record) error {
		pluginDeadline = r.Fields["deadline"]
		return nil
	})
	require.ErrorIs(t, err, context.DeadlineExceeded)

	// The plugin's context carried the deadline. gRPC sends the time left,
	// so the plugin's clock puts it later by the time in transit.
	require.IsType(t, int64(0), pluginDeadline, "the plugin's read context had no deadline")
	d := time.Unix(0, pluginDeadline.(int64))
	require.WithinRange(t, d, hostDeadline.Add(-time.Second), hostDeadline.Add(time.Second))

	// The plugin saw its context end: by its own deadline, or by the host
	// cancelling the stream when the host's deadline fired first.
	got := waitMarker(t, dir)
	require.Contains(t, []string{"context deadline exceeded", "context canceled"}, got)
}

// requireMarker waits for the block object's report of how its context
// ended, written in the plugin process, and checks it is want.
func requireMarker(t *testing.T, dir, want string) {
	t.Helper()
	require.Equal(t, want, waitMarker(t, dir))
}

func waitMarker(t *testing.T, dir string) string {
	t.Helper()
	var got []byte
	require.Eventually(t, func() bool {
		var err error
		got, err = os.ReadFile(filepath.Join(dir, "cancelled"))
		return err == nil && len(got) > 0
	}, 10*time.Second, 10*time.Millisecond, "the plugin never saw its context end")
	return string(got)
}

func TestKilledMidReadFailsPromptlyAndIsReaped(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	pid := c.PID()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	first := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.Read(ctx, connectors.ReadRequest{Object: testconnector.ObjectBlock}, func(connectors.Record) error {
			close(first)
			return nil
		})
	}()
	<-first
	killed := time.Now()
	require.NoError(t, syscall.Kill(pid, syscall.SIGKILL))
	var err error
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not return within 10s of the plugin being killed")
	}
	t.Logf("Read returned %v after the kill: %v", time.Since(killed), err)
	require.ErrorIs(t, err, plugin.ErrExited)
	require.NotErrorIs(t, err, context.Canceled)

	// The host reaps the process: no zombie is left.
	require.Eventually(t, func() bool { return gone(pid) }, 10*time.Second, 10*time.Millisecond,
		"process %d is still there in state %q", pid, state(pid))
	require.Eventually(t, c.Exited, 10*time.Second, 10*time.Millisecond)

	// Later calls fail at once, Close is clean, and the plugin relaunches.
	require.ErrorIs(t, c.Check(ctx), plugin.ErrExited)
	require.NoError(t, c.Close())
	again := load(t, connectors.Config{"rows": "50"})
	require.NotEqual(t, pid, again.PID())
	recs, err := readAll(ctx, again, testconnector.ObjectRows)
	require.NoError(t, err)
	require.Len(t, recs, 50)
}

func TestCrashMidReadFailsPromptly(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	pid := c.PID()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := readAll(ctx, c, testconnector.ObjectCrash)
	require.ErrorIs(t, err, plugin.ErrExited)
	require.NoError(t, ctx.Err(), "Read returned only when the test's deadline passed")
	require.Eventually(t, func() bool { return gone(pid) }, 10*time.Second, 10*time.Millisecond)
	require.NoError(t, c.Close())
}

func TestCloseKillsAndReaps(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	pid := c.PID()
	require.NotEmpty(t, state(pid), "the plugin process is not running")
	require.NoError(t, c.Close())
	require.True(t, gone(pid), "process %d is left in state %q after Close", pid, state(pid))
	require.True(t, c.Exited())
	require.NoError(t, c.Close(), "second Close")

	ctx := context.Background()
	require.ErrorIs(t, c.Check(ctx), plugin.ErrClosed)
	_, err := c.Discover(ctx)
	require.ErrorIs(t, err, plugin.ErrClosed)
	_, err = readAll(ctx, c, testconnector.ObjectRows)
	require.ErrorIs(t, err, plugin.ErrClosed)
}

func TestCloseDuringReadEndsIt(t *testing.T) {
	t.Parallel()
	c := load(t, nil)
	first := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- c.Read(context.Background(), connectors.ReadRequest{Object: testconnector.ObjectBlock}, func(connectors.Record) error {
			close(first)
			return nil
		})
	}()
	<-first
	require.NoError(t, c.Close())
	select {
	case err := <-done:
		require.Error(t, err)
		require.True(t, errors.Is(err, plugin.ErrClosed) || errors.Is(err, plugin.ErrExited), "%v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("Read did not return after Close")
	}
}

func TestHostDeathKillsPlugin(t *testing.T) {
	t.Parallel()
	// A host process that dies without closing its plugin (SIGKILL).
	host := exec.Command(os.Args[0], "-test.run=^$")
	host.Env = append(os.Environ(), hostModeVar+"=1",
		"PLUGINTEST_PATH="+testPlugin, "PLUGINTEST_SUM="+hex.EncodeToString(testPluginSum))
	stdin, err := host.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close()
	stdout, err := host.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, host.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err)
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	require.NoError(t, err)
	require.NotEmpty(t, state(pid), "the plugin is not running")

	require.NoError(t, host.Process.Kill())
	_ = host.Wait()
	// The plugin dies with its host. (Its new parent reaps it, or, in a
	// container whose init does not reap, it stays a zombie: dead either
	// way.)
	require.Eventually(t, func() bool {
		s := state(pid)
		return s == "" || s == "Z"
	}, 10*time.Second, 10*time.Millisecond, "the plugin outlived its host: state %q", state(pid))
}

func TestManagerShutdownKillsAll(t *testing.T) {
	t.Parallel()
	m := plugin.NewManager()
	ctx := context.Background()
	var pids []int
	for range 3 {
		c, err := m.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum})
		require.NoError(t, err)
		pids = append(pids, c.PID())
	}
	// A Client closed by its user is no longer tracked.
	c, err := m.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum})
	require.NoError(t, err)
	require.Equal(t, 4, m.Len())
	require.NoError(t, c.Close())
	require.Equal(t, 3, m.Len())

	require.NoError(t, m.Shutdown(ctx))
	for _, pid := range pids {
		require.True(t, gone(pid), "process %d is left in state %q after Shutdown", pid, state(pid))
	}
	require.Zero(t, m.Len())
	_, err = m.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum})
	require.ErrorIs(t, err, plugin.ErrClosed)
	require.NoError(t, m.Shutdown(ctx), "second Shutdown")
}

func TestPluginStderrReachesTheLogger(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	logger := hclog.New(&hclog.LoggerOptions{Output: &buf, Level: hclog.Debug})
	c, err := plugin.Load(context.Background(), testPlugin, &plugin.LoadOptions{Checksum: testPluginSum, Logger: logger})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.Contains(t, buf.String(), "plugin started")
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var _ io.Writer = (*syncBuffer)(nil)
