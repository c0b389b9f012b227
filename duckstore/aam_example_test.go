package duckstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/duckstore"
)

// ExampleNewAAM keeps a tenant's canonical stream in the local control
// store: appending the same events twice stores them once, and the cursor
// is saved with them.
func ExampleNewAAM() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "aos-example-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := duckstore.Open(ctx, dir)
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	mesh, err := duckstore.NewAAM(store)
	if err != nil {
		log.Fatal(err)
	}

	tenant, err := mesh.CreateTenant(ctx, "acme")
	if err != nil {
		log.Fatal(err)
	}
	conn := aam.Connection{ID: uuid.New(), Name: "crm-files", Type: "filesource", Config: connectors.Config{"format": "csv"}}
	if err := mesh.CreateConnection(ctx, tenant.ID, conn); err != nil {
		log.Fatal(err)
	}

	var events []canonical.Event
	for _, id := range []string{"001", "002"} {
		record := map[string]any{"Id": id, "Name": "Account " + id}
		hash := canonical.RecordHash(record)
		events = append(events, canonical.Event{
			EventID: canonical.EventID(tenant.ID.String(), conn.ID.String(), "accounts.csv", id, hash),
			Entity:  "account",
			Op:      canonical.OpUpsert,
			Data:    map[string]any{"account_id": id, "account_name": record["Name"]},
			Meta: canonical.EventMeta{
				TenantID: tenant.ID.String(), MappingVersion: 1, SchemaVersion: canonical.SchemaVersion,
				EmittedAt: time.Now().UTC(),
			},
			Source: canonical.EventSource{
				System: "filesource", ConnectionID: conn.ID.String(), Object: "accounts.csv", RecordID: id, RecordHash: hash,
			},
		})
	}
	batch := aam.Batch{
		Events:     events,
		Checkpoint: &aam.Checkpoint{ConnectionID: conn.ID, Object: "accounts.csv", Cursor: "line:3"},
	}
	for range 2 {
		res, err := mesh.Append(ctx, tenant.ID, batch)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Printf("appended %d, duplicates %d, last offset %d\n", res.Appended, res.Duplicates, res.LastOffset)
	}

	stored, err := mesh.ReadEvents(ctx, tenant.ID, 0, 10, "account")
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range stored {
		fmt.Println(e.Offset, e.Source.RecordID, e.Data["account_name"])
	}
	cursor, err := mesh.Checkpoint(ctx, tenant.ID, conn.ID, "accounts.csv")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("resume from", cursor)
	// Output:
	// appended 2, duplicates 0, last offset 2
	// appended 0, duplicates 2, last offset 2
	// 1 001 Account 001
	// 2 002 Account 002
	// resume from line:3
}
