package filesource

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// errContent marks a file whose content cannot be read as an object at all
// (a broken CSV header, a .json file that is not an array). Discover leaves
// such files out; Read reports them.
var errContent = errors.New("filesource: unreadable file")

// headBytes bounds the first line a cursor's head checksum covers.
const headBytes = 4 << 10

// layout is what scanning the start of a file learns; reads rely on it.
type layout struct {
	file   string
	object string
	kind   kind
	size   int64
	head   uint32

	delim  byte     // CSV
	header []string // CSV column names, made unique
	types  []canonical.FieldType

	fields []canonical.SourceField
	pk     string
	pkCol  int // CSV column of pk, -1 when none

	dataStart, dataLine int64
	single              bool // a .json file holding one object
}

// scanOptions are the Source settings scanning needs.
type scanOptions struct {
	delim    byte // 0: detect
	limit    int
	scanRows int
	keys     keySpec       // the "key" parameter
	settle   time.Duration // the "settle" parameter
	nulls    nullTexts     // the "null_values" parameter
}

// scan reads the first records of a file (at most opt.scanRows) to learn its
// layout: format details, field types and samples, primary key.
func scan(ctx context.Context, in input, size int64, file, object string, k kind, opt scanOptions) (*layout, error) {
	lay := &layout{file: file, object: object, kind: k, size: size, pkCol: -1}
	first := make([]byte, min(size, headBytes+3))
	if _, err := in.ReadAt(first, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("filesource: %q: %w", file, err)
	}
	bom := int64(0)
	if bytes.HasPrefix(first, []byte("\xEF\xBB\xBF")) {
		bom = 3
		first = first[3:]
	}
	if i := bytes.IndexByte(first, '\n'); i >= 0 {
		first = first[:i]
	}
	first = bytes.TrimSuffix(first, []byte{'\r'})
	lay.head = crc32.ChecksumIEEE(first)
	lay.dataStart, lay.dataLine = bom, 1
	inf := newInference(object, opt.nulls)
	var err error
	switch k {
	case kindCSV:
		lay.delim = opt.delim
		if lay.delim == 0 {
			lay.delim = detectDelimiter(first)
		}
		err = scanCSV(ctx, in, lay, inf, opt)
	case kindJSONL:
		err = scanJSONL(ctx, in, lay, inf, opt)
	case kindJSON:
		err = scanJSONForms(ctx, in, lay, inf, opt)
	}
	if err != nil {
		return nil, err
	}
	lay.fields, lay.pk = inf.schema(k == kindCSV)
	if field, ok := opt.keys.lookup(object); ok {
		switch {
		case field == "" || lay.hasField(field):
			lay.pk = field
		case opt.keys.all == "" && k == kindCSV:
			return nil, fmt.Errorf("%w: filesource: parameter \"key\": %q has no field %q", connectors.ErrInvalidConfig, file, field)
		case opt.keys.all == "":
			lay.pk = field // JSON: the field may first appear after the scanned records
		}
	}
	if k == kindCSV {
		lay.types = make([]canonical.FieldType, len(lay.fields))
		for i, f := range lay.fields {
			lay.types[i] = f.Type
		}
	}
	lay.setKey(lay.pk)
	return lay, nil
}

