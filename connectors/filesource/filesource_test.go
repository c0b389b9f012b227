package filesource_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/connectors/filesource"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// seed writes a root holding one clean object per format, each of 25
// records, in the less common spellings: a BOM, ';' delimiters, CRLF line
// ends and quoted line breaks in the CSV; blank lines in the JSON Lines.
func seed(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	var csv strings.Builder
	csv.WriteString("\xEF\xBB\xBFid;name;amount;active;signed_on\r\n")
	var jsonl, jsn strings.Builder
	jsn.WriteString("[\n")
	for i := 1; i <= 25; i++ {
		name := fmt.Sprintf("Acme %d", i)
		if i%5 == 0 {
			name = fmt.Sprintf("\"Acme; \"\"branch\"\"\r\nfloor %d\"", i)
		}
		fmt.Fprintf(&csv, "%d;%s;%d.50;%t;2024-01-%02d\r\n", 100+i, name, i*10, i%2 == 0, i)
		fmt.Fprintf(&jsonl, "{\"email\":\"p%d@example.com\",\"score\":%d,\"tags\":[\"a\"]}\n", i, i)
		if i%7 == 0 {
			jsonl.WriteString("\n")
		}
		sep := ","
		if i == 25 {
			sep = ""
		}
		fmt.Fprintf(&jsn, "  {\"order_id\": \"o-%03d\", \"total\": %d.25, \"meta\": {\"n\": %d}}%s\n", i, i, i, sep)
	}
	jsn.WriteString("]\n")
	write(t, root, "accounts.csv", csv.String())
	write(t, root, "contacts.jsonl", jsonl.String())
	write(t, root, "orders.json", jsn.String())
	return root
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644))
}

func TestConformance(t *testing.T) {
	for _, object := range []string{"accounts", "contacts", "orders"} {
		t.Run(object, func(t *testing.T) {
			root := seed(t)
			var mutator connectortest.Mutator
			if object == "accounts" {
				mutator = seedMutator(root)
			}
			connectortest.Run(t, connectortest.Harness{
				New: func(_ context.Context, cfg connectors.Config) (connectors.Connector, error) {
					return filesource.Factory(cfg)
				},
				Config: connectors.Config{"root": root},
				BadConfigs: map[string]connectors.Config{
					"root does not exist":    {"root": filepath.Join(root, "missing")},
					"root is a file":         {"root": filepath.Join(root, "accounts.csv")},
					"unknown delimiter":      {"root": root, "delimiter": "::"},
					"tiny max_record_bytes":  {"root": root, "max_record_bytes": "10"},
					"scan_rows not a number": {"root": root, "scan_rows": "many"},
				},
				Object:  object,
				Mutator: mutator,
			})
		})
	}
}

func TestRegister(t *testing.T) {
	t.Parallel()
	reg := connectors.NewRegistry()
	require.NoError(t, filesource.Register(reg))
	c, err := reg.New(filesource.Name, connectors.Config{"root": t.TempDir()})
	require.NoError(t, err)
	require.NoError(t, c.Check(context.Background()))
	require.Error(t, filesource.Register(reg), "a second registration must fail")
	_, err = reg.New(filesource.Name, connectors.Config{})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	require.Contains(t, err.Error(), `"root"`)
}
