package filesource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/autonomos/autonomos/connectors"
)

// maxRaw bounds the raw text attached to a record error.
const maxRaw = 64 << 10

// reader emits the records of one file. It always reads from the start of
// the data: records before a resumed cursor are parsed but not emitted, so
// the checksum of the whole prefix and the record count are verified at the
// cursor, and keys seen before it count for duplicates.
type reader struct {
	ctx  context.Context
	in   input
	lay  *layout
	opt  scanOptions
	cw   *cursorWriter
	emit func(connectors.Record) error
	done <-chan struct{} // r.ctx.Done(), looked up once

	sum     *prefixSum
	resume  *cursor // the cursor to reach before emitting; nil once reached
	settled bool    // the file has not changed for opt.settle
	keys    *keySet // IDs seen, when records are keyed
	lastCur connectors.Cursor
}

func newReader(ctx context.Context, in input, lay *layout, opt scanOptions, resume *cursor, settled bool, emit func(connectors.Record) error) *reader {
	r := &reader{ctx: ctx, in: in, lay: lay, opt: opt, cw: newCursorWriter(lay.file, lay.pk), emit: emit,
		done: ctx.Done(), sum: newPrefixSum(in), resume: resume, settled: settled}
	if lay.pk != "" {
		r.keys = newKeySet()
	}
	return r
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

// cursorAt returns the cursor of boundary p (the checksum is advanced to
// it).
func (r *reader) cursorAt(p position) (connectors.Cursor, error) {
	if err := r.sum.advance(p.off); err != nil {
		return "", fmt.Errorf("filesource: %q: %w", r.lay.file, err)
	}
	return r.cw.cursor(p, r.sum.value()), nil
}

// begin passes the boundary where the data starts.
func (r *reader) begin(p position) error {
	cur, err := r.cursorAt(p)
	if err != nil {
		return err
	}
	return r.pass(p, cur)
}

// pass records that reading got to boundary p: it is where a later record
// without its line break is resumed from, and where the resumed cursor is
// checked.
func (r *reader) pass(p position, cur connectors.Cursor) error {
	r.lastCur = cur
	if r.resume == nil || p.off < r.resume.Off {
		return nil
	}
	if p.off == r.resume.Off && p.line == r.resume.Line && p.n == r.resume.N && p.end == r.resume.End && r.sum.value() == r.resume.Sum {
		r.resume = nil // reached: emit from here on
		return nil
	}
	return errRewritten(r.lay.file)
}

// deliver emits rec, which ends at boundary p, unless the resumed cursor
// lies after it.
func (r *reader) deliver(rec connectors.Record, p position) error {
	cur, err := r.cursorAt(p)
	if err != nil {
		return err
	}
	rec.Cursor = cur
	if r.resume != nil {
		return r.pass(p, cur) // emitted by an earlier read
	}
	r.lastCur = cur
	return r.emit(rec)
}

// deliverPartial handles a record whose last line has no line break yet:
// while the file is still changing it is left for a later read (the read
// ends before it); once the file has settled it is emitted, with the cursor
// of the boundary before it, so a later read reads it again and sees what a
// writer appended to it.
func (r *reader) deliverPartial(rec connectors.Record) (stop bool, err error) {
	if r.resume != nil {
		return true, errRewritten(r.lay.file) // the cursor lay inside or after it
	}
	if !r.settled {
		return true, nil
	}
	rec.Cursor = r.lastCur
	return false, r.emit(rec)
}

// finish ends a read at the end of the data.
func (r *reader) finish() error {
	if r.resume != nil {
		return errRewritten(r.lay.file)
	}
	return nil
}

// badRec is a record that could not be read, with the raw text found in
// the file between start and end.
func (r *reader) badRec(loc, reason string, start, end int64) connectors.Record {
	return connectors.Record{ID: loc, Err: &connectors.RecordError{Location: loc, Reason: reason, Raw: rawText(r.in, start, end)}}
}

// keyed returns the record for a row whose key value is id (ok false when
// blank): the record itself, or an error record when the key is blank or
// was seen before in the file.
func (r *reader) keyed(id string, ok bool, loc string, ord int64, fields map[string]any, start, end int64) connectors.Record {
	if !ok || strings.TrimSpace(id) == "" {
		return r.badRec(loc, fmt.Sprintf("key field %q is blank, missing or not a single value", r.lay.pk), start, end)
	}
	if first, dup := r.keys.add(id, ord); dup {
		return r.badRec(loc, fmt.Sprintf("duplicate key %q (first at %s)", id, r.location(first)), start, end)
	}
	return connectors.Record{ID: id, Fields: fields}
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
	if err := r.begin(pos); err != nil {
		return err
	}
	if len(lay.header) == 0 {
		return r.finish()
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
			return r.finish()
		}
		n++
		var out connectors.Record
		var bad *badRecord
		switch {
		case errors.As(err, &bad):
			out = r.badRec(r.location(bad.line), bad.reason, bad.start, bad.end)
		case err != nil:
			return fmt.Errorf("filesource: %q: %w", lay.file, err)
		case len(rec.fields) != len(lay.header):
			reason := fmt.Sprintf("row has %d fields, the header has %d", len(rec.fields), len(lay.header))
			out = r.badRec(r.location(rec.line), reason, rec.start, lr.off)
		default:
			fields := make(map[string]any, len(rec.fields))
			for i, v := range rec.fields {
				if r.opt.nulls.has(v) {
					fields[lay.header[i]] = nil
					continue
				}
				fields[lay.header[i]] = convertText(v, lay.types[i])
			}
			if lay.pkCol >= 0 {
				v := rec.fields[lay.pkCol]
				out = r.keyed(v, !r.opt.nulls.has(v), r.location(rec.line), rec.line, fields, rec.start, lr.off)
			} else {
				out = connectors.Record{ID: strconv.FormatInt(rec.line, 10), Fields: fields}
			}
		}
		if lr.partial {
			stop, err := r.deliverPartial(out)
			if err != nil || stop {
				return err
			}
			continue
		}
		if err := r.deliver(out, position{off: lr.off, line: lr.line, n: n}); err != nil {
			return err
		}
	}
}

