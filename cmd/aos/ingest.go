package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos"
	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
)

// maxMappingFileBytes bounds the --mapping file.
const maxMappingFileBytes = 4 << 20

// ingestObject is one object of the ingest summary.
type ingestObject struct {
	Object string `json:"object"`
	// Status is flowing, waiting_review or unmapped; Reason says why when
	// not flowing (or what still waits).
	Status         string `json:"status"`
	Reason         string `json:"reason,omitempty"`
	PendingReviews int    `json:"pending_reviews"`
	Entity         string `json:"entity"`
	MappingVersion int    `json:"mapping_version"`
	Events         int    `json:"events"`
	Quarantined    int    `json:"quarantined"`
	QualityIssues  int    `json:"quality_issues"`
	// Deleted counts delete events: records gone from the source.
	Deleted int `json:"deleted"`
	// DeletesWithheld says why a full pass deleted nothing (over the
	// safety limit without --confirm-deletes), when it did.
	DeletesWithheld string   `json:"deletes_withheld,omitempty"`
	Errors          []string `json:"errors"`
}

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("ingest", stderr)
	var l localFlags
	l.register(fs)
	files := fs.String("files", "", "directory of CSV, JSON Lines or JSON files (required)")
	mappingPath := fs.String("mapping", "", "mapping file {\"mappings\": [{\"object\", \"entity\", \"fields\": {source: canonical | {\"field\", \"transform\"}}, \"derived_id\"}]}")
	nullValues := fs.String("null-values", "", `texts the files' connection reads as missing, comma-separated ("none" for no texts; default NULL,null,\N; kept by later ingests when unset)`)
	force := fs.Bool("force", false, "apply the mapping file even over a newer mapping version made by a repair or a review")
	full := fs.Bool("full", false, "read every object from its start (a full pass), which finds records deleted from files read incrementally")
	confirmDeletes := fs.Bool("confirm-deletes", false, "let a full pass delete more than half of an object's records (the source really lost them; not a truncated export)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := l.validate(); err != nil {
		return err
	}
	if *files == "" {
		return usagef("-files is required")
	}
	dir, err := filepath.Abs(*files)
	if err != nil {
		return usagef("-files: %v", err)
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return usagef("-files %q is not a directory", *files)
	}
	if *nullValues != "" {
		if _, err := filesource.New(connectors.Config{"root": dir, "null_values": *nullValues}); err != nil {
			return usagef("-null-values: %v", err)
		}
	}
	var mf *mappingFile
	if *mappingPath != "" {
		if mf, err = readMappingFile(*mappingPath); err != nil {
			return err
		}
	}

	p, err := openLocal(ctx, l.dataDir, stderr)
	if err != nil {
		return err
	}
	defer p.Close()
	tenant, err := findTenant(ctx, p, l.tenant, true)
	if err != nil {
		return err
	}
	conn, err := fileConnection(ctx, p, tenant.ID, dir, *nullValues)
	if err != nil {
		return err
	}
	mesh := p.Mesh()
	cat, err := mesh.Discover(ctx, tenant.ID, conn.ID)
	if err != nil {
		return err
	}
	plans := map[string]objectPlan{}
	if mf != nil {
		if err := applyMappingFile(ctx, p, tenant.ID, conn.ID, cat, mf, *force, stderr); err != nil {
			return err
		}
	} else {
		plans, err = proposeMappings(ctx, p, tenant.ID, conn.ID, cat)
		if err != nil {
			return err
		}
	}
	// Record schema snapshots (and drift against earlier ingests).
	if _, err := mesh.Observe(ctx, tenant.ID, conn.ID); err != nil {
		fmt.Fprintf(stderr, "aos ingest: observe: %v\n", err)
	}
	var syncOpts []aam.SyncOption
	if *full {
		syncOpts = append(syncOpts, aam.FullPass())
	}
	if *confirmDeletes {
		syncOpts = append(syncOpts, aam.ConfirmDeletes())
	}
	rep, err := mesh.Sync(ctx, tenant.ID, conn.ID, syncOpts...)
	if err != nil && len(rep.Objects) == 0 {
		return err
	}
	summary := struct {
		Objects []ingestObject       `json:"objects"`
		Skipped []connectors.Skipped `json:"skipped"`
	}{Objects: []ingestObject{}, Skipped: cat.Skipped}
	if summary.Skipped == nil {
		summary.Skipped = []connectors.Skipped{}
	}
	pending, perr := pendingReviews(ctx, p, tenant.ID, conn.ID)
	if perr != nil {
		return perr
	}
	seen := map[string]bool{}
	var stuck []string
	for _, o := range rep.Objects {
		seen[o.Object] = true
		errs := slices.Clone(o.Errors)
		top, terr := topReasons(ctx, p, tenant.ID, conn.ID, o.Object, 3)
		if terr != nil {
			return terr
		}
		errs = append(errs, top...)
		io := ingestObject{Object: o.Object, Status: statusFlowing, Reason: plans[o.Object].reason, PendingReviews: pending[o.Object],
			Entity: o.Entity, MappingVersion: o.MappingVersion,
			Events: o.Events, Quarantined: o.Quarantined, QualityIssues: o.QualityIssues,
			Deleted: o.Deleted, DeletesWithheld: o.DeletesWithheld, Errors: errs}
		// Stuck: a read of the whole object (a first or restarted pass)
		// quarantined every record. A few bad records appended to an
		// object that flows are not a stuck object.
		if (o.FullPass || o.Restarted) && o.Read > 0 && o.Events+o.Duplicates == 0 && o.Quarantined > 0 {
			io.Reason = "every record read was quarantined"
			stuck = append(stuck, o.Object+": "+io.Reason)
		}
		summary.Objects = append(summary.Objects, io)
	}
	// Objects left unmapped are listed too, with why.
	for _, o := range cat.Objects {
		name := o.Schema.Object
		if seen[name] {
			continue
		}
		plan, planned := plans[name]
		if !planned {
			plan = objectPlan{status: statusUnmapped, reason: "no mapping for this object"}
		}
		if why := noRecords(o); why != "" {
			plan.status, plan.reason = statusUnmapped, why
		} else if mf == nil {
			// With a mapping file, an object it leaves out is a choice.
			stuck = append(stuck, name+": "+plan.reason)
		}
		summary.Objects = append(summary.Objects, ingestObject{Object: name, Status: plan.status, Reason: plan.reason,
			PendingReviews: pending[name], Errors: []string{}})
	}
	sort.Slice(summary.Objects, func(i, j int) bool { return summary.Objects[i].Object < summary.Objects[j].Object })
	b, jerr := json.MarshalIndent(summary, "", "  ")
	if jerr != nil {
		return jerr
	}
	if _, werr := fmt.Fprintf(stdout, "%s\n", b); werr != nil {
		return werr
	}
	if err == nil && len(stuck) > 0 {
		return fmt.Errorf("%d object(s) stuck: %s", len(stuck), strings.Join(stuck, "; "))
	}
	return err
}

