// Command testplugin serves the test connector as a plugin, for the plugin
// package's tests.
package main

import (
	"fmt"
	"os"

	"github.com/autonomos/autonomos/connectors/plugin"
	"github.com/autonomos/autonomos/connectors/plugin/internal/testconnector"
)

func main() {
	if err := plugin.Serve(testconnector.Spec(), testconnector.New, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
