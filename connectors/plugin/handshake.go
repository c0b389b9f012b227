package plugin

import (
	goplugin "github.com/hashicorp/go-plugin"
)

// The handshake a host and a plugin process must agree on before anything
// else. A plugin built against another ProtocolVersion is refused at Load
// with an error naming both versions; a program started without the magic
// cookie (by hand, not by a host) refuses to serve.
const (
	// ProtocolVersion is the version of the connector wire protocol
	// (internal/connectorpb/connector.proto) this package speaks.
	ProtocolVersion = 1
	// MagicCookieKey is the environment variable the host sets for the
	// plugin process.
	MagicCookieKey = "AUTONOMOS_PLUGIN"
	// MagicCookieValue is the value of MagicCookieKey.
	MagicCookieValue = "c0nn3ct0r-5f1e9d2b7a4c48e6b3d0a9f17c2e6b58"
)

// pluginName is the name the connector service is dispensed under.
const pluginName = "connector"

func handshake() goplugin.HandshakeConfig {
	return goplugin.HandshakeConfig{
		ProtocolVersion:  ProtocolVersion,
		MagicCookieKey:   MagicCookieKey,
		MagicCookieValue: MagicCookieValue,
	}
}

// pluginSets lists the protocol versions this build serves or hosts, so a
// later version can be added next to version 1.
func pluginSets(p goplugin.Plugin) map[int]goplugin.PluginSet {
	return map[int]goplugin.PluginSet{
		ProtocolVersion: {pluginName: p},
	}
}
