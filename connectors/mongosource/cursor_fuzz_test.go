package mongosource

import (
	"errors"
	"testing"

	"github.com/autonomos/autonomos/connectors"
)

// FuzzDecodeCursor feeds arbitrary cursors to the decoder: it must not
// panic, must fail with ErrInvalidCursor, and what it accepts must encode
// back to the same values.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(`{"c":"customers","id":{"v":{"$oid":"665f1c2e9b1e8a3d4c5b6a79"}}}`)
	f.Add(`{"c":"orders","id":{"v":{"$numberInt":"2"}},"f":"updatedAt","v":{"v":{"$date":{"$numberLong":"1714521600000"}}}}`)
	f.Add(`{"c":"orders","id":{"v":"key-1"},"f":"updatedAt"}`)
	f.Add("\x00not a cursor\xff")
	f.Fuzz(func(t *testing.T, raw string) {
		d, err := decodeCursor(connectors.Cursor(raw))
		if err != nil {
			if !errors.Is(err, connectors.ErrInvalidCursor) {
				t.Fatalf("error does not wrap ErrInvalidCursor: %v", err)
			}
			return
		}
		_ = after("_id", d.id) // builds a filter without panicking
		again, err := decodeCursor(d.encode())
		if err != nil {
			t.Fatalf("re-decode of an accepted cursor: %v", err)
		}
		if !again.id.Equal(d.id) || again.hasValue != d.hasValue || (d.hasValue && !again.value.Equal(d.value)) {
			t.Fatalf("round trip changed the position: %s -> %s", raw, d.encode())
		}
	})
}
