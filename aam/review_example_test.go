package aam_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/duckstore"
	"github.com/autonomos/autonomos/schemamatch"
)

// ExampleNewRepairer wires drift auto-repair in local mode: the repairer is
// built on the store, before the mesh that calls it. A renamed CSV column
// whose values stay the same becomes a new mapping version by itself.
func ExampleNewRepairer() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "aam-repair-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	ds, err := duckstore.Open(ctx, filepath.Join(dir, "data"))
	if err != nil {
		log.Fatal(err)
	}
	defer ds.Close()
	store, err := duckstore.NewAAM(ds)
	if err != nil {
		log.Fatal(err)
	}
	canon, err := canonical.NewRegistry()
	if err != nil {
		log.Fatal(err)
	}
	conns := connectors.NewRegistry()
	if err := filesource.Register(conns); err != nil {
		log.Fatal(err)
	}
	matcher, err := schemamatch.NewMatcher(canon, nil)
	if err != nil {
		log.Fatal(err)
	}
	repairer, err := aam.NewRepairer(canon, store, &aam.RepairerOptions{Matcher: matcher})
	if err != nil {
		log.Fatal(err)
	}
	mesh, err := aam.New(canon, conns, store, &aam.Options{Repairer: repairer})
	if err != nil {
		log.Fatal(err)
	}

	files := filepath.Join(dir, "files")
	if err := os.MkdirAll(files, 0o755); err != nil {
		log.Fatal(err)
	}
	csv := func(header string) {
		content := header + "\n"
		for i := 1; i <= 10; i++ {
			content += fmt.Sprintf("%d,First%d,Last%d\n", i, i, i)
		}
		writeFile(filepath.Join(files, "contacts.csv"), content)
	}
	csv("id,first_name,last_name")
	tenant, err := store.CreateTenant(ctx, "acme")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := mesh.CreateConnection(ctx, tenant.ID, "files", filesource.Name, connectors.Config{"root": files})
	if err != nil {
		log.Fatal(err)
	}
	key := aam.MappingKey{ConnectionID: conn.ID, Object: "contacts"}
	_, err = mesh.PutMapping(ctx, tenant.ID, aam.PutMapping{MappingKey: key, Author: "user:ada", Reason: "initial",
		Mapping: canonical.Mapping{Entity: "contact", Fields: []canonical.FieldMapping{
			{Source: "id", Target: "contact_id"}, {Source: "first_name", Target: "first_name"}, {Source: "last_name", Target: "last_name"},
		}}})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := mesh.Observe(ctx, tenant.ID, conn.ID); err != nil { // first snapshot
		log.Fatal(err)
	}

	csv("id,first_name,surname")
	if _, err := mesh.Observe(ctx, tenant.ID, conn.ID); err != nil {
		log.Fatal(err)
	}
	v, err := mesh.ActiveMapping(ctx, tenant.ID, key)
	if err != nil {
		log.Fatal(err)
	}
	fm, _ := v.Mapping.Field("last_name")
	fmt.Printf("version %d by %s: last_name <- %s (%s)\n", v.Version, v.Author, fm.Source, fm.Origin)
	// Output:
	// version 2 by system:repair: last_name <- surname (auto)
}

// ExampleProposalStatus_CanDecide shows the review queue's status rules:
// only a pending proposal is decided, and an approved one may still be
// applied.
func ExampleProposalStatus_CanDecide() {
	fmt.Println(aam.StatusPending.CanDecide(aam.StatusRejected))
	fmt.Println(aam.StatusRejected.CanDecide(aam.StatusApproved))
	fmt.Println(aam.StatusApproved.CanDecide(aam.StatusApplied))
	// Output:
	// true
	// false
	// true
}
