// Package testconnector is a connector made for the plugin package's tests:
// it generates rows in memory, and has objects that block, crash or report the
// process environment, to exercise the host from the outside.
package testconnector

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// Objects of the test connector.
const (
	// ObjectRows holds Config "rows" generated rows.
	ObjectRows = "rows"
	// ObjectBlock emits one record, whose field "deadline" is the read
	// context's deadline in Unix nanoseconds (or nil), then blocks until the
	// context ends; it then writes the context's error to the file
	// "cancelled" in Config "marker_dir" and returns it.
	ObjectBlock = "block"
	// ObjectEnv holds one record per variable of the process environment,
	// with the field "kv" = "KEY=value".
	ObjectEnv = "env"
	// ObjectTypes holds one record with a value of each kind.
	ObjectTypes = "types"
	// ObjectCrash emits one record, then the process exits with status 3.
	ObjectCrash = "crash"
	// ObjectStore is a snapshot object kept in the file Config
	// "store_file": one record per line, "id<TAB>name".
	ObjectStore = "store"
	// ObjectChanges is a change-data-capture object: Config "rows"
	// changes, every fourth of them a delete (see Change).
	ObjectChanges = "changes"
)

// Spec is the test connector's spec.
func Spec() connectors.Spec {
	return connectors.Spec{
		Name:         "testconnector",
		Version:      "1.0.0",
		Description:  "Generated rows and misbehaving objects for the plugin tests.",
		ChangeModels: []connectors.ChangeModel{connectors.ChangeSnapshot, connectors.ChangeCDC},
		Params: []connectors.Param{
			{Name: "rows", Type: connectors.ParamInt, Default: "100", Description: "Rows in the rows object."},
			{Name: "marker_dir", Type: connectors.ParamString, Description: "Where the block object reports its cancellation."},
			{Name: "token", Type: connectors.ParamString, Secret: true, Description: "Refused when it is \"bad-token\"."},
			{Name: "store_file", Type: connectors.ParamString, Description: "The file of the store object."},
		},
	}
}

// Connector is the test connector.
type Connector struct {
	connectors.UnimplementedConnector
	rows   int
	marker string
	token  string
	store  string
}

// New makes a test connector from cfg.
func New(cfg connectors.Config) (connectors.Connector, error) {
	spec := Spec()
	if err := spec.ValidateConfig(cfg); err != nil {
		return nil, err
	}
	n, _ := strconv.Atoi(spec.Get(cfg, "rows"))
	if n < 0 {
		return nil, fmt.Errorf("%w: testconnector: parameter \"rows\" is negative", connectors.ErrInvalidConfig)
	}
	return &Connector{rows: n, marker: cfg["marker_dir"], token: cfg["token"], store: cfg["store_file"]}, nil
}

// Spec returns Spec().
func (c *Connector) Spec() connectors.Spec { return Spec() }

// Check refuses the token "bad-token".
func (c *Connector) Check(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if c.token == "bad-token" {
		return fmt.Errorf("%w: testconnector: token refused", connectors.ErrUnauthorized)
	}
	return nil
}

// Discover lists the objects.
func (c *Connector) Discover(ctx context.Context) (*connectors.Catalog, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	schema := func(name string, fields ...canonical.SourceField) connectors.Object {
		return connectors.Object{Schema: canonical.SourceSchema{System: "testconnector", Object: name, Fields: fields}}
	}
	rows := schema(ObjectRows,
		canonical.SourceField{Name: "id", Type: canonical.TypeInteger, Samples: []any{int64(0), int64(1)}},
		canonical.SourceField{Name: "name", Type: canonical.TypeString, Samples: []any{"row 0"}},
		canonical.SourceField{Name: "amount", Type: canonical.TypeNumber, Samples: []any{0.5, 2.0}},
		canonical.SourceField{Name: "active", Type: canonical.TypeBoolean},
		canonical.SourceField{Name: "tags", Type: canonical.TypeArray},
	)
	rows.PrimaryKey = []string{"id"}
	rows.ChangeModel = connectors.ChangeSnapshot
	changes := schema(ObjectChanges, canonical.SourceField{Name: "id", Type: canonical.TypeInteger}, canonical.SourceField{Name: "name", Type: canonical.TypeString})
	changes.PrimaryKey = []string{"id"}
	changes.ChangeModel = connectors.ChangeCDC
	store := schema(ObjectStore, canonical.SourceField{Name: "id", Type: canonical.TypeString}, canonical.SourceField{Name: "name", Type: canonical.TypeString})
	store.PrimaryKey = []string{"id"}
	store.ChangeModel = connectors.ChangeSnapshot
	return &connectors.Catalog{Objects: []connectors.Object{
		rows,
		changes,
		store,
		schema(ObjectBlock, canonical.SourceField{Name: "n", Type: canonical.TypeInteger}),
		schema(ObjectEnv, canonical.SourceField{Name: "kv", Type: canonical.TypeString}),
		schema(ObjectTypes, canonical.SourceField{Name: "int", Type: canonical.TypeInteger}),
		schema(ObjectCrash, canonical.SourceField{Name: "n", Type: canonical.TypeInteger}),
	}}, nil
}

