package filesource_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

// fileWriter owns a CSV file and the rows it should hold.
type fileWriter struct {
	mu    sync.Mutex
	path  string
	rng   *rand.Rand
	rows  map[string]string
	order []string
	ops   int
}

func (w *fileWriter) render() string {
	var b strings.Builder
	b.WriteString("id,name\n")
	for _, id := range w.order {
		fmt.Fprintf(&b, "%s,%s\n", id, w.rows[id])
	}
	return b.String()
}

// step makes one change: append a row (half of it first, then the rest),
// a same-length edit in the middle, a row inserted at the top, or a delete.
func (w *fileWriter) step() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ops++
	id := fmt.Sprintf("%08x", w.rng.Uint32())
	switch k := w.rng.IntN(10); {
	case k < 5 || len(w.order) < 5:
		line := fmt.Sprintf("%s,name-%04d\n", id, w.rng.IntN(10000))
		f, err := os.OpenFile(w.path, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := f.WriteString(line[:len(line)/2]); err != nil {
			return err
		}
		time.Sleep(time.Millisecond)
		if _, err := f.WriteString(line[len(line)/2:]); err != nil {
			return err
		}
		w.rows[id] = strings.TrimSuffix(line[len(id)+1:], "\n")
		w.order = append(w.order, id)
		return nil
	case k < 7:
		mid := w.order[w.rng.IntN(len(w.order))]
		w.rows[mid] = fmt.Sprintf("name-%04d", w.rng.IntN(10000))
	case k < 8:
		w.rows[id] = "name-top0"
		w.order = append([]string{id}, w.order...)
	default:
		i := w.rng.IntN(len(w.order))
		delete(w.rows, w.order[i])
		w.order = append(w.order[:i:i], w.order[i+1:]...)
	}
	tmp := w.path + ".tmp"
	if err := os.WriteFile(tmp, []byte(w.render()), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, w.path)
}

// TestFileSoak: a writer changes a CSV file (appends written in two
// halves, same-length edits, rows inserted at the top, deletes) while syncs
// run every interval; once the writer stops and the file settled, one more
// sync makes the records equal the file. AOS_SOAK=10m runs it long.
func TestFileSoak(t *testing.T) {
	t.Parallel()
	total, every := 3*time.Second, 300*time.Millisecond
	if v := os.Getenv("AOS_SOAK"); v != "" {
		d, err := time.ParseDuration(v)
		require.NoError(t, err, "AOS_SOAK must be a duration such as 10m")
		total, every = d, time.Second
	}
	root := t.TempDir()
	w := &fileWriter{path: filepath.Join(root, "accounts.csv"), rng: rand.New(rand.NewPCG(11, 12)), rows: map[string]string{}}
	require.NoError(t, os.WriteFile(w.path, []byte(w.render()), 0o644))
	for range 20 {
		require.NoError(t, w.step())
	}
	s, err := filesource.New(connectors.Config{"root": root, "key": "id", "settle": "2s"})
	require.NoError(t, err)
	r := &fileReplica{s: s, object: "accounts", state: map[string]any{}}

	ctx, cancel := context.WithTimeout(context.Background(), total)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			if err := w.step(); err != nil {
				done <- err
				return
			}
			time.Sleep(time.Duration(w.rng.IntN(30)) * time.Millisecond)
		}
		done <- nil
	}()
	syncs := 0
	for ctx.Err() == nil {
		time.Sleep(every)
		r.sync(t)
		syncs++
	}
	require.NoError(t, <-done)
	r.sync(t)
	want := map[string]any{}
	for id, name := range w.rows {
		want[id] = name
	}
	require.Equal(t, want, r.state, "after the soak")
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	t.Logf("file soak: %v, %d writes, %d syncs, %d full passes, %d rows at the end, no difference", total, w.ops, syncs, r.passes, len(keys))
}
