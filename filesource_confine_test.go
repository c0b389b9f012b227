package autonomos_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/testenv"
)

// TestFileSourceConfinedAfterSymlink: a file connection's directory that
// is replaced by a link leading outside AOS_FILESOURCE_ROOT after the
// connection was made is refused on the next read. The factory's path
// check catches a swap made before a connector is made; a connector made
// before the swap (a read in progress, a race between check and open) is
// confined by opening its directory through an os.Root of the file-source
// root on every call (see filesource's TestSymlinkCreatedAfterConnection,
// which the old connector failed: it followed the link).
func TestFileSourceConfinedAfterSymlink(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	root := t.TempDir()
	inside := filepath.Join(root, "crm")
	require.NoError(t, os.MkdirAll(inside, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(inside, "accounts.csv"), []byte("Id,Name\n1,Acme\n"), 0o644))
	outside := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(outside, "secrets.csv"), []byte("id,secret\n1,hunter2\n"), 0o644))

	p, err := autonomos.Open(ctx, autonomos.Config{DataDir: testenv.DataDir(t), FileSourceRoot: root, Logger: quiet()})
	require.NoError(t, err)
	defer p.Close()
	tenant, err := p.Store().CreateTenant(ctx, "acme")
	require.NoError(t, err)
	c, err := p.Mesh().CreateConnection(ctx, tenant.ID, "crm", "filesource", connectors.Config{"root": inside})
	require.NoError(t, err)
	cat, err := p.Mesh().Discover(ctx, tenant.ID, c.ID)
	require.NoError(t, err)
	require.Len(t, cat.Objects, 1)

	require.NoError(t, os.Rename(inside, inside+".old"))
	require.NoError(t, os.Symlink(outside, inside))
	cat, err = p.Mesh().Discover(ctx, tenant.ID, c.ID)
	require.Error(t, err, "the link out of the file-source root was followed: %+v", cat)
	require.NotContains(t, err.Error(), "hunter2")
}
