package connectors

import "context"

// UnimplementedConnector is embedded by Connector implementations so that
// methods added to the interface later have a default. Every method returns
// ErrUnimplemented (Close returns nil).
type UnimplementedConnector struct{}

// Spec returns an empty Spec.
func (UnimplementedConnector) Spec() Spec { return Spec{} }

// Check returns ErrUnimplemented.
func (UnimplementedConnector) Check(context.Context) error { return ErrUnimplemented }

// Discover returns ErrUnimplemented.
func (UnimplementedConnector) Discover(context.Context) (*Catalog, error) {
	return nil, ErrUnimplemented
}

// Read returns ErrUnimplemented.
func (UnimplementedConnector) Read(context.Context, ReadRequest, func(Record) error) error {
	return ErrUnimplemented
}

// Close returns nil.
func (UnimplementedConnector) Close() error { return nil }
