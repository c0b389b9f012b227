package filesource

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/autonomos/autonomos/connectors"
)

// ErrOutsideRoot is wrapped, together with connectors.ErrNotFound, by the
// error of a read whose object would lead outside the configured root: an
// absolute path, a name with "..", or a symbolic link whose target is outside
// the root (or absolute).
var ErrOutsideRoot = errors.New("filesource: path leads outside the root directory")

// kind is a file format.
type kind int

const (
	kindCSV kind = iota + 1
	kindJSONL
	kindJSON
)

// extensions maps file extensions to formats, in the order object names are
// resolved.
var extensions = []struct {
	ext  string
	kind kind
}{
	{".csv", kindCSV},
	{".tsv", kindCSV},
	{".jsonl", kindJSONL},
	{".ndjson", kindJSONL},
	{".json", kindJSON},
}

// kindOf returns the format of a file name, or 0 when it is not read.
func kindOf(file string) kind {
	ext := strings.ToLower(filepath.Ext(file))
	for _, e := range extensions {
		if e.ext == ext {
			return e.kind
		}
	}
	return 0
}

// stem is a file name without its extension.
func stem(file string) string { return strings.TrimSuffix(file, filepath.Ext(file)) }

// checkName refuses object names that are not a plain file name in the
// root.
func checkName(name string) error {
	switch {
	case name == "" || strings.ContainsRune(name, 0):
		return fmt.Errorf("filesource: object %q: not a file name: %w", name, connectors.ErrNotFound)
	case filepath.IsAbs(name) || !filepath.IsLocal(name) || strings.HasPrefix(name, "..") ||
		strings.Contains(name, "/..") || strings.Contains(name, `\..`):
		return fmt.Errorf("%w: object %q (%w)", ErrOutsideRoot, name, connectors.ErrNotFound)
	case strings.ContainsAny(name, `/\`):
		return fmt.Errorf("filesource: object %q: only files directly in the root are objects: %w", name, connectors.ErrNotFound)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("filesource: object %q: hidden files are not objects: %w", name, connectors.ErrNotFound)
	}
	return nil
}

// isEscape reports whether err is os.Root refusing a path that leaves it.
func isEscape(err error) bool {
	return err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) &&
		strings.Contains(err.Error(), "escapes")
}

// regular reports whether file, directly in root, is a regular file or a
// symbolic link to one inside root. A link leading outside root is an error
// wrapping ErrOutsideRoot.
func regular(root *os.Root, file string) (bool, error) {
	fi, err := root.Lstat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("filesource: %q: %w", file, err)
	}
	if fi.Mode()&fs.ModeSymlink != 0 {
		fi, err = root.Stat(file)
		if isEscape(err) {
			return false, fmt.Errorf("%w: %q is a symbolic link to a place outside the root, or an absolute one (%w)", ErrOutsideRoot, file, connectors.ErrNotFound)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil
		}
		if err != nil {
			return false, fmt.Errorf("filesource: %q: %w", file, err)
		}
	}
	return fi.Mode().IsRegular(), nil
}

// resolve finds the file of an object: the name itself when it has a known
// extension, else name plus exactly one known extension.
func resolve(root *os.Root, name string) (string, kind, error) {
	if err := checkName(name); err != nil {
		return "", 0, err
	}
	if k := kindOf(name); k != 0 {
		ok, err := regular(root, name)
		if err != nil {
			return "", 0, err
		}
		if ok {
			return name, k, nil
		}
	}
	var found []string
	var kinds []kind
	for _, e := range extensions {
		ok, err := regular(root, name+e.ext)
		if err != nil {
			return "", 0, err
		}
		if ok {
			found = append(found, name+e.ext)
			kinds = append(kinds, e.kind)
		}
	}
	switch len(found) {
	case 0:
		return "", 0, fmt.Errorf("filesource: object %q: no such file in the root: %w", name, connectors.ErrNotFound)
	case 1:
		return found[0], kinds[0], nil
	}
	return "", 0, fmt.Errorf("filesource: object %q is ambiguous (%s); name the file: %w", name, strings.Join(found, ", "), connectors.ErrNotFound)
}

// openFile opens a resolved file through root, which refuses any path that
// leaves it even if the file was swapped for a link since resolve.
func openFile(root *os.Root, file string) (*os.File, error) {
	f, err := root.Open(file)
	if isEscape(err) {
		return nil, fmt.Errorf("%w: %q (%w)", ErrOutsideRoot, file, connectors.ErrNotFound)
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("filesource: %q: %w", file, connectors.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("filesource: %q: %w", file, err)
	}
	return f, nil
}

// entry is a readable file of the root.
type entry struct {
	file   string
	object string
	kind   kind
}

// list returns the root's readable files, sorted by name, each with its
// object name: the file name without extension, or the whole file name when
// two files share that stem. Hidden files, directories and links leading
// outside the root are left out.
func list(root *os.Root) ([]entry, error) {
	d, err := root.Open(".")
	if err != nil {
		return nil, fmt.Errorf("filesource: listing root: %w", err)
	}
	defer d.Close()
	des, err := d.ReadDir(-1)
	if err != nil {
		return nil, fmt.Errorf("filesource: listing root: %w", err)
	}
	var out []entry
	stems := make(map[string]int)
	for _, de := range des {
		name := de.Name()
		k := kindOf(name)
		if k == 0 || strings.HasPrefix(name, ".") {
			continue
		}
		ok, err := regular(root, name)
		if errors.Is(err, ErrOutsideRoot) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		out = append(out, entry{file: name, object: stem(name), kind: k})
		stems[stem(name)]++
	}
	sort.Slice(out, func(i, j int) bool { return out[i].file < out[j].file })
	for i := range out {
		if stems[out[i].object] > 1 {
			out[i].object = out[i].file
		}
	}
	return out, nil
}
