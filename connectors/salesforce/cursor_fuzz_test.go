package salesforce

import (
	"errors"
	"testing"

	"github.com/autonomos/autonomos/connectors"
)

// FuzzDecodeCursor feeds arbitrary cursors to the decoder: it must not
// panic, must fail with ErrInvalidCursor, and what it accepts must put only
// checked values into SOQL.
func FuzzDecodeCursor(f *testing.F) {
	f.Add(`{"object":"Account","systemModstamp":"2024-01-01T00:00:01Z","id":"001000000000002AAA"}`)
	f.Add(`{"object":"Note","id":"a02000000000013AAA"}`)
	f.Add(`{"object":"Account","id":"001' OR Name != '"}`)
	f.Add("\x00not a cursor\xff")
	f.Fuzz(func(t *testing.T, raw string) {
		p, ts, err := decodeCursor(connectors.Cursor(raw))
		if err != nil {
			if !errors.Is(err, connectors.ErrInvalidCursor) {
				t.Fatalf("error does not wrap ErrInvalidCursor: %v", err)
			}
			return
		}
		if !identRE.MatchString(p.Object) || !idRE.MatchString(p.ID) {
			t.Fatalf("accepted unchecked values: %+v", p)
		}
		soql := buildQuery(p.Object, []fieldInfo{{Name: "Id", Type: "id"}}, p.SystemModstamp != "", &p, ts, false)
		if _, _, err := decodeCursor(p.encode()); err != nil {
			t.Fatalf("re-decode of an accepted cursor: %v (query %s)", err, soql)
		}
	})
}
