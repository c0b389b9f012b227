package pgsource

import (
	"errors"
	"testing"

	"github.com/autonomos/autonomos/connectors"
)

// FuzzDecodeCursor feeds arbitrary cursors (stored by the platform, so not
// trusted) to the decoder: it must not panic, must fail with
// ErrInvalidCursor, and what it accepts must encode back to an equal
// position.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(`{"t":"accounts","k":["1"]}`)
	f.Add(`{"t":"line_items","k":["order-1","2"],"c":"updated_at","u":"2024-01-01 00:00:00+00"}`)
	f.Add(`{"t":"x","k":["1"],"c":"updated_at"}`)
	f.Add("\x00not a cursor\xff")
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := decodeCursor(connectors.Cursor(raw))
		if err != nil {
			if !errors.Is(err, connectors.ErrInvalidCursor) {
				t.Fatalf("error does not wrap ErrInvalidCursor: %v", err)
			}
			return
		}
		again, err := decodeCursor(p.encode())
		if err != nil {
			t.Fatalf("re-decode of an accepted cursor: %v", err)
		}
		if again.Table != p.Table || len(again.Key) != len(p.Key) || again.Column != p.Column || (again.Value == nil) != (p.Value == nil) {
			t.Fatalf("round trip changed the position: %+v -> %+v", p, again)
		}
	})
}
