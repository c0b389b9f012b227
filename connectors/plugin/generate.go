package plugin

// The protocol's Go code is generated from internal/connectorpb/connector.proto
// and committed, so building needs no protoc. To regenerate, install protoc
// (3.21 or later), protoc-gen-go (google.golang.org/protobuf v1.36.12) and
// protoc-gen-go-grpc (google.golang.org/grpc/cmd/protoc-gen-go-grpc v1.5.1),
// then run `go generate ./connectors/plugin`.

//go:generate protoc --proto_path=internal/connectorpb --go_out=internal/connectorpb --go_opt=paths=source_relative --go-grpc_out=internal/connectorpb --go-grpc_opt=paths=source_relative connector.proto
