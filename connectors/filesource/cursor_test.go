package filesource_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos/connectors"
)

func TestCursorAfterAppend(t *testing.T) {
	t.Parallel()
	for name, content := range map[string]string{"log.csv": "id,v\n1,a\n2,b\n", "log.jsonl": "{\"id\":1}\n{\"id\":2}\n"} {
		s, root := setup(t, map[string]string{name: content})
		recs := readAll(t, s, "log", "")
		require.Len(t, recs, 2, name)
		extra := "3,c\n4,d\n"
		if filepath.Ext(name) == ".jsonl" {
			extra = "{\"id\":3}\n{\"id\":4}\n"
		}
		f, err := os.OpenFile(filepath.Join(root, name), os.O_APPEND|os.O_WRONLY, 0)
		require.NoError(t, err)
		_, err = f.WriteString(extra)
		require.NoError(t, err)
		require.NoError(t, f.Close())
		more := readAll(t, s, "log", recs[1].Cursor)
		require.Len(t, more, 2, name)
		require.Equal(t, "3", more[0].ID, name)
		require.Equal(t, "4", more[1].ID, name)
	}
}

func TestCursorRefused(t *testing.T) {
	t.Parallel()
	s, root := setup(t, map[string]string{
		"a.csv": "id,v\n1,aaaaaaaa\n2,bbbbbbbb\n3,cccccccc\n",
		"b.csv": "id,v\n1,x\n",
	})
	recs := readAll(t, s, "a", "")
	require.Len(t, recs, 3)
	read := func(object string, cur connectors.Cursor) error {
		return s.Read(context.Background(), connectors.ReadRequest{Object: object, Cursor: cur}, func(connectors.Record) error { return nil })
	}
	require.ErrorIs(t, read("b", recs[0].Cursor), connectors.ErrInvalidCursor, "a cursor of another file")
	require.ErrorIs(t, read("a", "garbage"), connectors.ErrInvalidCursor)
	require.ErrorIs(t, read("a", `{"v":1,"f":"a.csv","o":99999,"l":1}`), connectors.ErrInvalidCursor)

	// Same header, same length, other rows: the cursor no longer fits.
	write(t, root, "a.csv", "id,v\n1,zzzzzzzz\n2,yyyyyyyy\n3,xxxxxxxx\n")
	err := read("a", recs[1].Cursor)
	require.ErrorIs(t, err, connectors.ErrInvalidCursor)
	require.ErrorContains(t, err, "rewritten")
	// A new header too.
	write(t, root, "a.csv", "key,v\n1,aaaaaaaa\n2,bbbbbbbb\n3,cccccccc\n")
	require.ErrorIs(t, read("a", recs[1].Cursor), connectors.ErrInvalidCursor)
	// Truncated below the cursor.
	write(t, root, "a.csv", "id,v\n")
	require.ErrorIs(t, read("a", recs[1].Cursor), connectors.ErrInvalidCursor)
}