func readMappingFile(path string) (*mappingFile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, usagef("-mapping: %v", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxMappingFileBytes+1))
	if err != nil {
		return nil, usagef("-mapping: %v", err)
	}
	if len(data) > maxMappingFileBytes {
		return nil, usagef("-mapping: file is larger than %d bytes", maxMappingFileBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var mf mappingFile
	if err := dec.Decode(&mf); err != nil {
		return nil, usagef("-mapping %s: %v", path, err)
	}
	if len(mf.Mappings) == 0 {
		return nil, usagef("-mapping %s: no mappings", path)
	}
	for i, m := range mf.Mappings {
		if m.Object == "" || m.Entity == "" || len(m.Fields) == 0 {
			return nil, usagef("-mapping %s: mapping %d needs an object, an entity and fields", path, i)
		}
		for src, f := range m.Fields {
			if f.Field == "" {
				return nil, usagef("-mapping %s: mapping %d (%s): source field %q names no canonical field", path, i, m.Object, src)
			}
		}
	}
	return &mf, nil
}

// fileConnection finds the tenant's file connection on dir, or creates it.
// nullValues, when set, becomes the connection's null_values parameter
// (records read from then on honour it).
func fileConnection(ctx context.Context, p *autonomos.Platform, tenant uuid.UUID, dir, nullValues string) (aam.Connection, error) {
	name := "files:" + dir
	conns, err := p.Mesh().Connections(ctx, tenant)
	if err != nil {
		return aam.Connection{}, err
	}
	for _, c := range conns {
		if c.Name != name {
			continue
		}
		if nullValues == "" || c.Config["null_values"] == nullValues {
			return c, nil
		}
		cfg := maps.Clone(c.Config)
		cfg["null_values"] = nullValues
		return p.Mesh().UpdateConnection(ctx, tenant, c.ID, "", cfg)
	}
	cfg := connectors.Config{"root": dir}
	if nullValues != "" {
		cfg["null_values"] = nullValues
	}
	return p.Mesh().CreateConnection(ctx, tenant, name, filesource.Name, cfg)
}

// applyMappingFile checks each mapping of the file against the discovered
// schema and stores it as a new version when its content differs from the
// active one. A newer version made by something else than this command (a
// drift repair, a review) is kept unless force: the file was written
// before it.
func applyMappingFile(ctx context.Context, p *autonomos.Platform, tenant, conn uuid.UUID, cat *connectors.Catalog, mf *mappingFile, force bool, stderr io.Writer) error {
	for _, fm := range mf.Mappings {
		obj, ok := cat.Object(fm.Object)
		if !ok {
			return usagef("-mapping: object %q is not in the directory (objects: %s)", fm.Object, objectNames(cat))
		}
		if err := fm.checkSources(obj); err != nil {
			return err
		}
		m := fm.mapping()
		key := aam.MappingKey{ConnectionID: conn, Object: fm.Object}
		if !force {
			active, err := p.Mesh().ActiveMapping(ctx, tenant, key)
			switch {
			case err == nil && active.Author != cliAuthor && !sameMapping(active.Mapping, m):
				return usagef("-mapping: object %q: the active mapping version %d was made by %s (%s) after this file's mapping; "+
					"it is kept — pass -force to replace it with the file's", fm.Object, active.Version, active.Author, active.Reason)
			case err != nil && !errors.Is(err, aam.ErrNotFound):
				return err
			}
		} else {
			fmt.Fprintf(stderr, "aos ingest: -force: the mapping file replaces the active mapping of %q if it differs\n", fm.Object)
		}
		if err := putIfChanged(ctx, p, tenant, key, m, cliAuthor, "aos ingest --mapping"); err != nil {
			return err
		}
	}
	return nil
}

// cliAuthor is the author of mapping versions this command stores.
const cliAuthor = "cli"

// putIfChanged stores m as a new version unless the active version has
// the same content.
func putIfChanged(ctx context.Context, p *autonomos.Platform, tenant uuid.UUID, key aam.MappingKey, m canonical.Mapping, author, reason string) error {
	expected := 0
	active, err := p.Mesh().ActiveMapping(ctx, tenant, key)
	switch {
	case err == nil:
		if sameMapping(active.Mapping, m) {
			return nil
		}
		expected = active.Version
	case !errors.Is(err, aam.ErrNotFound):
		return err
	}
	_, err = p.Mesh().PutMapping(ctx, tenant, aam.PutMapping{MappingKey: key, ExpectedVersion: expected, Mapping: m, Author: author, Reason: reason})
	if errors.Is(err, aam.ErrInvalid) {
		return usageError{err.Error()}
	}
	return err
}

func sameMapping(a, b canonical.Mapping) bool {
	if a.Entity != b.Entity || len(a.Fields) != len(b.Fields) {
		return false
	}
	if a.DecimalMark != b.DecimalMark || !slices.Equal(a.NullValues, b.NullValues) ||
		(a.DerivedID == nil) != (b.DerivedID == nil) ||
		a.DerivedID != nil && (a.DerivedID.Field != b.DerivedID.Field || !slices.Equal(a.DerivedID.From, b.DerivedID.From)) {
		return false
	}
	key := func(f canonical.FieldMapping) string {
		return f.Source + "\x00" + f.Target + "\x00" + string(f.Transform) + "\x00" + string(f.Unit) + "\x00" + f.DecimalMark
	}
	as := make([]string, len(a.Fields))
	bs := make([]string, len(b.Fields))
	for i := range a.Fields {
		as[i], bs[i] = key(a.Fields[i]), key(b.Fields[i])
	}
	sort.Strings(as)
	sort.Strings(bs)
	return slices.Equal(as, bs)
}

func objectNames(cat *connectors.Catalog) string {
	var names []string
	for _, o := range cat.Objects {
		names = append(names, o.Schema.Object)
	}
	b, _ := json.Marshal(names)
	return string(b)
}
