package filesource

import (
	"bytes"
	"fmt"
	"io"
)

// csvReader parses CSV records (RFC 4180: quoted fields may hold the
// delimiter, doubled quotes and line breaks) from a lineReader. Unlike
// encoding/csv it knows the byte offset and first line of every record, and
// a malformed record costs only that record: an unclosed quote is reported
// and reading resumes on the line after the one the record began on.
//
// Memory is bounded by the record limit: one record's bytes are held at a
// time.
type csvReader struct {
	lr     *lineReader
	delim  byte
	limit  int
	buf    []byte
	ends   []int
	fields []string
}

// csvRecord is one parsed record; fields is valid until the next call.
type csvRecord struct {
	fields []string
	line   int64 // line the record begins on
	start  int64 // offset of its first byte
}

// badRecord is a record that could not be read. The reader has moved past
// it; raw text is in the input between start and end.
type badRecord struct {
	line       int64
	start, end int64
	reason     string
}

func (e *badRecord) Error() string { return fmt.Sprintf("line %d: %s", e.line, e.reason) }

func newCSVReader(lr *lineReader, delim byte, limit int) *csvReader {
	return &csvReader{lr: lr, delim: delim, limit: limit}
}

// next reads the next record, skipping blank lines. It returns io.EOF at the
// end of input and a *badRecord for a malformed record; any other error is an
// I/O error.
func (c *csvReader) next() (csvRecord, error) {
	var rec csvRecord
	var line []byte
	var err error
	for {
		rec.start, rec.line = c.lr.off, c.lr.line
		line, err = c.lr.next()
		if err == errLineTooLong {
			return rec, c.bad(rec, c.lr.off, fmt.Sprintf("line is longer than max_record_bytes (%d)", c.limit))
		}
		if err != nil {
			return rec, err
		}
		if len(line) > 0 {
			break
		}
	}
	firstEnd, firstLine := c.lr.off, c.lr.line
	// giveUp reports a record that never ends properly and resumes on the
	// line after its first one, so the lines it swallowed are read again.
	giveUp := func(reason string) (csvRecord, error) {
		if err := c.lr.seek(firstEnd, firstLine); err != nil {
			return rec, err
		}
		return rec, c.bad(rec, firstEnd, reason)
	}
	c.buf, c.ends = c.buf[:0], c.ends[:0]
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			pos++
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i >= 0 {
					c.buf = append(c.buf, line[pos:pos+i]...)
					pos += i + 1
					if pos < len(line) && line[pos] == '"' {
						c.buf = append(c.buf, '"')
						pos++
						continue
					}
					break
				}
				// The quoted field goes on past the line end.
				c.buf = append(c.buf, line[pos:]...)
				c.buf = append(c.buf, '\n')
				if c.lr.off-rec.start > int64(c.limit) {
					return giveUp(fmt.Sprintf("quoted field runs past max_record_bytes (%d); is a closing quote missing?", c.limit))
				}
				line, err = c.lr.next()
				switch {
				case err == io.EOF:
					return giveUp("quoted field is never closed")
				case err == errLineTooLong:
					return giveUp(fmt.Sprintf("quoted field runs past max_record_bytes (%d); is a closing quote missing?", c.limit))
				case err != nil:
					return rec, err
				}
				pos = 0
			}
			c.ends = append(c.ends, len(c.buf))
			if pos == len(line) {
				break
			}
			if line[pos] == c.delim {
				pos++
				continue
			}
			return rec, c.bad(rec, c.lr.off, fmt.Sprintf("unexpected %q after a closing quote (line %d, column %d)", line[pos], c.lr.line-1, pos+1))
		}
		i := bytes.IndexByte(line[pos:], c.delim)
		field := line[pos:]
		if i >= 0 {
			field = line[pos : pos+i]
		}
		if j := bytes.IndexByte(field, '"'); j >= 0 {
			return rec, c.bad(rec, c.lr.off, fmt.Sprintf("bare quote in an unquoted field (line %d, column %d)", c.lr.line-1, pos+j+1))
		}
		c.buf = append(c.buf, field...)
		c.ends = append(c.ends, len(c.buf))
		if i < 0 {
			break
		}
		pos += i + 1
	}
	s := string(c.buf)
	c.fields = c.fields[:0]
	prev := 0
	for _, e := range c.ends {
		c.fields = append(c.fields, s[prev:e])
		prev = e
	}
	rec.fields = c.fields
	return rec, nil
}

func (c *csvReader) bad(rec csvRecord, end int64, reason string) *badRecord {
	return &badRecord{line: rec.line, start: rec.start, end: end, reason: reason}
}

// detectDelimiter picks the delimiter of a header line: the most frequent of
// ',', ';', tab and '|' outside quotes; ',' when none occurs or on a tie
// with it.
func detectDelimiter(header []byte) byte {
	cands := [...]byte{',', ';', '\t', '|'}
	var counts [len(cands)]int
	quoted := false
	for _, b := range header {
		if b == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		for i, c := range cands {
			if b == c {
				counts[i]++
			}
		}
	}
	best := 0
	for i := range cands {
		if counts[i] > counts[best] {
			best = i
		}
	}
	return cands[best]
}
