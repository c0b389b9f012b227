package filesource

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// Name is the connector type's registry name.
const Name = "filesource"

// Version is the connector's version.
const Version = "0.1.0"

// Defaults of the optional parameters.
const (
	// DefaultMaxRecordBytes bounds one record (one line, or one quoted CSV
	// record over several lines): 16 MiB.
	DefaultMaxRecordBytes = 16 << 20
	// DefaultScanRows is how many records Discover (and each Read) look at
	// to infer field types and the primary key.
	DefaultScanRows = 1000
)

// minRecordBytes is the smallest max_record_bytes accepted.
const minRecordBytes = 1 << 10

// Spec describes the filesource connector type and its parameters.
func Spec() connectors.Spec {
	return connectors.Spec{
		Name:        Name,
		Version:     Version,
		Description: "Reads CSV, JSON Lines and JSON-array files of one directory, one object per file.",
		Params: []connectors.Param{
			{Name: "root", Type: connectors.ParamString, Required: true,
				Description: "Directory whose files are the objects; nothing outside it is ever read."},
			{Name: "delimiter", Type: connectors.ParamString,
				Description: `CSV delimiter: ",", ";", "|" or "tab"; detected from each file's header when unset.`},
			{Name: "max_record_bytes", Type: connectors.ParamInt, Default: strconv.Itoa(DefaultMaxRecordBytes),
				Description: "Largest record, in bytes; a longer one is a record error."},
			{Name: "scan_rows", Type: connectors.ParamInt, Default: strconv.Itoa(DefaultScanRows),
				Description: "Records scanned per file to infer field types and the primary key."},
			{Name: "key", Type: connectors.ParamString,
				Description: `Key field records are identified by: one field name for every object that has it, or object:field pairs ("contacts:contact_id,deals:opp_id"; "object:" identifies that object's records by position). Inferred from the field names when unset.`},
			{Name: "null_values", Type: connectors.ParamString, Default: strings.Join(canonical.DefaultNullValues, ","),
				Description: `Comma-separated texts read as a missing value (compared after trimming white space), for type inference and the values Read emits; "none" for no texts. Empty CSV text is always missing.`},
			{Name: "settle", Type: connectors.ParamDuration, Default: DefaultSettle.String(),
				Description: "A last line without its line break is read only once the file has not changed for this long (a writer may still be appending to it)."},
		},
		ChangeModels: []connectors.ChangeModel{connectors.ChangeIncremental},
	}
}

// DefaultSettle is the default of the "settle" parameter.
const DefaultSettle = 10 * time.Second

// Source is a connector reading the files of one directory. Make one with
// New. A Source holds no open files between calls and is safe for concurrent
// use; Check, Discover and Read may run at the same time.
type Source struct {
	connectors.UnimplementedConnector
	root string
	opt  scanOptions
	// base, when set, confines the source: root is opened as the
	// directory rel inside base through an os.Root on every call, so a
	// link placed in the path later cannot lead outside base.
	base, rel string
}

var _ connectors.Connector = (*Source)(nil)

// New makes a Source from cfg (see Spec for the parameters). A relative root
// is made absolute against the working directory; the directory itself is
// only opened by Check, Discover and Read, so it may appear later. Errors
// wrap connectors.ErrInvalidConfig and name the bad parameter.
func New(cfg connectors.Config) (*Source, error) {
	spec := Spec()
	if err := spec.ValidateConfig(cfg); err != nil {
		return nil, err
	}
	root, err := filepath.Abs(spec.Get(cfg, "root"))
	if err != nil {
		return nil, fmt.Errorf("%w: filesource: parameter \"root\": %v", connectors.ErrInvalidConfig, err)
	}
	s := &Source{root: root}
	switch d := spec.Get(cfg, "delimiter"); d {
	case "":
	case ",", ";", "|":
		s.opt.delim = d[0]
	case "tab", "\t":
		s.opt.delim = '\t'
	default:
		return nil, fmt.Errorf("%w: filesource: parameter \"delimiter\" = %q: use \",\", \";\", \"|\" or \"tab\"", connectors.ErrInvalidConfig, d)
	}
	s.opt.limit, err = strconv.Atoi(spec.Get(cfg, "max_record_bytes"))
	if err != nil || s.opt.limit < minRecordBytes {
		return nil, fmt.Errorf("%w: filesource: parameter \"max_record_bytes\" must be at least %d", connectors.ErrInvalidConfig, minRecordBytes)
	}
	s.opt.scanRows, err = strconv.Atoi(spec.Get(cfg, "scan_rows"))
	if err != nil || s.opt.scanRows < 1 {
		return nil, fmt.Errorf("%w: filesource: parameter \"scan_rows\" must be at least 1", connectors.ErrInvalidConfig)
	}
	if s.opt.keys, err = parseKeySpec(spec.Get(cfg, "key")); err != nil {
		return nil, err
	}
	if s.opt.nulls, err = parseNullTexts(spec.Get(cfg, "null_values")); err != nil {
		return nil, err
	}
	s.opt.settle, err = time.ParseDuration(spec.Get(cfg, "settle"))
	if err != nil || s.opt.settle < 0 {
		return nil, fmt.Errorf("%w: filesource: parameter \"settle\" must be a duration of zero or more", connectors.ErrInvalidConfig)
	}
	return s, nil
}

