package connectors

import (
	"context"

	"github.com/prometheus/client_golang/prometheus"
)

// Provisioner is an optional ability of a Connector, found by type
// assertion: it keeps resources at the source for as long as the
// connection exists (a PostgreSQL replication slot and publication, a
// webhook subscription). The platform calls Provision when a connection is
// created (before its first read) and Deprovision when it is deleted, each
// on a connector made from the connection's configuration.
//
// Both are idempotent: Provision on a provisioned connection and
// Deprovision on one without resources return nil. A failed Provision
// leaves the connection unusable until it succeeds; a failed Deprovision
// must be reported, since the resource (a slot holding back WAL) stays.
type Provisioner interface {
	// Provision creates the connection's resources at the source.
	Provision(ctx context.Context) error
	// Deprovision removes them.
	Deprovision(ctx context.Context) error
}

// MetricsCollector is an optional ability of a Connector, found by type
// assertion: it exposes Prometheus metrics about its source (for example
// how far a replication slot lags behind). The platform registers the
// collectors while the connector is open and unregisters them before Close.
// Collectors of connectors of different connections must not describe the
// same metric with the same constant labels.
type MetricsCollector interface {
	// Collectors returns the connector's collectors.
	Collectors() []prometheus.Collector
}
