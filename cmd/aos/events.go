package main

import (
	"context"
	"encoding/json"
	"io"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
)

// eventsPage is how many events `aos events` reads per store call.
const eventsPage = 1000

func mappingKey(conn uuid.UUID, object string) aam.MappingKey {
	return aam.MappingKey{ConnectionID: conn, Object: object}
}

func runEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("events", stderr)
	var l localFlags
	l.register(fs)
	entity := fs.String("entity", "", "only events of this canonical entity")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	p, err := openLocal(ctx, l.dataDir, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	if *entity != "" {
		if _, ok := p.Canonical().Entity(*entity); !ok {
			return usagef("-entity: unknown entity %q (entities: %v)", *entity, p.Canonical().Names())
		}
	}
	tenant, err := findTenant(ctx, p, l.tenant, false)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	var after int64
	for {
		page, err := p.Mesh().Events(ctx, tenant.ID, after, eventsPage, *entity)
		if err != nil {
			return err
		}
		for _, e := range page {
			if err := enc.Encode(e.Event); err != nil {
				return err
			}
			after = e.Offset
		}
		if len(page) < eventsPage {
			return nil
		}
	}
}

func runDrift(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("drift", stderr)
	var l localFlags
	l.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	p, err := openLocal(ctx, l.dataDir, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	tenant, err := findTenant(ctx, p, l.tenant, false)
	if err != nil {
		return err
	}
	events, err := p.Mesh().DriftEvents(ctx, tenant.ID, uuid.Nil)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}
