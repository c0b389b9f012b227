package plugin_test

import (
	"context"
	"fmt"
	"os"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/plugin"
	"github.com/autonomos/autonomos/connectors/plugin/internal/testconnector"
)

// A host loads a plugin binary, with the checksum recorded when the plugin
// was registered, and uses it as any connector.
func ExampleLoad() {
	ctx := context.Background()
	conn, err := plugin.Load(ctx, testPlugin, &plugin.LoadOptions{
		Checksum: testPluginSum,
		Config:   connectors.Config{"rows": "3"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer conn.Close()

	fmt.Println(conn.Spec().Name, conn.Spec().Version)
	err = conn.Read(ctx, connectors.ReadRequest{Object: "rows"}, func(r connectors.Record) error {
		fmt.Printf("%s %q %T\n", r.ID, r.Fields["name"], r.Fields["id"])
		return nil
	})
	fmt.Println(err)
	// Output:
	// testconnector 1.0.0
	// 0 "row 0" int64
	// 1 "row 1" int64
	// 2 "row 2" int64
	// <nil>
}

// A host loads its plugins through one Manager and shuts it down when it
// stops, which ends every plugin process.
func ExampleManager() {
	ctx := context.Background()
	plugins := plugin.NewManager()
	for range 2 {
		if _, err := plugins.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum}); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println("running:", plugins.Len())
	fmt.Println("shutdown:", plugins.Shutdown(ctx))
	fmt.Println("running:", plugins.Len())
	// Output:
	// running: 2
	// shutdown: <nil>
	// running: 0
}

// A plugin program is one call to Serve in main. (Serve only runs when a
// host starts the program, so this example is not run.)
func ExampleServe() {
	if err := plugin.Serve(testconnector.Spec(), testconnector.New, nil); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// The checksum is taken once, when a trusted binary is registered, and
// stored with the plugin's registration.
func ExampleFileChecksum() {
	sum, err := plugin.FileChecksum(testPlugin)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(sum))
	// Output: 32
}
