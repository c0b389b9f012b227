package autonomos_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/autonomos/autonomos"
)

// Open with no database or Redis URL runs in local mode on an embedded DuckDB
// control file under the data directory.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "aos-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	ctx := context.Background()
	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: dir, Logger: quiet()})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()
	fmt.Println(p.Mode(), p.Ready(ctx) == nil)
	// Output: local true
}
