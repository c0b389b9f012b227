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
//	{"v":2,"f":"accounts.csv","k":"id","o":1234,"l":17,"n":15,"p":1311768467463790320}
//
// f is the file, k the key field the records were identified by ("" for
// positions), o the byte offset where the next record starts, l that
// offset's line number and n the number of records (good or bad) before
// it. p is a checksum of the whole file up to o: a resumed read reads the
// file from the start again, verifying the checksum and the record count at
// o, so a file that was only appended to keeps the cursor valid, while any
// edit before o — even one that keeps every length — refuses it with
// connectors.ErrInvalidCursor (the platform then reads the file again from
// the start).
type cursor struct {
	V    int    `json:"v"`
	File string `json:"f"`
	Key  string `json:"k"`
	Off  int64  `json:"o"`
	Line int64  `json:"l"`
	N    int64  `json:"n"`
	Sum  uint64 `json:"p"`
	// End marks the cursor after a syntax error that ends a JSON array
	// file: nothing more can be read from it.
	End bool `json:"e,omitempty"`
}

// cursorVersion is the version of the cursor format; cursors of other
// versions are refused.
const cursorVersion = 2

// position is a record boundary: where reading continues.
type position struct {
	off, line, n int64
	end          bool // see cursor.End
}

// castagnoli is the CRC-32C table (hardware accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// prefixSum is a 64-bit checksum of a file's bytes from offset 0, made of
// two independent CRC-32s (IEEE and Castagnoli), both hardware accelerated.
// It advances by reading the file in blocks of its own, so it does not
// depend on how a reader moved through it.
type prefixSum struct {
	in        io.ReaderAt
	off       int64 // bytes summed
	ieee, cas uint32
	buf       []byte
	bufOff    int64 // file offset of buf[0]
	bufLen    int
}

func newPrefixSum(in io.ReaderAt) *prefixSum {
	return &prefixSum{in: in}
}

// advance adds the bytes up to offset to (to must not go back).
func (p *prefixSum) advance(to int64) error {
	for p.off < to {
		if p.off < p.bufOff || p.off >= p.bufOff+int64(p.bufLen) {
			if p.buf == nil {
				p.buf = make([]byte, 64<<10)
			}
			n, err := p.in.ReadAt(p.buf, p.off)
			p.bufOff, p.bufLen = p.off, n
			if n == 0 {
				if err == nil || err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				return err
			}
		}
		b := p.buf[p.off-p.bufOff : min(to, p.bufOff+int64(p.bufLen))-p.bufOff]
		p.ieee = crc32.Update(p.ieee, crc32.IEEETable, b)
		p.cas = crc32.Update(p.cas, castagnoli, b)
		p.off += int64(len(b))
	}
	return nil
}

func (p *prefixSum) value() uint64 { return uint64(p.ieee)<<32 | uint64(p.cas) }

// cursorWriter encodes cursors for one file without a JSON round trip per
// record.
type cursorWriter struct {
	prefix []byte
	buf    []byte
}

func newCursorWriter(file, key string) *cursorWriter {
	name, _ := json.Marshal(file)
	k, _ := json.Marshal(key)
	p := append([]byte(`{"v":2,"f":`), name...)
	p = append(p, `,"k":`...)
	p = append(p, k...)
	return &cursorWriter{prefix: p}
}

func (w *cursorWriter) cursor(p position, sum uint64) connectors.Cursor {
	b := append(w.buf[:0], w.prefix...)
	b = append(b, `,"o":`...)
	b = strconv.AppendInt(b, p.off, 10)
	b = append(b, `,"l":`...)
	b = strconv.AppendInt(b, p.line, 10)
	b = append(b, `,"n":`...)
	b = strconv.AppendInt(b, p.n, 10)
	b = append(b, `,"p":`...)
	b = strconv.AppendUint(b, sum, 10)
	if p.end {
		b = append(b, `,"e":true`...)
	}
	b = append(b, '}')
	w.buf = b
	return connectors.Cursor(b)
}

// parseCursor decodes c and checks it belongs to lay's file. Every error
// wraps connectors.ErrInvalidCursor.
func parseCursor(c connectors.Cursor, lay *layout) (*cursor, error) {
	var cur cursor
	if err := json.Unmarshal([]byte(c), &cur); err != nil || cur.V != cursorVersion {
		return nil, fmt.Errorf("%w: filesource: not a filesource cursor (or one of an older version: read the file again from the start)", connectors.ErrInvalidCursor)
	}
	if cur.File != lay.file {
		return nil, fmt.Errorf("%w: filesource: cursor is for file %q, not %q", connectors.ErrInvalidCursor, cur.File, lay.file)
	}
	if cur.Off < lay.dataStart || cur.Off > lay.size || cur.Line < 1 || cur.N < 0 {
		return nil, fmt.Errorf("%w: filesource: cursor position is outside %q (was the file truncated?)", connectors.ErrInvalidCursor, lay.file)
	}
	return &cur, nil
}

// errRewritten is the error of a cursor whose file changed before it.
func errRewritten(file string) error {
	return fmt.Errorf("%w: filesource: %q was rewritten or edited before the cursor since it was made; read it again from the start", connectors.ErrInvalidCursor, file)
}
