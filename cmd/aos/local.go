package main

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/aam"
)

// localFlags are the flags of commands working on a local data directory.
type localFlags struct {
	dataDir string
	tenant  string
}

func (l *localFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&l.dataDir, "data-dir", envOr("AOS_DATA_DIR", "./data"), "local data directory (AOS_DATA_DIR)")
	fs.StringVar(&l.tenant, "tenant", "", "tenant name (required)")
}

func (l *localFlags) validate() error {
	if l.tenant == "" {
		return usagef("-tenant is required")
	}
	return nil
}

// openLocal opens the platform in local mode on the data directory; the
// CLI never switches to production mode from the environment.
func openLocal(ctx context.Context, dataDir string, stderr io.Writer) (*autonomos.Platform, error) {
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return autonomos.Open(ctx, autonomos.Config{DataDir: dataDir, Logger: logger})
}

// findTenant returns the named tenant, creating it when create is set.
func findTenant(ctx context.Context, p *autonomos.Platform, name string, create bool) (aam.Tenant, error) {
	t, err := p.Store().TenantByName(ctx, name)
	if err == nil || !errors.Is(err, aam.ErrNotFound) || !create {
		if errors.Is(err, aam.ErrNotFound) {
			return t, usagef("no tenant %q in this data directory (run `aos ingest` first)", name)
		}
		return t, err
	}
	return p.Store().CreateTenant(ctx, name)
}
