package plugin

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/plugin/internal/connectorpb"
)

// readWindow is the gRPC flow-control window of the host's side of the
// connection.
const readWindow = 8 << 20

// LoadOptions configures Load. Checksum is required.
type LoadOptions struct {
	// Checksum is the SHA-256 of the plugin binary (as `sha256sum` prints
	// it, decoded from hex). Required: a binary whose content differs is
	// refused with ErrChecksumMismatch before it runs.
	Checksum []byte
	// Config is the connector's configuration, sent to the plugin process
	// over the connection once it has started (never through its
	// environment or arguments). Default: empty.
	Config connectors.Config
	// Env is the plugin process's whole environment, as "KEY=value" pairs;
	// the host's environment is never inherited. Names of the plugin
	// protocol (MagicCookieKey, PLUGIN_*) are refused. Default: empty (the
	// process sees only the variables the plugin protocol itself needs).
	Env []string
	// Logger receives the host library's log lines and the plugin's stderr.
	// Default: discarded.
	Logger hclog.Logger
	// StartTimeout bounds how long the plugin may take to start and answer
	// the handshake; a sooner deadline of Load's context wins. Default: 30s.
	StartTimeout time.Duration
	// CallTimeout bounds the short calls that have no context of their own
	// (the Close call). Default: 5s.
	CallTimeout time.Duration
}

func (o *LoadOptions) withDefaults() (LoadOptions, error) {
	if o == nil {
		return LoadOptions{}, errors.New("LoadOptions.Checksum is required (the SHA-256 of the plugin binary), but no options were given")
	}
	out := *o
	if len(out.Checksum) == 0 {
		return out, errors.New("LoadOptions.Checksum is required (the SHA-256 of the plugin binary)")
	}
	if len(out.Checksum) != sha256.Size {
		return out, fmt.Errorf("LoadOptions.Checksum is %d bytes, a SHA-256 is %d", len(out.Checksum), sha256.Size)
	}
	for _, kv := range out.Env {
		if !strings.Contains(kv, "=") {
			return out, fmt.Errorf("LoadOptions.Env entry %q is not KEY=value", kv)
		}
		if strings.HasPrefix(kv, MagicCookieKey+"=") || strings.HasPrefix(kv, "PLUGIN_") {
			return out, fmt.Errorf("LoadOptions.Env entry %q names a variable of the plugin protocol", kv)
		}
	}
	if out.StartTimeout < 0 {
		return out, fmt.Errorf("LoadOptions.StartTimeout is %v, must not be negative", out.StartTimeout)
	}
	if out.CallTimeout < 0 {
		return out, fmt.Errorf("LoadOptions.CallTimeout is %v, must not be negative", out.CallTimeout)
	}
	if out.StartTimeout == 0 {
		out.StartTimeout = 30 * time.Second
	}
	if out.CallTimeout == 0 {
		out.CallTimeout = 5 * time.Second
	}
	if out.Logger == nil {
		out.Logger = hclog.NewNullLogger()
	}
	return out, nil
}

// Client is a connector served by a plugin process. It implements
// connectors.Connector: calls go over gRPC to the process, the caller's
// context (cancellation and deadline) reaching the connector there. Close
// ends the process.
//
// A Client is safe for concurrent use: several calls may be in flight at once
// if the plugin's connector allows it (see connectors.Connector). When the
// process exits — it crashed or was killed — calls in flight and later calls
// fail promptly with an error wrapping ErrExited; Close the Client and Load
// the plugin again to relaunch it.
type Client struct {
	path  string
	pc    *goplugin.Client
	rpc   connectorpb.ConnectorClient
	exit  context.Context // done when the process exited
	spec  connectors.Spec
	pid   int
	opts  LoadOptions
	owner *Manager

	closeOnce sync.Once
	closeErr  error
	closed    context.Context // done when Close was called
	markClose context.CancelFunc
}

