package filesource

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// arrayStart returns the offset just after the '[' that opens a JSON array
// file, skipping a byte-order mark and white space.
func arrayStart(in io.ReaderAt, off int64) (int64, error) {
	b, at, err := firstNonSpace(in, off)
	if err == io.EOF {
		return 0, fmt.Errorf("empty file, not a JSON array")
	}
	if err != nil {
		return 0, err
	}
	if b != '[' {
		return 0, fmt.Errorf("not a JSON array (starts with %q)", b)
	}
	return at + 1, nil
}

// firstNonSpace returns the first byte at or after off that is not JSON
// white space, and its offset.
func firstNonSpace(in io.ReaderAt, off int64) (byte, int64, error) {
	var buf [512]byte
	for {
		n, err := in.ReadAt(buf[:], off)
		for i := 0; i < n; i++ {
			switch buf[i] {
			case ' ', '\t', '\r', '\n':
				continue
			}
			return buf[i], off + int64(i), nil
		}
		off += int64(n)
		if err != nil {
			return 0, off, err
		}
	}
}

// arrayReader reads the elements of a JSON array file one at a time from a
// given offset (the array start or just after an element), so a resumed
// read seeks instead of re-decoding what came before. Only one element is in
// memory at a time.
type arrayReader struct {
	dec  *json.Decoder
	base int64 // file offset of the decoder's input byte 0
	end  int64 // file offset just after the last element read
	done bool
}

// newArrayReader starts reading at off: the array's start (just after its
// '['), or the end of an element.
//
// The decoder is put in the state the file's own decoder had at off by
// feeding it a prefix: "[" at the array start, "[{}" (a dummy element, read
// and dropped) after an element. Whatever follows — a comma, the closing
// bracket or a syntax error — is then seen exactly as in a read from the
// start.
func newArrayReader(in io.ReaderAt, off, size int64, afterElement bool) (*arrayReader, error) {
	prefix := "["
	if afterElement {
		prefix = "[{}"
	}
	src := io.MultiReader(strings.NewReader(prefix), io.NewSectionReader(in, off, max(size-off, 0)))
	dec := json.NewDecoder(src)
	dec.UseNumber()
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if afterElement {
		var dummy struct{}
		if err := dec.Decode(&dummy); err != nil {
			return nil, err
		}
	}
	return &arrayReader{dec: dec, base: off - int64(len(prefix)), end: off}, nil
}

// next returns the next element's raw JSON and the offset where it starts.
// It returns io.EOF after the closing ']' and a syntax error when the array
// is broken (after which nothing more can be read).
func (r *arrayReader) next() (json.RawMessage, int64, error) {
	if r.done {
		return nil, 0, io.EOF
	}
	if !r.dec.More() {
		t, err := r.dec.Token()
		r.done = true
		if err == io.EOF || (err == nil && t != json.Delim(']')) {
			return nil, 0, fmt.Errorf("the array is not closed")
		}
		if err != nil {
			return nil, 0, err
		}
		return nil, 0, io.EOF
	}
	var raw json.RawMessage
	if err := r.dec.Decode(&raw); err != nil {
		r.done = true
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return nil, 0, fmt.Errorf("the array is not closed")
		}
		return nil, 0, err
	}
	r.end = r.base + r.dec.InputOffset()
	return raw, r.end - int64(len(raw)), nil
}
