package filesource_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

func TestPathsOutsideRootRefused(t *testing.T) {
	t.Parallel()
	outside := t.TempDir()
	write(t, outside, "secret.csv", "password\nhunter2\n")
	s, root := setup(t, map[string]string{"ok.csv": "a\n1\n"})
	require.NoError(t, os.Symlink(filepath.Join(outside, "secret.csv"), filepath.Join(root, "abs.csv")))
	require.NoError(t, os.Symlink(filepath.Join("..", filepath.Base(outside), "secret.csv"), filepath.Join(root, "rel.csv")))
	require.NoError(t, os.Mkdir(filepath.Join(root, "sub"), 0o755))
	write(t, filepath.Join(root, "sub"), "inner.csv", "a\n1\n")

	for _, name := range []string{
		"../" + filepath.Base(outside) + "/secret",
		"..",
		filepath.Join(outside, "secret.csv"),
		"sub/../../" + filepath.Base(outside) + "/secret.csv",
		"abs", "rel", "abs.csv",
	} {
		emitted := 0
		err := s.Read(context.Background(), connectors.ReadRequest{Object: name}, func(connectors.Record) error {
			emitted++
			return nil
		})
		require.ErrorIs(t, err, filesource.ErrOutsideRoot, "object %q", name)
		require.ErrorIs(t, err, connectors.ErrNotFound, "object %q", name)
		require.Zero(t, emitted, "object %q", name)
		require.NotContains(t, err.Error(), "hunter2")
	}
	for _, name := range []string{"sub/inner", ".hidden", "", "nope"} {
		err := s.Read(context.Background(), connectors.ReadRequest{Object: name}, func(connectors.Record) error { return nil })
		require.ErrorIs(t, err, connectors.ErrNotFound, "object %q", name)
		require.NotErrorIs(t, err, filesource.ErrOutsideRoot, "object %q", name)
	}

	cat, err := s.Discover(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"ok"}, objectNames(cat), "links leading out and subdirectories are not objects")
}

func TestLinksInsideRoot(t *testing.T) {
	t.Parallel()
	real := t.TempDir()
	write(t, real, "data.csv", "a\n1\n2\n")
	require.NoError(t, os.Symlink("data.csv", filepath.Join(real, "alias.csv")))
	// The root itself may be reached through a link.
	link := filepath.Join(t.TempDir(), "root")
	require.NoError(t, os.Symlink(real, link))
	s, err := filesource.New(connectors.Config{"root": link})
	require.NoError(t, err)
	cat, err := s.Discover(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"alias", "data"}, objectNames(cat))
	require.Len(t, readAll(t, s, "alias", ""), 2)
}

func TestSameNameDifferentFormats(t *testing.T) {
	t.Parallel()
	s, _ := setup(t, map[string]string{"a.csv": "x\n1\n", "a.jsonl": `{"y": 2}` + "\n", "b.csv": "z\n3\n"})
	cat, err := s.Discover(context.Background())
	require.NoError(t, err)
	require.Equal(t, []string{"a.csv", "a.jsonl", "b"}, objectNames(cat))
	require.Equal(t, map[string]any{"y": int64(2)}, readAll(t, s, "a.jsonl", "")[0].Fields)
	err = s.Read(context.Background(), connectors.ReadRequest{Object: "a"}, func(connectors.Record) error { return nil })
	require.ErrorIs(t, err, connectors.ErrNotFound)
	require.ErrorContains(t, err, "ambiguous")
}

func TestCheck(t *testing.T) {
	t.Parallel()
	s, root := setup(t, nil)
	require.NoError(t, s.Check(context.Background()))
	for _, bad := range []string{filepath.Join(root, "missing"), filepath.Join(root, "f.csv")} {
		write(t, root, "f.csv", "a\n")
		s, err := filesource.New(connectors.Config{"root": bad})
		require.NoError(t, err, "the root is only opened when used")
		require.ErrorIs(t, s.Check(context.Background()), connectors.ErrInvalidConfig)
		_, err = s.Discover(context.Background())
		require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	}
}

func objectNames(cat *connectors.Catalog) []string {
	out := []string{}
	for _, o := range cat.Objects {
		out = append(out, o.Schema.Object)
	}
	return out
}