// Load starts the plugin binary at path and returns the connector it serves,
// configured with opts.Config. The binary's SHA-256 must equal
// opts.Checksum; it runs with only opts.Env as its environment, and talks to
// the host over gRPC with mutual TLS on certificates made for this one
// process.
//
// The caller must Close the Client; a Manager does it for every plugin it
// loaded at host shutdown. Load fails with an error naming the LoadOptions
// field when opts is invalid (a missing Checksum included), wraps
// ErrChecksumMismatch for a changed binary and connectors.ErrInvalidConfig
// when the plugin refuses the configuration, and says why when the program
// exits or does not answer the handshake within StartTimeout. Nothing is
// left running when Load fails.
func Load(ctx context.Context, path string, opts *LoadOptions) (*Client, error) {
	return load(ctx, path, opts, nil, true)
}

// Describe starts the plugin binary at path only to ask for its connector's
// Spec, then ends it; opts.Config is not used. A host calls it when a plugin
// is registered, to learn the plugin's name and parameters (for a
// connectors.Registry). It fails as Load does.
func Describe(ctx context.Context, path string, opts *LoadOptions) (connectors.Spec, error) {
	c, err := load(ctx, path, opts, nil, false)
	if err != nil {
		return connectors.Spec{}, err
	}
	c.pc.Kill()
	return c.spec, nil
}

func load(ctx context.Context, path string, opts *LoadOptions, owner *Manager, configure bool) (*Client, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, fmt.Errorf("plugin: load %q: %w", path, err)
	}
	if path == "" {
		return nil, errors.New("plugin: load: empty path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("plugin: load %q: %w", path, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("plugin: load %q: %w", path, err)
	}
	start := o.StartTimeout
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < start {
		start = max(time.Until(dl), time.Millisecond)
	}

	// Execute exactly the bytes that were verified: copy the binary into a
	// private directory while hashing it, compare, and run the copy. The
	// file at abs may be replaced at any time without effect. go-plugin
	// checks the copy again (nobody else can write it).
	private, err := verifiedCopy(abs, o.Checksum)
	if err != nil {
		return nil, fmt.Errorf("plugin: load %q: %w", path, err)
	}
	// Once the process started (or failed to), the copy is not needed: a
	// running program keeps its file open.
	defer os.RemoveAll(filepath.Dir(private))

	c := &Client{path: abs, opts: o, owner: owner}
	c.closed, c.markClose = context.WithCancel(context.Background())
	cmd := exec.Command(private)
	// The plugin sees exactly opts.Env plus the protocol's own variables
	// (SkipHostEnv keeps go-plugin from appending os.Environ).
	cmd.Env = append([]string{}, o.Env...)
	setProcAttr(cmd)
	p := &grpcPlugin{onClient: func(exit context.Context, conn *grpc.ClientConn) any {
		c.exit = exit
		return connectorpb.NewConnectorClient(conn)
	}}
	c.pc = goplugin.NewClient(&goplugin.ClientConfig{
		HandshakeConfig:  handshake(),
		VersionedPlugins: pluginSets(p),
		Cmd:              cmd,
		SecureConfig:     &goplugin.SecureConfig{Checksum: o.Checksum, Hash: sha256.New()},
		AutoMTLS:         true,
		SkipHostEnv:      true,
		AllowedProtocols: []goplugin.Protocol{goplugin.ProtocolGRPC},
		Logger:           o.Logger,
		StartTimeout:     start,
		// Read streams large batches one way; a wide receive window keeps
		// the plugin sending while the host decodes.
		GRPCDialOptions: []grpc.DialOption{
			grpc.WithInitialWindowSize(readWindow),
			grpc.WithInitialConnWindowSize(readWindow),
		},
		// What the plugin's code prints after Serve started arrives over
		// the connection; it is logged, like the plugin's log lines.
		SyncStdout: o.Logger.Named("stdout").StandardWriter(&hclog.StandardLoggerOptions{InferLevels: true}),
		SyncStderr: o.Logger.Named("stderr").StandardWriter(&hclog.StandardLoggerOptions{InferLevels: true}),
	})

	if err := c.start(ctx, configure); err != nil {
		c.pc.Kill()
		return nil, fmt.Errorf("plugin: load %q: %w", path, err)
	}
	return c, nil
}