// NewConfined is New for a source that must stay inside the directory base:
// cfg's root (absolute, or relative to base) must lie in base, and every
// call opens it through an os.Root of base, so nothing outside base is ever
// read, even when a directory of the path is replaced by a symbolic link
// after the source was made. Errors wrap connectors.ErrInvalidConfig.
func NewConfined(base string, cfg connectors.Config) (*Source, error) {
	base, err := filepath.Abs(base)
	if err != nil {
		return nil, fmt.Errorf("%w: filesource: confining directory: %v", connectors.ErrInvalidConfig, err)
	}
	dir := cfg["root"]
	if dir != "" && !filepath.IsAbs(dir) {
		dir = filepath.Join(base, dir)
	}
	rel, err := filepath.Rel(base, filepath.Clean(dir))
	if dir == "" || err != nil || !filepath.IsLocal(rel) && rel != "." {
		return nil, fmt.Errorf("%w: filesource: root %q is outside the confining directory", connectors.ErrInvalidConfig, cfg["root"])
	}
	confined := make(connectors.Config, len(cfg))
	for k, v := range cfg {
		confined[k] = v
	}
	confined["root"] = filepath.Join(base, rel)
	s, err := New(confined)
	if err != nil {
		return nil, err
	}
	s.base, s.rel = base, rel
	return s, nil
}

// Factory makes a Source as a connectors.Factory.
func Factory(cfg connectors.Config) (connectors.Connector, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Register adds the filesource type to reg. It fails if the name is taken.
func Register(reg *connectors.Registry) error {
	return reg.Register(Spec(), Factory)
}

// Spec describes the connector type.
func (s *Source) Spec() connectors.Spec { return Spec() }

// Root returns the absolute root directory.
func (s *Source) Root() string { return s.root }

// openRoot opens the root directory; errors wrap
// connectors.ErrInvalidConfig when the directory is missing or not one.
func (s *Source) openRoot() (*os.Root, error) {
	if s.base != "" {
		return s.openConfined()
	}
	fi, err := os.Stat(s.root)
	if err == nil && !fi.IsDir() {
		return nil, fmt.Errorf("%w: filesource: root %q is not a directory", connectors.ErrInvalidConfig, s.root)
	}
	r, err := os.OpenRoot(s.root)
	switch {
	case err == nil:
		return r, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: filesource: root %q does not exist", connectors.ErrInvalidConfig, s.root)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%w: filesource: root %q: permission denied", connectors.ErrInvalidConfig, s.root)
	}
	return nil, fmt.Errorf("filesource: root %q: %w", s.root, err)
}

// openConfined opens root as rel inside base, refusing a path that leaves
// base through a link.
func (s *Source) openConfined() (*os.Root, error) {
	b, err := os.OpenRoot(s.base)
	if err != nil {
		return nil, fmt.Errorf("%w: filesource: confining directory %q: %v", connectors.ErrInvalidConfig, s.base, err)
	}
	defer b.Close()
	if s.rel == "." {
		return os.OpenRoot(s.base)
	}
	r, err := b.OpenRoot(s.rel)
	switch {
	case err == nil:
		return r, nil
	case isEscape(err):
		return nil, fmt.Errorf("%w: filesource: root %q leads outside the confining directory (%w)", connectors.ErrInvalidConfig, s.root, ErrOutsideRoot)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%w: filesource: root %q does not exist", connectors.ErrInvalidConfig, s.root)
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%w: filesource: root %q: permission denied", connectors.ErrInvalidConfig, s.root)
	}
	return nil, fmt.Errorf("%w: filesource: root %q: %v", connectors.ErrInvalidConfig, s.root, err)
}

// Check verifies that the root is a directory that can be listed. Errors
// wrap connectors.ErrInvalidConfig when it is missing or not a directory.
func (s *Source) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("filesource: check: %w", err)
	}
	root, err := s.openRoot()
	if err != nil {
		return err
	}
	defer root.Close()
	_, err = list(root)
	return err
}

