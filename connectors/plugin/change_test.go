package plugin_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/connectors/plugin"
	"github.com/autonomos/autonomos/connectors/plugin/internal/testconnector"
)

// TestChangesCrossTheBoundary: change models (in Spec and per object,
// checked by the two tests above) and deleted records cross the plugin
// protocol. Before: the protocol had no field for them, so a plugin's
// deletes arrived as records without fields (failed on the old code).
func TestChangesCrossTheBoundary(t *testing.T) {
	t.Parallel()
	c := load(t, connectors.Config{"rows": "40"})
	ctx := context.Background()
	got, err := readAll(ctx, c, testconnector.ObjectChanges)
	require.NoError(t, err)
	require.Len(t, got, 40)
	deleted := 0
	for i, r := range got {
		require.Equal(t, testconnector.Change(i), r, "change %d", i)
		if r.Deleted {
			deleted++
		}
	}
	require.Equal(t, 10, deleted)
	cat, err := c.Discover(ctx)
	require.NoError(t, err)
	o, ok := cat.Object(testconnector.ObjectChanges)
	require.True(t, ok)
	require.Equal(t, connectors.ChangeCDC, o.ChangeModel)
	require.Contains(t, c.Spec().ChangeModels, connectors.ChangeCDC)
}

// TestConformanceStore runs the suite, with its Changes check, on the test
// plugin's snapshot object kept in a file.
func TestConformanceStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "store.tsv")
	var b strings.Builder
	for i := range 15 {
		fmt.Fprintf(&b, "s%03d\tname %03d\n", i, i)
	}
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	connectortest.Run(t, connectortest.Harness{
		New: func(ctx context.Context, cfg connectors.Config) (connectors.Connector, error) {
			return plugin.Load(ctx, testPlugin, &plugin.LoadOptions{Checksum: testPluginSum, Config: cfg})
		},
		Config:  connectors.Config{"store_file": path},
		Object:  testconnector.ObjectStore,
		Mutator: storeMutator{path},
	})
}

// storeMutator changes the test connector's store file.
type storeMutator struct{ path string }

func (m storeMutator) edit(f func([]string) []string) error {
	b, err := os.ReadFile(m.path)
	if err != nil {
		return err
	}
	lines := f(strings.Split(strings.TrimSuffix(string(b), "\n"), "\n"))
	return os.WriteFile(m.path, []byte(strings.Join(lines, "\n")+"\n"), 0o600)
}

func (m storeMutator) Insert(context.Context) (string, error) {
	id := fmt.Sprintf("r%08x", rand.Uint32())
	return id, m.edit(func(l []string) []string { return append([]string{id + "\tinserted"}, l...) })
}

func (m storeMutator) Update(_ context.Context, id string) error {
	return m.edit(func(l []string) []string {
		for i, line := range l {
			if strings.HasPrefix(line, id+"\t") {
				l[i] = strings.ToUpper(line[:len(id)]) + strings.ToUpper(line[len(id):])
				l[i] = id + l[i][len(id):]
			}
		}
		return l
	})
}

func (m storeMutator) Delete(_ context.Context, id string) error {
	return m.edit(func(l []string) []string {
		out := l[:0]
		for _, line := range l {
			if !strings.HasPrefix(line, id+"\t") {
				out = append(out, line)
			}
		}
		return out
	})
}
