package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/autonomos/autonomos/canonical"
)

// runCanonical prints the built-in canonical registry in the format of
// canonical.json.
func runCanonical(_ context.Context, args []string, stdout, _ io.Writer) error {
	if len(args) > 0 {
		return usagef("canonical takes no arguments")
	}
	reg, err := canonical.NewRegistry()
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(reg.Document(), "", "  ")
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = stdout.Write(b)
	return err
}