func (r *reader) jsonl(pos position) error {
	lay := r.lay
	if err := r.begin(pos); err != nil {
		return err
	}
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
			return r.finish()
		}
		if err != nil && err != errLineTooLong {
			return fmt.Errorf("filesource: %q: %w", lay.file, err)
		}
		if err == nil && isBlank(b) {
			continue
		}
		n++
		var out connectors.Record
		if err == errLineTooLong {
			reason := fmt.Sprintf("line is longer than max_record_bytes (%d)", r.opt.limit)
			out = r.badRec(r.location(line), reason, start, lr.off)
		} else if obj, derr := decodeObject(b); derr != nil {
			out = r.badRec(r.location(line), derr.Error(), start, lr.off)
		} else {
			out = r.record(obj, line, r.location(line), start, lr.off)
		}
		if lr.partial {
			stop, err := r.deliverPartial(out)
			if err != nil || stop {
				return err
			}
			continue
		}
		if err := r.deliver(out, position{off: lr.off, line: lr.line, n: n}); err != nil {
			return err
		}
	}
}

// record is the record of a decoded object: identified by its key value,
// else by its ordinal (line or element number).
func (r *reader) record(obj map[string]any, ordinal int64, loc string, start, end int64) connectors.Record {
	r.opt.nulls.nullify(obj)
	if r.lay.pk == "" {
		return connectors.Record{ID: strconv.FormatInt(ordinal, 10), Fields: obj}
	}
	id, ok := idOf(obj[r.lay.pk])
	return r.keyed(id, ok, loc, ordinal, obj, start, end)
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
	if err := r.begin(pos); err != nil {
		return err
	}
	ar, err := newArrayReader(r.in, pos.off, lay.size, false)
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
			return r.finish()
		}
		n++
		loc := lay.file + ": element " + strconv.FormatInt(n, 10)
		if err != nil {
			// A syntax error leaves nowhere to resume. While the file is
			// still changing it may be a writer's unfinished array: stop
			// before it. Else report it with the text that follows the last
			// good element and stop.
			if r.resume == nil && !r.settled {
				return nil
			}
			reason := fmt.Sprintf("invalid JSON: %v; the rest of the file cannot be read", err)
			return r.deliver(r.badRec(loc, reason, ar.end, min(ar.end+1024, lay.size)), position{off: lay.size, line: 1, n: n, end: true})
		}
		var out connectors.Record
		if obj, derr := decodeObject(raw); derr != nil {
			out = r.badRec(loc, "element is "+derr.Error(), start, ar.end)
		} else {
			out = r.record(obj, n, loc, start, ar.end)
		}
		if err := r.deliver(out, position{off: ar.end, line: 1, n: n}); err != nil {
			return err
		}
	}
}