// Row returns row i of the rows object.
func Row(i int) connectors.Record {
	return connectors.Record{
		ID: strconv.Itoa(i),
		Fields: map[string]any{
			"id":     int64(i),
			"name":   "row " + strconv.Itoa(i),
			"amount": float64(i) + 0.25,
			"whole":  float64(i),
			"active": i%2 == 0,
			"tags":   []any{"a", "b"},
		},
		Cursor: connectors.Cursor("rows:" + strconv.Itoa(i)),
	}
}

// Change returns change i of the changes object: an upsert of row i/2, or,
// for every fourth change, the delete of that row (Fields nil).
func Change(i int) connectors.Record {
	r := connectors.Record{ID: strconv.Itoa(i / 2), Cursor: connectors.Cursor("changes:" + strconv.Itoa(i))}
	if i%4 == 3 {
		r.Deleted = true
		return r
	}
	r.Fields = map[string]any{"id": int64(i / 2), "name": "change " + strconv.Itoa(i)}
	return r
}

// TypesRecord is the one record of the types object.
func TypesRecord() connectors.Record {
	return connectors.Record{
		ID: "types",
		Fields: map[string]any{
			"int":      int64(-42),
			"big":      int64(1<<62 + 1),
			"huge":     uint64(1<<64 - 1),
			"float":    1.5,
			"whole":    3.0,
			"tiny":     1e-300,
			"string":   "héllo \"quoted\" \n\t\x01 \u2028",
			"invalid":  "a\xffb",
			"bool":     true,
			"null":     nil,
			"list":     []any{int64(1), 2.0, "x", nil, []any{}},
			"nested":   map[string]any{"k": int64(7), "f": 7.0, "m": map[string]any{}},
			"bytes":    []byte{0, 1, 2, 255},
			"time":     time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
			"int32":    int32(12),
			"float32":  float32(0.5),
			"raw_json": []string{"s"},
		},
		Cursor: "types:0",
	}
}

// Read reads one object.
func (c *Connector) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	switch req.Object {
	case ObjectRows:
		start, err := after("rows", req.Cursor)
		if err != nil {
			return err
		}
		for i := start; i < c.rows; i++ {
			if i%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if err := emit(Row(i)); err != nil {
				return err
			}
		}
		return nil
	case ObjectBlock:
		var deadline any
		if dl, ok := ctx.Deadline(); ok {
			deadline = dl.UnixNano()
		}
		if err := emit(connectors.Record{ID: "0", Fields: map[string]any{"n": int64(0), "deadline": deadline}, Cursor: "block:0"}); err != nil {
			return err
		}
		<-ctx.Done()
		if c.marker != "" {
			if err := os.WriteFile(filepath.Join(c.marker, "cancelled"), []byte(ctx.Err().Error()), 0o600); err != nil {
				return err
			}
		}
		return ctx.Err()
	case ObjectEnv:
		for i, kv := range os.Environ() {
			r := connectors.Record{ID: strconv.Itoa(i), Fields: map[string]any{"kv": kv}, Cursor: connectors.Cursor("env:" + strconv.Itoa(i))}
			if err := emit(r); err != nil {
				return err
			}
		}
		return nil
	case ObjectChanges:
		start, err := after("changes", req.Cursor)
		if err != nil {
			return err
		}
		for i := start; i < c.rows; i++ {
			if err := emit(Change(i)); err != nil {
				return err
			}
		}
		return nil
	case ObjectStore:
		return c.readStore(req.Cursor, emit)
	case ObjectTypes:
		return emit(TypesRecord())
	case ObjectCrash:
		if err := emit(connectors.Record{ID: "0", Fields: map[string]any{"n": int64(0)}, Cursor: "crash:0"}); err != nil {
			return err
		}
		// Let the record reach the host before dying.
		time.Sleep(100 * time.Millisecond)
		os.Exit(3)
	}
	return fmt.Errorf("%w: testconnector: object %q", connectors.ErrNotFound, req.Object)
}

// readStore reads the store file from after the cursor's line.
func (c *Connector) readStore(cur connectors.Cursor, emit func(connectors.Record) error) error {
	if c.store == "" {
		return fmt.Errorf("%w: testconnector: parameter \"store_file\" is not set", connectors.ErrInvalidConfig)
	}
	start, err := after("store", cur)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(c.store)
	if err != nil {
		return fmt.Errorf("testconnector: store: %w", err)
	}
	for i, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		if i < start || line == "" {
			continue
		}
		id, name, _ := strings.Cut(line, "\t")
		r := connectors.Record{ID: id, Fields: map[string]any{"id": id, "name": name}, Cursor: connectors.Cursor("store:" + strconv.Itoa(i))}
		if err := emit(r); err != nil {
			return err
		}
	}
	return nil
}

// after returns the index after the one cursor "<object>:<n>" names (0 for
// the empty cursor).
func after(object string, cur connectors.Cursor) (int, error) {
	if cur == "" {
		return 0, nil
	}
	var n int
	if _, err := fmt.Sscanf(string(cur), object+":%d", &n); err != nil || n < 0 || object+":"+strconv.Itoa(n) != string(cur) {
		return 0, fmt.Errorf("%w: testconnector: cursor %q", connectors.ErrInvalidCursor, cur)
	}
	return n + 1, nil
}