// Discover lists one object per readable file directly in the root (.csv,
// .tsv, .jsonl, .ndjson, .json), named after the file without its extension
// (or with it, when two files share a name). Fields, types, samples and the
// primary key come from the first scan_rows records. A .json file may hold
// an array of objects, an object wrapping one (records, data, items,
// results), JSON Lines or one object, and MongoDB Extended JSON. Files with
// no records (empty, header only) or whose content cannot be read at all
// (a broken CSV header, a .json file in no known form), and links leading
// outside the root, are listed in Catalog.Skipped with the reason.
func (s *Source) Discover(ctx context.Context) (*connectors.Catalog, error) {
	root, err := s.openRoot()
	if err != nil {
		return nil, err
	}
	defer root.Close()
	entries, err := list(root)
	if err != nil {
		return nil, err
	}
	cat := &connectors.Catalog{Objects: []connectors.Object{}}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("filesource: discover: %w", err)
		}
		lay, err := s.scanFile(ctx, root, e.file, e.object, e.kind)
		if errors.Is(err, errContent) || errors.Is(err, ErrOutsideRoot) {
			cat.Skipped = append(cat.Skipped, connectors.Skipped{File: e.file, Reason: skipReason(err)})
			continue
		}
		if err != nil {
			return nil, err
		}
		if len(lay.fields) == 0 {
			cat.Skipped = append(cat.Skipped, connectors.Skipped{File: e.file, Reason: emptyReason(lay)})
			continue
		}
		o := connectors.Object{}
		o.Schema.System = Name
		o.Schema.Object = e.object
		o.Schema.Fields = lay.fields
		if lay.pk != "" {
			o.PrimaryKey = []string{lay.pk}
		}
		o.ChangeModel = connectors.ChangeIncremental
		cat.Objects = append(cat.Objects, o)
	}
	return cat, nil
}

func (s *Source) scanFile(ctx context.Context, root *os.Root, file, object string, k kind) (*layout, error) {
	f, err := openFile(root, file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("filesource: %q: %w", file, err)
	}
	return scan(ctx, f, fi.Size(), file, object, k, s.opt)
}

// Read streams the records of one object from req.Cursor on, in file order,
// holding one record in memory at a time. CSV values are typed by the
// column's inferred type (integer → int64, number → float64, boolean →
// bool, empty → nil, anything else as written); JSON values as decoded, with
// integers as int64 and other numbers as float64.
//
// A record's ID is its primary-key value when the object has one, else its
// line number (CSV, JSON Lines) or element number (JSON array). A malformed
// record is emitted with Err set, its location ("accounts.csv:17") and raw
// text, and the read goes on.
//
// Errors: an unknown object wraps connectors.ErrNotFound; a name leading
// outside the root also wraps ErrOutsideRoot; a cursor from another file, or
// from before the file was rewritten, wraps connectors.ErrInvalidCursor. Read
// returns ctx's error, wrapped, soon after ctx is cancelled, and emit's error
// as is.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("filesource: read %q: %w", req.Object, err)
	}
	root, err := s.openRoot()
	if err != nil {
		return err
	}
	defer root.Close()
	file, k, err := resolve(root, req.Object)
	if err != nil {
		return err
	}
	f, err := openFile(root, file)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("filesource: %q: %w", file, err)
	}
	settled := time.Since(fi.ModTime()) >= s.opt.settle
	return readInput(ctx, f, fi.Size(), settled, file, req.Object, k, s.opt, req.Cursor, emit)
}

// readInput reads the records of one opened file from cur on. settled says
// the file has not changed for the settle time.
func readInput(ctx context.Context, in input, size int64, settled bool, file, object string, k kind, opt scanOptions,
	cur connectors.Cursor, emit func(connectors.Record) error) error {
	lay, err := scan(ctx, in, size, file, object, k, opt)
	if err != nil {
		return err
	}
	pos := position{off: lay.dataStart, line: lay.dataLine}
	var resume *cursor
	if cur != "" {
		if resume, err = parseCursor(cur, lay); err != nil {
			return err
		}
		if resume.Key != lay.pk {
			// The key is kept for as long as the cursor: a pass that began
			// with a key goes on with it.
			_, explicit := opt.keys.lookup(object)
			if explicit || (resume.Key != "" && !lay.hasField(resume.Key) && k == kindCSV) {
				return fmt.Errorf("%w: filesource: cursor identifies records of %q by %q, now %q; read it again from the start", connectors.ErrInvalidCursor, file, resume.Key, lay.pk)
			}
			lay.setKey(resume.Key)
		}
	}
	r := newReader(ctx, in, lay, opt, resume, settled, emit)
	if lay.single {
		return r.single(pos)
	}
	switch lay.kind { // a .json file may hold JSON Lines
	case kindCSV:
		return r.csv(pos)
	case kindJSONL:
		return r.jsonl(pos)
	default:
		return r.json(pos)
	}
}

// Close releases nothing (files are opened per call) and returns nil. It
// is safe to call more than once.
func (s *Source) Close() error { return nil }
