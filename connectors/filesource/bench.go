package filesource

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/benchfmt"
)

// WriteBenchCSV writes a CSV file of rows generated customer rows (about
// 100 bytes each, some fields quoted) to path: the input of Bench and of the
// package's benchmarks.
func WriteBenchCSV(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("filesource: bench file: %w", err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "id,name,email,amount,active,created_at")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(w, "%d,\"Customer %d, Inc.\",customer%d@example.com,%d.%02d,%t,2024-03-%02dT10:%02d:00Z\n",
			i, i, i, i*7, i%100, i%3 == 0, i%28+1, i%60)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("filesource: bench file: %w", err)
	}
	return f.Close()
}

// Bench measures reading a generated CSV file of rows rows in dir (which
// must exist) as CSV rows per second, against a bare encoding/csv loop over
// the same file in the same run. Each side is timed over rounds reads and
// its best round kept. The file is removed afterwards.
func Bench(ctx context.Context, dir string, rows, rounds int) (benchfmt.Result, error) {
	path := filepath.Join(dir, "filesource_bench.csv")
	if err := WriteBenchCSV(path, rows); err != nil {
		return benchfmt.Result{}, err
	}
	defer os.Remove(path)
	s, err := New(connectors.Config{"root": dir})
	if err != nil {
		return benchfmt.Result{}, err
	}
	best := func(read func() (int, error)) (float64, error) {
		var top float64
		for i := 0; i < max(rounds, 1); i++ {
			start := time.Now()
			n, err := read()
			if err != nil {
				return 0, err
			}
			if n != rows {
				return 0, fmt.Errorf("filesource: bench: read %d rows, want %d", n, rows)
			}
			top = max(top, float64(n)/time.Since(start).Seconds())
		}
		return top, nil
	}
	ours, err := best(func() (int, error) { return ReadCount(ctx, s, "filesource_bench") })
	if err != nil {
		return benchfmt.Result{}, err
	}
	ref, err := best(func() (int, error) { return CSVBaseline(path) })
	if err != nil {
		return benchfmt.Result{}, err
	}
	return benchfmt.New("filesource_csv_read", "rows/s", rows, ours, ref), nil
}

// ReadCount reads object to its end and returns the number of good records;
// a record error fails it.
func ReadCount(ctx context.Context, s *Source, object string) (int, error) {
	n := 0
	err := s.Read(ctx, connectors.ReadRequest{Object: object}, func(r connectors.Record) error {
		if r.Err != nil {
			return r.Err
		}
		n++
		return nil
	})
	return n, err
}

// CSVBaseline is the reference Bench compares with: a bare encoding/csv loop
// over path, as a program would write it (default settings, a record slice
// per row, nothing typed), that counts the data rows.
func CSVBaseline(path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	r := csv.NewReader(bufio.NewReaderSize(f, 64<<10))
	n := -1 // the header
	for {
		_, err := r.Read()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
	}
}