func (lay *layout) hasField(name string) bool {
	for _, f := range lay.fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

// setKey makes field the key records are identified by ("" for
// positions).
func (lay *layout) setKey(field string) {
	lay.pk, lay.pkCol = field, -1
	if lay.kind == kindCSV {
		for i, f := range lay.fields {
			if f.Name == field {
				lay.pkCol = i
			}
		}
	}
}

func scanCSV(ctx context.Context, in input, lay *layout, inf *inference, opt scanOptions) error {
	lr := newLineReader(in, opt.limit)
	if err := lr.seek(lay.dataStart, 1); err != nil {
		return fmt.Errorf("filesource: %q: %w", lay.file, err)
	}
	cr := newCSVReader(lr, lay.delim, opt.limit)
	rec, err := cr.next()
	if err == io.EOF {
		return nil // empty file: no fields
	}
	var bad *badRecord
	if errors.As(err, &bad) {
		return fmt.Errorf("%w: %q: header: %s", errContent, lay.file, bad.Error())
	}
	if err != nil {
		return fmt.Errorf("filesource: %q: %w", lay.file, err)
	}
	lay.header = uniqueNames(rec.fields)
	for _, h := range lay.header {
		inf.field(h)
	}
	lay.dataStart, lay.dataLine = lr.off, lr.line
	for inf.rows < opt.scanRows {
		if inf.rows%64 == 0 && ctx.Err() != nil {
			return fmt.Errorf("filesource: scanning %q: %w", lay.file, ctx.Err())
		}
		rec, err := cr.next()
		if err == io.EOF {
			break
		}
		if errors.As(err, &bad) {
			continue
		}
		if err != nil {
			return fmt.Errorf("filesource: %q: %w", lay.file, err)
		}
		if len(rec.fields) != len(lay.header) {
			continue
		}
		inf.rows++
		for i, v := range rec.fields {
			inf.fields[i].addText(v)
		}
	}
	return nil
}

// uniqueNames makes header names usable as field names: surrounding white
// space is trimmed (" Name" and "Name" are one column, as schema
// fingerprints see them), an empty name becomes column_N (N from 1), a
// repeated one gets a _2, _3... suffix.
func uniqueNames(names []string) []string {
	out := make([]string, len(names))
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			n = "column_" + strconv.Itoa(i+1)
		}
		base := n
		for j := 2; seen[n]; j++ {
			n = base + "_" + strconv.Itoa(j)
		}
		seen[n] = true
		out[i] = n
	}
	return out
}

func scanJSONL(ctx context.Context, in input, lay *layout, inf *inference, opt scanOptions) error {
	lr := newLineReader(in, opt.limit)
	if err := lr.seek(lay.dataStart, 1); err != nil {
		return fmt.Errorf("filesource: %q: %w", lay.file, err)
	}
	for inf.rows < opt.scanRows {
		if inf.rows%64 == 0 && ctx.Err() != nil {
			return fmt.Errorf("filesource: scanning %q: %w", lay.file, ctx.Err())
		}
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err == errLineTooLong {
			continue
		}
		if err != nil {
			return fmt.Errorf("filesource: %q: %w", lay.file, err)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		keys, obj, err := decodeOrdered(line)
		if err != nil {
			continue
		}
		inf.addObject(keys, obj)
	}
	return nil
}

func scanJSON(ctx context.Context, in input, lay *layout, inf *inference, opt scanOptions) error {
	start, err := arrayStart(in, lay.dataStart)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", errContent, lay.file, err)
	}
	lay.dataStart = start
	ar, err := newArrayReader(in, start, lay.size, false)
	if err != nil {
		return fmt.Errorf("filesource: %q: %w", lay.file, err)
	}
	for inf.rows < opt.scanRows {
		if inf.rows%64 == 0 && ctx.Err() != nil {
			return fmt.Errorf("filesource: scanning %q: %w", lay.file, ctx.Err())
		}
		raw, _, err := ar.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			break // a syntax error ends the array; scan what came before
		}
		keys, obj, err := decodeOrdered(raw)
		if err != nil {
			continue
		}
		inf.addObject(keys, obj)
	}
	return nil
}

// addObject records one decoded JSON object, its keys in file order so
// fields are listed as the file first spells them.
func (in *inference) addObject(keys []string, obj map[string]any) {
	in.rows++
	for _, k := range keys {
		in.field(k).addValue(obj[k])
	}
}

// decodeOrdered is decodeObject that also returns the object's keys in the
// order they appear.
func decodeOrdered(b []byte) ([]string, map[string]any, error) {
	obj, err := decodeObject(b)
	if err != nil {
		return nil, nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if _, err := dec.Token(); err != nil { // {
		return nil, nil, err
	}
	keys := make([]string, 0, len(obj))
	listed := make(map[string]bool, len(obj))
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		k, _ := t.(string)
		if !listed[k] {
			listed[k] = true
			keys = append(keys, k)
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, nil, err
		}
	}
	return keys, obj, nil
}

// decodeObject decodes one JSON object, numbers as int64 or float64.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("invalid JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("invalid JSON: data after the value")
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("a JSON %s, not an object", jsonKind(v))
	}
	if hasExtJSON(obj) {
		return fromExtJSON(b)
	}
	canonical.NormalizeJSONNumbers(obj)
	return obj, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	}
	return "value"
}
