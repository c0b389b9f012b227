package filesource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/autonomos/autonomos/connectors"
)

// maxRaw bounds the raw text attached to a record error.
const maxRaw = 64 << 10

// reader emits the records of one file from a position.
type reader struct {
	ctx  context.Context
	in   input
	lay  *layout
	opt  scanOptions
	cw   *cursorWriter
	emit func(connectors.Record) error
	done <-chan struct{} // r.ctx.Done(), looked up once
}

// cancelled returns the context's error once it is done. It runs before
// every record, so a cancel seen by emit stops the read before the next one.
func (r *reader) cancelled() error {
	select {
	case <-r.done:
		return fmt.Errorf("filesource: read %q: %w", r.lay.object, r.ctx.Err())
	default:
		return nil
	}
}

func (r *reader) location(line int64) string {
	return r.lay.file + ":" + strconv.FormatInt(line, 10)
}

// bad emits a record that could not be read, with the raw text found in
// the file between start and end.
func (r *reader) bad(loc, reason string, start, end int64, cur connectors.Cursor) error {
	return r.emit(connectors.Record{
		ID:     loc,
		Cursor: cur,
		Err:    &connectors.RecordError{Location: loc, Reason: reason, Raw: rawText(r.in, start, end)},
	})
}

// rawText returns the file's bytes in [start, end), at most maxRaw of them,
// without a final line break.
func rawText(in io.ReaderAt, start, end int64) string {
	n := min(end-start, maxRaw)
	if n <= 0 {
		return ""
	}
	b := make([]byte, n)
	n2, _ := in.ReadAt(b, start)
	b = b[:n2]
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return string(b)
}

func (r *reader) csv(pos position) error {
	lay := r.lay
	if len(lay.header) == 0 {
		return nil
	}
	lr := newLineReader(r.in, r.opt.limit)
	if err := lr.seek(pos.off, pos.line); err != nil {
		return fmt.Errorf("filesource: %q: %w", lay.file, err)
	}
	cr := newCSVReader(lr, lay.delim, r.opt.limit)
	n := pos.n
	for {
		if err := r.cancelled(); err != nil {
			return err
		}
		rec, err := cr.next()
		if err == io.EOF {
			return nil
		}
		n++
		cur := r.cw.cursor(position{off: lr.off, line: lr.line, n: n}, lr.tail[:lr.tailLen])
		if err != nil {
			var bad *badRecord
			if !errors.As(err, &bad) {
				return fmt.Errorf("filesource: %q: %w", lay.file, err)
			}
			if err := r.bad(r.location(bad.line), bad.reason, bad.start, bad.end, cur); err != nil {
				return err
			}
			continue
		}
		if len(rec.fields) != len(lay.header) {
			reason := fmt.Sprintf("row has %d fields, the header has %d", len(rec.fields), len(lay.header))
			if err := r.bad(r.location(rec.line), reason, rec.start, lr.off, cur); err != nil {
				return err
			}
			continue
		}
		fields := make(map[string]any, len(rec.fields))
		for i, v := range rec.fields {
			fields[lay.header[i]] = convertText(v, lay.types[i])
		}
		var id string
		if lay.pkCol >= 0 && rec.fields[lay.pkCol] != "" {
			id = rec.fields[lay.pkCol]
		} else if lay.pkCol >= 0 {
			id = r.location(rec.line)
		} else {
			id = strconv.FormatInt(rec.line, 10)
		}
		if err := r.emit(connectors.Record{ID: id, Fields: fields, Cursor: cur}); err != nil {
			return err
		}
	}
}

func (r *reader) jsonl(pos position) error {
	lay := r.lay
	lr := newLineReader(r.in, r.opt.limit)
	if err := lr.seek(pos.off, pos.line); err != nil {
		return fmt.Errorf("filesource: %q: %w", lay.file, err)
	}
	n := pos.n
	for {
		if err := r.cancelled(); err != nil {
			return err
		}
		start, line := lr.off, lr.line
		b, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil && err != errLineTooLong {
			return fmt.Errorf("filesource: %q: %w", lay.file, err)
		}
		if err == nil && isBlank(b) {
			continue
		}
		n++
		cur := r.cw.cursor(position{off: lr.off, line: lr.line, n: n}, lr.tail[:lr.tailLen])
		if err == errLineTooLong {
			reason := fmt.Sprintf("line is longer than max_record_bytes (%d)", r.opt.limit)
			if err := r.bad(r.location(line), reason, start, lr.off, cur); err != nil {
				return err
			}
			continue
		}
		obj, derr := decodeObject(b)
		if derr != nil {
			if err := r.bad(r.location(line), derr.Error(), start, lr.off, cur); err != nil {
				return err
			}
			continue
		}
		if err := r.emit(connectors.Record{ID: r.idOf(obj, line, r.location(line)), Fields: obj, Cursor: cur}); err != nil {
			return err
		}
	}
}

// idOf returns a decoded object's ID: its primary-key value, else its
// position, or its location when the key value is missing.
func (r *reader) idOf(obj map[string]any, ordinal int64, loc string) string {
	if r.lay.pk == "" {
		return strconv.FormatInt(ordinal, 10)
	}
	if id, ok := idOf(obj[r.lay.pk]); ok {
		return id
	}
	return loc
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\t' && c != '\r' {
			return false
		}
	}
	return true
}

func (r *reader) json(pos position) error {
	lay := r.lay
	if pos.end {
		return nil
	}
	ar, err := newArrayReader(r.in, pos.off, lay.size, pos.off != lay.dataStart)
	if err != nil {
		return fmt.Errorf("filesource: %q: %w", lay.file, err)
	}
	n := pos.n
	for {
		if err := r.cancelled(); err != nil {
			return err
		}
		raw, start, err := ar.next()
		if err == io.EOF {
			return nil
		}
		n++
		loc := lay.file + ": element " + strconv.FormatInt(n, 10)
		if err != nil {
			// A syntax error leaves nowhere to resume: report it with the
			// text that follows the last good element and stop.
			tail := make([]byte, min(lay.size, tailMax))
			_, _ = r.in.ReadAt(tail, lay.size-int64(len(tail)))
			cur := r.cw.cursor(position{off: lay.size, line: 1, n: n, end: true}, tail)
			reason := fmt.Sprintf("invalid JSON: %v; the rest of the file cannot be read", err)
			return r.bad(loc, reason, ar.end, min(ar.end+1024, lay.size), cur)
		}
		cur := r.cw.cursor(position{off: ar.end, line: 1, n: n}, raw[len(raw)-min(len(raw), tailMax):])
		obj, derr := decodeObject(raw)
		if derr != nil {
			if err := r.bad(loc, "element is "+derr.Error(), start, ar.end, cur); err != nil {
				return err
			}
			continue
		}
		if err := r.emit(connectors.Record{ID: r.idOf(obj, n, loc), Fields: obj, Cursor: cur}); err != nil {
			return err
		}
	}
}