// start runs the process, then asks for the spec and sends the
// configuration.
func (c *Client) start(ctx context.Context, configure bool) error {
	proto, err := c.pc.Client()
	if err != nil {
		if errors.Is(err, goplugin.ErrChecksumsDoNotMatch) {
			return ErrChecksumMismatch
		}
		return fmt.Errorf("start: %w", err)
	}
	if rc := c.pc.ReattachConfig(); rc != nil {
		c.pid = rc.Pid
	}
	raw, err := proto.Dispense(pluginName)
	if err != nil {
		return fmt.Errorf("start: %w", err)
	}
	c.rpc = raw.(connectorpb.ConnectorClient)

	resp, err := c.rpc.GetSpec(ctx, &connectorpb.GetSpecRequest{})
	if err != nil {
		return fmt.Errorf("spec: %w", c.classify(ctx, err))
	}
	c.spec = specFromPB(resp.GetSpec())
	if c.spec.Name == "" {
		return fmt.Errorf("%w: the plugin's spec has no name", ErrProtocol)
	}
	if !configure {
		return nil
	}
	if _, err := c.rpc.Configure(ctx, &connectorpb.ConfigureRequest{Config: configToPB(c.opts.Config)}); err != nil {
		return fmt.Errorf("configure %q: %w", c.spec.Name, c.classify(ctx, err))
	}
	return nil
}

// verifiedCopy copies the file at path into a new private directory (mode
// 0700) as an executable only its owner may read and run (0500), hashing
// the bytes as they are copied, and returns the copy's path when their
// SHA-256 equals sum. On a mismatch it removes the copy and returns
// ErrChecksumMismatch.
func verifiedCopy(path string, sum []byte) (string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	if st, err := src.Stat(); err != nil {
		return "", err
	} else if !st.Mode().IsRegular() {
		return "", fmt.Errorf("%q is not a regular file", path)
	}
	dir, err := os.MkdirTemp("", "aos-plugin-")
	if err != nil {
		return "", fmt.Errorf("private copy: %w", err)
	}
	dst := filepath.Join(dir, filepath.Base(path))
	ok := false
	defer func() {
		if !ok {
			_ = os.RemoveAll(dir)
		}
	}()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o500)
	if err != nil {
		return "", fmt.Errorf("private copy: %w", err)
	}
	h := sha256.New()
	_, err = io.Copy(io.MultiWriter(out, h), src)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("private copy: %w", err)
	}
	if !hmac.Equal(h.Sum(nil), sum) {
		return "", ErrChecksumMismatch
	}
	ok = true
	return dst, nil
}

// Path returns the absolute path of the plugin binary.
func (c *Client) Path() string { return c.path }

// FileChecksum returns the SHA-256 of the file at path, the value
// LoadOptions.Checksum expects. Use it when registering a plugin binary you
// trust, and store the result; computing it from the same file just before
// Load would accept any binary.
func FileChecksum(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("plugin: checksum: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return nil, fmt.Errorf("plugin: checksum %q: %w", path, err)
	}
	return h.Sum(nil), nil
}

// PID returns the plugin process's id.
func (c *Client) PID() int { return c.pid }

// Exited reports whether the plugin process has exited.
func (c *Client) Exited() bool { return c.pc.Exited() }

// Spec returns the connector's spec, as the plugin answered it at Load.
func (c *Client) Spec() connectors.Spec { return c.spec }

// Check verifies the configuration against the source, in the plugin.
func (c *Client) Check(ctx context.Context) error {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return fmt.Errorf("plugin %q: check: %w", c.spec.Name, err)
	}
	defer done()
	if _, err := c.rpc.Check(ctx, &connectorpb.CheckRequest{}); err != nil {
		return c.wrap(ctx, "check", err)
	}
	return nil
}

