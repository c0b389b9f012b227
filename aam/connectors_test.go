package aam_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

// hookedFiles is a filesource whose reads can be disturbed: before each
// record is emitted, beforeEmit (if set) may fail the read or cancel the
// caller; failReads (if set) fails a read before it starts.
type hookedFiles struct {
	*filesource.Source
	h *hooks
}

type hooks struct {
	mu         sync.Mutex
	beforeEmit func(n int) error // n counts records emitted by this read
	failRead   func() error
	reads      atomic.Int64
	lastConfig connectors.Config
	// failDiscover, if set, fails Discover.
	failDiscover atomic.Pointer[error]
}

func (h *hooks) set(beforeEmit func(int) error, failRead func() error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.beforeEmit, h.failRead = beforeEmit, failRead
}

func (h *hooks) get() (func(int) error, func() error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.beforeEmit, h.failRead
}

const hookedName = "hookedfiles"

// registerHooked registers the hookedfiles type, a filesource with an
// extra secret parameter "token" (unused by the files, present to test
// sealing), whose connectors share h.
func registerHooked(h *hooks) func(*connectors.Registry) {
	return func(reg *connectors.Registry) {
		spec := filesource.Spec()
		spec.Name = hookedName
		spec.Params = append(spec.Params, connectors.Param{Name: "token", Type: connectors.ParamString, Secret: true})
		err := reg.Register(spec, func(cfg connectors.Config) (connectors.Connector, error) {
			h.mu.Lock()
			h.lastConfig = cfg
			h.mu.Unlock()
			files := connectors.Config{}
			for k, v := range cfg {
				if k != "token" {
					files[k] = v
				}
			}
			s, err := filesource.New(files)
			if err != nil {
				return nil, err
			}
			return &hookedFiles{Source: s, h: h}, nil
		})
		if err != nil {
			panic(err)
		}
	}
}

func (c *hookedFiles) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	c.h.reads.Add(1)
	before, fail := c.h.get()
	if fail != nil {
		if err := fail(); err != nil {
			return err
		}
	}
	n := 0
	return c.Source.Read(ctx, req, func(r connectors.Record) error {
		if before != nil {
			if err := before(n); err != nil {
				return err
			}
		}
		n++
		return emit(r)
	})
}

var errFlaky = errors.New("source: connection reset by peer")

// incrementalFiles is the filesource with its change model stated: it
// reads appended lines from an offset cursor and refuses the cursor of a
// rewritten file (connectors.ErrInvalidCursor), which is the incremental
// model.
type incrementalFiles struct{ *filesource.Source }

func (c incrementalFiles) Discover(ctx context.Context) (*connectors.Catalog, error) {
	return declareIncremental(c.Source.Discover(ctx))
}

func (c *hookedFiles) Discover(ctx context.Context) (*connectors.Catalog, error) {
	if err := c.h.failDiscover.Load(); err != nil {
		return nil, *err
	}
	return declareIncremental(c.Source.Discover(ctx))
}

func declareIncremental(cat *connectors.Catalog, err error) (*connectors.Catalog, error) {
	if cat != nil {
		for i := range cat.Objects {
			if cat.Objects[i].ChangeModel == "" {
				cat.Objects[i].ChangeModel = connectors.ChangeIncremental
			}
		}
	}
	return cat, err
}

// registerFiles registers the filesource type as incrementalFiles.
func registerFiles(reg *connectors.Registry) error {
	return reg.Register(filesource.Spec(), func(cfg connectors.Config) (connectors.Connector, error) {
		s, err := filesource.New(cfg)
		if err != nil {
			return nil, err
		}
		return incrementalFiles{s}, nil
	})
}
