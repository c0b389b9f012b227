package aam_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/filesource"
	"github.com/autonomos/autonomos/drift"
	"github.com/autonomos/autonomos/duckstore"
)

// localMesh opens a mesh in local mode: the DuckDB control store under dir,
// the filesource connector type, no secret key.
func localMesh(ctx context.Context, dir string) (*aam.Mesh, aam.Store, func()) {
	ds, err := duckstore.Open(ctx, filepath.Join(dir, "data"))
	if err != nil {
		log.Fatal(err)
	}
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
	mesh, err := aam.New(canon, conns, store, nil)
	if err != nil {
		log.Fatal(err)
	}
	return mesh, store, func() { _ = ds.Close() }
}

func writeFile(path, content string) {
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		log.Fatal(err)
	}
}

// Example ingests a directory of CSV files in local mode: one connection,
// one mapping, two syncs.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "aam-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	files := filepath.Join(dir, "files")
	if err := os.Mkdir(files, 0o755); err != nil {
		log.Fatal(err)
	}
	writeFile(filepath.Join(files, "contacts.csv"), "id,first_name,last_name,email\n"+
		"1,Ada,Lovelace,ADA@example.com\n"+
		"2,Alan,,alan@example.com\n"+
		"3,Grace,Hopper,not-an-email\n")

	mesh, store, closeStore := localMesh(ctx, dir)
	defer closeStore()
	tenant, err := store.CreateTenant(ctx, "acme")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := mesh.CreateConnection(ctx, tenant.ID, "crm-export", filesource.Name, connectors.Config{"root": files})
	if err != nil {
		log.Fatal(err)
	}
	_, err = mesh.PutMapping(ctx, tenant.ID, aam.PutMapping{
		MappingKey: aam.MappingKey{ConnectionID: conn.ID, Object: "contacts"},
		Mapping: canonical.Mapping{Entity: "contact", Fields: []canonical.FieldMapping{
			{Source: "id", Target: "contact_id", Confidence: 1},
			{Source: "first_name", Target: "first_name", Confidence: 1},
			{Source: "last_name", Target: "last_name", Confidence: 1},
			{Source: "email", Target: "email", Confidence: 1},
		}},
		Author: "user:example",
		Reason: "first mapping",
	})
	if err != nil {
		log.Fatal(err)
	}

	rep, err := mesh.Sync(ctx, tenant.ID, conn.ID)
	if err != nil {
		log.Fatal(err)
	}
	o := rep.Objects[0]
	fmt.Printf("%s -> %s v%d: read %d, events %d, quarantined %d, quality issues %d\n", o.Object, o.Entity, o.MappingVersion, o.Read, o.Events, o.Quarantined, o.QualityIssues)

	q, err := mesh.Quarantined(ctx, tenant.ID, conn.ID, "contacts")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("quarantined record %s: %s\n", q[0].RecordID, q[0].Reason)

	// An optional field that does not coerce does not hold the record
	// back: the event goes out without it, and the value is kept.
	issues, err := mesh.QualityIssues(ctx, tenant.ID, aam.QualityFilter{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("quality issue of record %s: %s %q: %s\n", issues[0].RecordID, issues[0].Field, issues[0].Value, issues[0].Reason)

	evs, err := mesh.Events(ctx, tenant.ID, 0, 10, "contact")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range evs {
		fmt.Println(e.Offset, e.Data["contact_id"], e.Data["last_name"], e.Data["email"])
	}

	rep, err = mesh.Sync(ctx, tenant.ID, conn.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("second sync, new events:", rep.Total().Events)
	// Output:
	// contacts -> contact v1: read 3, events 2, quarantined 1, quality issues 1
	// quarantined record 2: field "last_name" (source "last_name"): required field has no value
	// quality issue of record 3: email "not-an-email": want exactly one @
	// 1 1 Lovelace ada@example.com
	// 2 3 Hopper <nil>
	// second sync, new events: 0
}

// ExampleMesh_Observe records a renamed column as drift.
func ExampleMesh_Observe() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "aam-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	files := filepath.Join(dir, "files")
	if err := os.Mkdir(files, 0o755); err != nil {
		log.Fatal(err)
	}
	rows := "1,Ada,Lovelace,ada@example.com\n2,Alan,Turing,alan@example.com\n3,Grace,Hopper,grace@example.com\n"
	csv := filepath.Join(files, "contacts.csv")
	writeFile(csv, "id,first_name,last_name,email\n"+rows)

	mesh, store, closeStore := localMesh(ctx, dir)
	defer closeStore()
	tenant, err := store.CreateTenant(ctx, "acme")
	if err != nil {
		log.Fatal(err)
	}
	conn, err := mesh.CreateConnection(ctx, tenant.ID, "crm-export", filesource.Name, connectors.Config{"root": files})
	if err != nil {
		log.Fatal(err)
	}
	_, err = mesh.PutMapping(ctx, tenant.ID, aam.PutMapping{
		MappingKey: aam.MappingKey{ConnectionID: conn.ID, Object: "contacts"},
		Mapping: canonical.Mapping{Entity: "contact", Fields: []canonical.FieldMapping{
			{Source: "id", Target: "contact_id", Confidence: 1},
			{Source: "last_name", Target: "last_name", Confidence: 1},
			{Source: "email", Target: "email", Confidence: 1},
		}},
		Author: "user:example",
	})
	if err != nil {
		log.Fatal(err)
	}

	// The first observation keeps a snapshot; the header then changes.
	if _, err := mesh.Observe(ctx, tenant.ID, conn.ID); err != nil {
		log.Fatal(err)
	}
	writeFile(csv, "id,first_name,last_name,email_address\n"+rows)
	drifts, err := mesh.Observe(ctx, tenant.ID, conn.ID)
	if err != nil {
		log.Fatal(err)
	}
	var changes []drift.Change
	if err := json.Unmarshal(drifts[0].Changes, &changes); err != nil {
		log.Fatal(err)
	}
	fmt.Println("breaking:", drifts[0].Breaking)
	for _, c := range changes {
		fmt.Println(c.Kind, c.Field, "->", c.NewField)
	}
	// Output:
	// breaking: true
	// renamed email -> email_address
}

// ExampleParseSecretKey reads the AOS_SECRET_KEY setting.
func ExampleParseSecretKey() {
	key, err := aam.ParseSecretKey("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	if err != nil {
		log.Fatal(err)
	}
	_, err = aam.ParseSecretKey("hunter2")
	fmt.Println(len(key), err != nil)
	// Output: 32 true
}
