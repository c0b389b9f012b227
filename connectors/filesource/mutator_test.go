package filesource_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// csvMutator changes the accounts.csv of seed (';' delimited, CRLF) for
// the conformance suite's Changes check.
type csvMutator struct{ path string }

func (m csvMutator) edit(f func([]byte) ([]byte, error)) error {
	b, err := os.ReadFile(m.path)
	if err != nil {
		return err
	}
	if b, err = f(b); err != nil {
		return err
	}
	return os.WriteFile(m.path, b, 0o644)
}

// line returns the offsets of record id's line (a one-line record).
func line(b []byte, id string) (int, int, error) {
	i := bytes.Index(b, []byte("\n"+id+";"))
	if i < 0 {
		return 0, 0, fmt.Errorf("no record %q", id)
	}
	end := bytes.Index(b[i+1:], []byte("\r\n"))
	if end < 0 || bytes.Count(b[i+1:i+1+end], []byte(`"`)) > 0 {
		return 0, 0, fmt.Errorf("record %q is not one plain line", id)
	}
	return i + 1, i + 1 + end + 2, nil
}

func (m csvMutator) Insert(context.Context) (string, error) {
	id := fmt.Sprint(500_000 + rand.IntN(1_000_000))
	return id, m.edit(func(b []byte) ([]byte, error) {
		return append(b, id+";Inserted;1.50;true;2024-02-01\r\n"...), nil
	})
}

// Update flips the case of the record's name: every length stays.
func (m csvMutator) Update(_ context.Context, id string) error {
	return m.edit(func(b []byte) ([]byte, error) {
		start, end, err := line(b, id)
		if err != nil {
			return nil, err
		}
		ln := b[start:end]
		up := bytes.ToUpper(ln)
		if bytes.Equal(up, ln) {
			up = bytes.ToLower(ln)
		}
		copy(ln, up)
		return b, nil
	})
}

func (m csvMutator) Delete(_ context.Context, id string) error {
	return m.edit(func(b []byte) ([]byte, error) {
		start, end, err := line(b, id)
		if err != nil {
			return nil, err
		}
		return append(b[:start:start], b[end:]...), nil
	})
}

// WritePartial appends the start of a record without its line end.
func (m csvMutator) WritePartial(context.Context) (string, func(context.Context) error, error) {
	id := fmt.Sprint(2_000_000 + rand.IntN(1_000_000))
	err := m.edit(func(b []byte) ([]byte, error) { return append(b, id+";Half writ"...), nil })
	return id, func(context.Context) error {
		return m.edit(func(b []byte) ([]byte, error) { return append(b, "ten;2.50;false;2024-02-02\r\n"...), nil })
	}, err
}

func seedMutator(root string) csvMutator {
	return csvMutator{path: filepath.Join(root, "accounts.csv")}
}
