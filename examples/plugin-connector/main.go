// Command plugin-connector is a third-party connector plugin for AutonomOS:
// it serves the jsonapi connector (a paginated JSON-over-HTTP API source) to
// an AutonomOS host over the plugin protocol. It is built only on the public
// packages connectors, canonical and connectors/plugin.
//
// It is not meant to be run by hand; a host starts it. See README.md for how
// to build it, take its checksum and register it.
package main

import (
	"fmt"
	"os"

	"github.com/autonomos/autonomos/connectors/plugin"
	"github.com/autonomos/autonomos/examples/plugin-connector/jsonapi"
)

func main() {
	if err := plugin.Serve(jsonapi.Spec(), jsonapi.New, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
