package plugin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/hashicorp/go-hclog"
	goplugin "github.com/hashicorp/go-plugin"
	"google.golang.org/grpc"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/plugin/internal/connectorpb"
)

// ServeOptions tunes Serve. The zero value, or nil, is the default.
type ServeOptions struct {
	// Logger receives the plugin library's own log lines; they reach the
	// host's logger through the plugin's stderr. Default: JSON lines to
	// stderr at level Info.
	Logger hclog.Logger
	// BatchSize is the largest number of records sent in one message.
	// Default: 500.
	BatchSize int
	// BatchBytes is the size of encoded fields at which a batch is sent
	// before BatchSize is reached. Default: 1 MiB.
	BatchBytes int
}

func (o *ServeOptions) withDefaults() (ServeOptions, error) {
	var out ServeOptions
	if o != nil {
		out = *o
	}
	if out.BatchSize < 0 {
		return out, fmt.Errorf("plugin: serve: ServeOptions.BatchSize is %d, must not be negative", out.BatchSize)
	}
	if out.BatchBytes < 0 {
		return out, fmt.Errorf("plugin: serve: ServeOptions.BatchBytes is %d, must not be negative", out.BatchBytes)
	}
	if out.BatchSize == 0 {
		out.BatchSize = 500
	}
	if out.BatchBytes == 0 {
		out.BatchBytes = 1 << 20
	}
	if out.Logger == nil {
		out.Logger = hclog.New(&hclog.LoggerOptions{
			Name:       "plugin",
			Level:      hclog.Info,
			Output:     os.Stderr,
			JSONFormat: true,
		})
	}
	return out, nil
}

// Serve runs a connector plugin: it is the whole main function of a plugin
// program. spec is the connector type's Spec, answered before any connector
// exists; the host then sends the configuration over the connection, where
// Serve validates it against spec and calls f once to make the connector.
// Serve blocks until the host closes the plugin.
//
// Serve returns an error, without serving, when spec has no name, f is nil or
// opts is invalid. A program started by hand instead of by a host prints a
// message saying so and exits with status 1.
func Serve(spec connectors.Spec, f connectors.Factory, opts *ServeOptions) error {
	if spec.Name == "" {
		return errors.New("plugin: serve: spec has no name")
	}
	if f == nil {
		return fmt.Errorf("plugin: serve %q: nil factory", spec.Name)
	}
	o, err := opts.withDefaults()
	if err != nil {
		return err
	}
	srv := &server{spec: spec, factory: f, batchSize: o.BatchSize, batchBytes: o.BatchBytes}
	goplugin.Serve(&goplugin.ServeConfig{
		HandshakeConfig:  handshake(),
		VersionedPlugins: pluginSets(&grpcPlugin{server: srv}),
		GRPCServer:       goplugin.DefaultGRPCServer,
		Logger:           o.Logger,
	})
	// The host is gone: release the connector if it did not close it.
	return srv.close()
}

// grpcPlugin is the go-plugin glue: it registers the server in the plugin
// process and makes the Client's stub in the host.
type grpcPlugin struct {
	goplugin.NetRPCUnsupportedPlugin
	server *server
	// client is filled in the host by GRPCClient.
	onClient func(ctx context.Context, conn *grpc.ClientConn) any
}

func (p *grpcPlugin) GRPCServer(_ *goplugin.GRPCBroker, s *grpc.Server) error {
	if p.server == nil {
		return errors.New("plugin: no connector to serve")
	}
	connectorpb.RegisterConnectorServer(s, p.server)
	return nil
}

func (p *grpcPlugin) GRPCClient(ctx context.Context, _ *goplugin.GRPCBroker, conn *grpc.ClientConn) (any, error) {
	if p.onClient == nil {
		return nil, errors.New("plugin: not a host")
	}
	return p.onClient(ctx, conn), nil
}

// server serves one connector in the plugin process.
type server struct {
	connectorpb.UnimplementedConnectorServer

	spec       connectors.Spec
	factory    connectors.Factory
	batchSize  int
	batchBytes int

	mu     sync.Mutex
	conn   connectors.Connector
	closed bool
}

func (s *server) GetSpec(context.Context, *connectorpb.GetSpecRequest) (*connectorpb.GetSpecResponse, error) {
	return &connectorpb.GetSpecResponse{Spec: specToPB(s.spec)}, nil
}

func (s *server) Configure(_ context.Context, req *connectorpb.ConfigureRequest) (*connectorpb.ConfigureResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.conn != nil || s.closed {
		return nil, toStatus(fmt.Errorf("%w: configure: the connector is already configured", ErrProtocol))
	}
	cfg := configFromPB(req.GetConfig())
	if err := s.spec.ValidateConfig(cfg); err != nil {
		return nil, toStatus(err)
	}
	c, err := s.factory(cfg)
	if err != nil {
		return nil, toStatus(err)
	}
	if c == nil {
		return nil, toStatus(fmt.Errorf("%w: configure: the factory returned no connector and no error", ErrProtocol))
	}
	s.conn = c
	return &connectorpb.ConfigureResponse{}, nil
}

func (s *server) connector() (connectors.Connector, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, toStatus(fmt.Errorf("%w: the connector is closed", ErrProtocol))
	}
	if s.conn == nil {
		return nil, toStatus(fmt.Errorf("%w: the connector is not configured", ErrProtocol))
	}
	return s.conn, nil
}

func (s *server) Check(ctx context.Context, _ *connectorpb.CheckRequest) (*connectorpb.CheckResponse, error) {
	c, err := s.connector()
	if err != nil {
		return nil, err
	}
	if err := c.Check(ctx); err != nil {
		return nil, toStatus(err)
	}
	return &connectorpb.CheckResponse{}, nil
}

func (s *server) Discover(ctx context.Context, _ *connectorpb.DiscoverRequest) (*connectorpb.DiscoverResponse, error) {
	c, err := s.connector()
	if err != nil {
		return nil, err
	}
	cat, err := c.Discover(ctx)
	if err != nil {
		return nil, toStatus(err)
	}
	resp, err := catalogToPB(cat)
	if err != nil {
		return nil, toStatus(err)
	}
	return resp, nil
}

func (s *server) Read(req *connectorpb.ReadRequest, stream grpc.ServerStreamingServer[connectorpb.ReadResponse]) error {
	c, err := s.connector()
	if err != nil {
		return err
	}
	ctx := stream.Context()
	b := newBatcher(s.batchSize, s.batchBytes)
	sent := make(chan error, 1)
	go func() { sent <- b.run(ctx, stream.Send) }()
	rerr := c.Read(ctx, connectors.ReadRequest{
		Object: string(req.GetObject()),
		Cursor: connectors.Cursor(req.GetCursor()),
	}, b.emit)
	b.finish()
	serr := <-sent
	if rerr != nil {
		return toStatus(rerr)
	}
	return toStatus(serr)
}

func (s *server) Close(context.Context, *connectorpb.CloseRequest) (*connectorpb.CloseResponse, error) {
	if err := s.close(); err != nil {
		return nil, toStatus(err)
	}
	return &connectorpb.CloseResponse{}, nil
}

func (s *server) close() error {
	s.mu.Lock()
	c := s.conn
	s.conn, s.closed = nil, true
	s.mu.Unlock()
	if c == nil {
		return nil
	}
	return c.Close()
}
