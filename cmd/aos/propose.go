package main

import (
	"context"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/connectors"
)

// proposeMappings is used by `aos ingest` without --mapping. Until the
// matcher is wired it proposes nothing and says so per object.
func proposeMappings(ctx context.Context, p *autonomos.Platform, tenant, conn uuid.UUID, cat *connectors.Catalog) (map[string][]string, error) {
	out := map[string][]string{}
	for _, o := range cat.Objects {
		if _, err := p.Mesh().ActiveMapping(ctx, tenant, mappingKey(conn, o.Schema.Object)); err == nil {
			continue
		}
		out[o.Schema.Object] = []string{"no mapping for this object: pass --mapping"}
	}
	return out, nil
}