// Discover lists the source's objects, as the plugin's connector finds them.
func (c *Client) Discover(ctx context.Context) (*connectors.Catalog, error) {
	ctx, done, err := c.begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: discover: %w", c.spec.Name, err)
	}
	defer done()
	resp, err := c.rpc.Discover(ctx, &connectorpb.DiscoverRequest{})
	if err != nil {
		return nil, c.wrap(ctx, "discover", err)
	}
	cat, err := catalogFromPB(resp)
	if err != nil {
		return nil, fmt.Errorf("plugin %q: discover: %w", c.spec.Name, err)
	}
	return cat, nil
}

// Read streams the records of one object from the plugin. Records arrive in
// batches and are emitted one by one in order. If emit returns an error, the
// plugin's read is cancelled and Read returns that error. Read returns an
// error wrapping ctx.Err() promptly when ctx is cancelled, and one wrapping
// ErrExited when the process dies.
func (c *Client) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	rctx, done, err := c.begin(ctx)
	if err != nil {
		return fmt.Errorf("plugin %q: read %q: %w", c.spec.Name, req.Object, err)
	}
	defer done()
	stream, err := c.rpc.Read(rctx, &connectorpb.ReadRequest{Object: []byte(req.Object), Cursor: []byte(req.Cursor)})
	if err != nil {
		return c.wrap(rctx, "read", err)
	}
	resp := &connectorpb.ReadResponse{}
	for {
		if err := stream.RecvMsg(resp); err != nil {
			if err == io.EOF {
				return nil
			}
			return c.wrap(rctx, "read", err)
		}
		for _, pr := range resp.GetRecords() {
			if err := rctx.Err(); err != nil {
				return c.wrap(rctx, "read", err)
			}
			if err := emit(recordFromPB(pr)); err != nil {
				return err
			}
		}
	}
}

// Close closes the plugin's connector and ends the process, waiting until it
// has exited and been reaped. It returns the connector's Close error, if any.
// Close is safe to call more than once and concurrently; later calls return
// the first call's result.
func (c *Client) Close() error {
	c.closeOnce.Do(func() {
		c.markClose()
		if !c.pc.Exited() && c.rpc != nil {
			ctx, cancel := context.WithTimeout(context.Background(), c.opts.CallTimeout)
			if _, err := c.rpc.Close(ctx, &connectorpb.CloseRequest{}); err != nil {
				// A process that is already gone has nothing left to close.
				if ferr := fromStatus(err); !errors.Is(ferr, ErrExited) && !c.pc.Exited() {
					c.closeErr = fmt.Errorf("plugin %q: close: %w", c.spec.Name, ferr)
				}
			}
			cancel()
		}
		c.pc.Kill()
		if c.owner != nil {
			c.owner.forget(c)
		}
	})
	return c.closeErr
}

// begin checks the Client can take a call and returns a context that ends
// with ctx, with Close and with the process.
func (c *Client) begin(ctx context.Context) (context.Context, func(), error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if c.closed.Err() != nil {
		return nil, nil, ErrClosed
	}
	if c.exit.Err() != nil {
		return nil, nil, ErrExited
	}
	cctx, cancel := context.WithCancel(ctx)
	stopExit := context.AfterFunc(c.exit, cancel)
	stopClosed := context.AfterFunc(c.closed, cancel)
	return cctx, func() {
		stopExit()
		stopClosed()
		cancel()
	}, nil
}

// wrap turns an error of a call to the plugin into the Client's error,
// prefixed with the connector's name and the operation.
func (c *Client) wrap(ctx context.Context, op string, err error) error {
	return fmt.Errorf("plugin %q: %s: %w", c.spec.Name, op, c.classify(ctx, err))
}

// classify says why a call failed: ErrExited when the process is gone,
// ErrClosed when the Client was closed, the caller's context error when it
// ended, else the plugin's own error.
func (c *Client) classify(ctx context.Context, err error) error {
	switch {
	case c.exit != nil && c.exit.Err() != nil:
		return ErrExited
	case c.closed.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
		return ErrClosed
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return fromStatus(err)
}

var _ connectors.Connector = (*Client)(nil)
