package filesource

import (
	"encoding/json"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"

	"github.com/autonomos/autonomos/connectors"
)

// cursor is a resume position in one file. Its JSON form is the
// connectors.Cursor:
//
//	{"v":1,"f":"accounts.csv","h":3735928559,"o":1234,"l":17,"n":15,"t":305419896,"tl":32}
//
// f is the file, o the byte offset where the next record starts, l that
// offset's line number and n the number of records (good or bad) before it.
// h is a checksum of the file's first line and t of the tl bytes just before
// o: a resumed read seeks straight to o, and the checksums tell a file that
// was only appended to (the cursor stays valid) from one that was rewritten
// (the cursor is refused with connectors.ErrInvalidCursor).
type cursor struct {
	V       int    `json:"v"`
	File    string `json:"f"`
	Head    uint32 `json:"h"`
	Off     int64  `json:"o"`
	Line    int64  `json:"l"`
	N       int64  `json:"n"`
	Tail    uint32 `json:"t"`
	TailLen int    `json:"tl"`
	// End marks the cursor after a syntax error that ends a JSON array
	// file: nothing more can be read from it.
	End bool `json:"e,omitempty"`
}

// position is where reading continues.
type position struct {
	off, line, n int64
	end          bool // see cursor.End
}

// cursorWriter encodes cursors for one file without a JSON round trip per
// record.
type cursorWriter struct {
	prefix []byte
	buf    []byte
}

func newCursorWriter(file string, head uint32) *cursorWriter {
	name, _ := json.Marshal(file)
	p := append([]byte(`{"v":1,"f":`), name...)
	p = append(p, `,"h":`...)
	p = strconv.AppendUint(p, uint64(head), 10)
	return &cursorWriter{prefix: p}
}

func (w *cursorWriter) cursor(p position, tail []byte) connectors.Cursor {
	b := append(w.buf[:0], w.prefix...)
	b = append(b, `,"o":`...)
	b = strconv.AppendInt(b, p.off, 10)
	b = append(b, `,"l":`...)
	b = strconv.AppendInt(b, p.line, 10)
	b = append(b, `,"n":`...)
	b = strconv.AppendInt(b, p.n, 10)
	b = append(b, `,"t":`...)
	b = strconv.AppendUint(b, uint64(crc32.ChecksumIEEE(tail)), 10)
	b = append(b, `,"tl":`...)
	b = strconv.AppendInt(b, int64(len(tail)), 10)
	if p.end {
		b = append(b, `,"e":true`...)
	}
	b = append(b, '}')
	w.buf = b
	return connectors.Cursor(b)
}

// resume checks c against the file and returns where to continue. Every
// error wraps connectors.ErrInvalidCursor.
func resume(c connectors.Cursor, in io.ReaderAt, size int64, lay *layout) (position, error) {
	var cur cursor
	if err := json.Unmarshal([]byte(c), &cur); err != nil || cur.V != 1 {
		return position{}, fmt.Errorf("%w: filesource: not a filesource cursor", connectors.ErrInvalidCursor)
	}
	if cur.File != lay.file {
		return position{}, fmt.Errorf("%w: filesource: cursor is for file %q, not %q", connectors.ErrInvalidCursor, cur.File, lay.file)
	}
	if cur.Off < lay.dataStart || cur.Off > size || cur.Line < 1 || cur.N < 0 ||
		cur.TailLen < 0 || cur.TailLen > tailMax || int64(cur.TailLen) > cur.Off {
		return position{}, fmt.Errorf("%w: filesource: cursor position is outside %q (was the file truncated?)", connectors.ErrInvalidCursor, lay.file)
	}
	changed := cur.Head != lay.head
	if !changed && cur.TailLen > 0 {
		tail := make([]byte, cur.TailLen)
		if _, err := in.ReadAt(tail, cur.Off-int64(cur.TailLen)); err != nil {
			return position{}, fmt.Errorf("filesource: %q: checking cursor: %w", lay.file, err)
		}
		changed = crc32.ChecksumIEEE(tail) != cur.Tail
	}
	if changed {
		return position{}, fmt.Errorf("%w: filesource: %q was rewritten since the cursor was made; read it again from the start", connectors.ErrInvalidCursor, lay.file)
	}
	return position{off: cur.Off, line: cur.Line, n: cur.N, end: cur.End}, nil
}
