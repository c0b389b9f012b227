package filesource

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// input is what the readers need of a file: sequential reads, random reads
// (raw text of a bad record, cursor checks) and seeking (resuming, and
// recovering from a record that runs away).
type input interface {
	io.Reader
	io.ReaderAt
	io.Seeker
}

// errLineTooLong reports a physical line longer than the record limit. The
// line has been consumed; reading goes on with the next one.
var errLineTooLong = errors.New("line longer than max_record_bytes")

// lineReader reads physical lines and keeps the byte offset and number of the
// next line, so a record's position is known exactly whatever its length.
// Memory is bounded by the limit, not by the file.
type lineReader struct {
	in    input
	br    *bufio.Reader
	off   int64 // offset of the next unread byte
	line  int64 // number (1-based) of the next line
	limit int
	long  []byte // accumulates a line that does not fit br's buffer

	// partial is true when the last line returned ended at the end of the
	// input without a line break: a writer may still be appending to it.
	partial bool
}

func newLineReader(in input, limit int) *lineReader {
	return &lineReader{in: in, br: bufio.NewReaderSize(in, 64<<10), line: 1, limit: limit}
}

// seek moves to offset off, which starts line number line.
func (r *lineReader) seek(off, line int64) error {
	if _, err := r.in.Seek(off, io.SeekStart); err != nil {
		return err
	}
	r.br.Reset(r.in)
	r.off, r.line, r.partial = off, line, false
	return nil
}

// next returns the next physical line without its line ending ("\n" or
// "\r\n"). The slice is valid until the next call. At the end of input it
// returns io.EOF; a line over the limit is consumed whole and reported with
// errLineTooLong and its first bytes.
func (r *lineReader) next() ([]byte, error) {
	b, err := r.br.ReadSlice('\n')
	n := int64(len(b))
	tooLong := len(b) > r.limit
	if err == bufio.ErrBufferFull {
		// The line does not fit the buffer: gather it, keeping at most limit
		// bytes so memory stays bounded.
		r.long = append(r.long[:0], b...)
		for err == bufio.ErrBufferFull {
			b, err = r.br.ReadSlice('\n')
			n += int64(len(b))
			if !tooLong && len(r.long)+len(b) > r.limit {
				tooLong = true
			}
			if !tooLong {
				r.long = append(r.long, b...)
			}
		}
		b = r.long
	}
	if n == 0 && err != nil {
		return nil, err
	}
	if err != nil && err != io.EOF {
		return nil, err
	}
	r.off += n
	r.line++
	r.partial = err == io.EOF
	if tooLong {
		return b[:min(len(b), r.limit)], errLineTooLong
	}
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'}), nil
}
