// Package plugin runs connectors as separate processes: the host side loads
// a plugin binary and uses it as a connectors.Connector, and the author side
// turns a connector into such a binary. It is built on hashicorp/go-plugin
// over gRPC.
//
// # Writing a plugin
//
// A plugin is a main package that hands its connector type to Serve:
//
//	func main() {
//		if err := plugin.Serve(myconn.Spec(), myconn.New, nil); err != nil {
//			fmt.Fprintln(os.Stderr, err)
//			os.Exit(1)
//		}
//	}
//
// The host asks for the Spec first, then sends the configuration over the
// connection; Serve validates it against the Spec and calls the factory once.
// One plugin process serves one configured connector. examples/plugin-connector
// is a complete plugin with its README.
//
// # Hosting plugins
//
// A host makes one Manager, loads each plugin with the SHA-256 of its binary
// (recorded when the plugin was registered, never computed from the file at
// load time), and shuts the Manager down when it stops:
//
//	plugins := plugin.NewManager()
//	defer plugins.Shutdown(context.Background())
//	conn, err := plugins.Load(ctx, "/opt/autonomos/plugins/jsonapi", &plugin.LoadOptions{
//		Checksum: sum, // 32 bytes, from the plugin's registration
//		Config:   connectors.Config{"base_url": "https://api.example.com", "token": token},
//	})
//
// Call Shutdown on every way out of the host (after signal.NotifyContext's
// context is done, and deferred in main), so plugin processes end with it.
// On Linux a plugin process is also killed by the kernel if the host dies
// without calling it.
//
// # Security
//
//   - Checksum: LoadOptions.Checksum is required, and a binary whose SHA-256
//     differs is refused before it is started (ErrChecksumMismatch).
//   - Transport: the connection is gRPC over a local socket with mutual TLS,
//     on certificates generated for each process (go-plugin's AutoMTLS).
//   - Environment: the plugin process inherits nothing of the host's
//     environment; it sees LoadOptions.Env and the few variables of the
//     plugin handshake. Configuration, secrets included, travels over the
//     connection, never through the environment or the command line.
//   - Lifetime: Close, and Manager.Shutdown, end the process and wait until
//     it has been reaped; a process that crashes is reaped too, and calls in
//     flight fail promptly with ErrExited.
//
// # Protocol
//
// The wire protocol is internal/connectorpb/connector.proto, service
// autonomos.connector.v1.Connector, under go-plugin's handshake with
// ProtocolVersion, MagicCookieKey and MagicCookieValue. Read is a
// server-streaming call carrying records in batches (up to 500 records or
// 1 MiB of fields per message), each record's fields as JSON in which an
// integer and a float stay apart (see the .proto file). Context cancellation
// and deadlines travel with every call, so the connector in the plugin sees
// the caller's context. The generated Go code is committed; regenerate it
// with `go generate ./connectors/plugin` (protoc 3.21+, protoc-gen-go
// v1.36.12, protoc-gen-go-grpc v1.5.1):
//
//	protoc --proto_path=internal/connectorpb \
//		--go_out=internal/connectorpb --go_opt=paths=source_relative \
//		--go-grpc_out=internal/connectorpb --go-grpc_opt=paths=source_relative \
//		connector.proto
//
// # Change models
//
// A plugin states how its reads reflect source changes, like a built-in
// connector: Spec.ChangeModels lists the models it can read with, and
// Discover sets Object.ChangeModel per object (snapshot, incremental or
// cdc; empty is snapshot). Both cross the protocol (Spec.change_models,
// Object.change_model), as does Record.Deleted (Record.deleted), so a
// plugin reporting deletes at the source gets them to the platform as
// delete events. The host refuses an object with an unknown change model
// (ErrProtocol). connectortest checks what a plugin declares, as for any
// connector.
//
// # Errors
//
// A plugin connector's errors keep their connectors sentinels across the
// process boundary (ErrInvalidConfig, ErrUnauthorized, ErrNotFound,
// ErrInvalidCursor, ErrUnimplemented), as do context.Canceled and
// context.DeadlineExceeded. The host adds ErrChecksumMismatch, ErrExited,
// ErrClosed and ErrProtocol. Test them with errors.Is.
//
// # Concurrency
//
// Client, Manager and the package functions are safe for concurrent use.
// Serve serves calls concurrently; the plugin's connector is called as its
// own contract allows.
package plugin
