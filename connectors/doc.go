// Package connectors defines the Connector contract through which records
// enter the platform, a Registry of connector types, and the errors
// connectors return.
//
// Built-in connectors live in subpackages (filesource, pgsource, salesforce,
// mongosource); third-party connectors run as separate processes through the
// plugin subpackage. Every connector passes the conformance suite in
// connectortest.
//
// # Errors
//
// Connectors wrap ErrInvalidConfig, ErrUnauthorized, ErrNotFound and
// ErrInvalidCursor so callers can test with errors.Is.
package connectors
