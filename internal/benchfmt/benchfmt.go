// Package benchfmt holds the result line of the `aos bench` benchmark
// contract: one JSON object printed last, comparing our figure with a
// reference measured in the same run.
package benchfmt

import (
	"encoding/json"
	"fmt"
	"io"
)

// Result is one benchmark outcome. Ratio is Ours / Reference; for rates
// (rows/s, jobs/s) higher is better for us.
type Result struct {
	Name      string  `json:"name"`
	Ours      float64 `json:"ours"`
	Reference float64 `json:"reference"`
	Unit      string  `json:"unit"`
	Ratio     float64 `json:"ratio"`
	N         int     `json:"n"`
}

// New builds a Result and computes its ratio (0 when reference is 0).
func New(name, unit string, n int, ours, reference float64) Result {
	r := Result{Name: name, Ours: ours, Reference: reference, Unit: unit, N: n}
	if reference != 0 {
		r.Ratio = ours / reference
	}
	return r
}

// Write prints r as one JSON line.
func (r Result) Write(w io.Writer) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("benchfmt: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
