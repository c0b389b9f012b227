package pgstore_test

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/autonomos/autonomos/aam"
	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/pgstore"
)

func ExampleNewAAM() {
	ctx := context.Background()
	dsn, drop := exampleDatabase(ctx) // a fresh, empty database
	defer drop()

	store, err := pgstore.Open(ctx, dsn, nil) // connects and migrates
	if err != nil {
		fmt.Println(err)
		return
	}
	defer store.Close()
	mesh, err := pgstore.NewAAM(store)
	if err != nil {
		fmt.Println(err)
		return
	}

	acme, err := mesh.CreateTenant(ctx, "acme")
	if err != nil {
		fmt.Println(err)
		return
	}
	conn := aam.Connection{ID: uuid.New(), Name: "crm-export", Type: "filesource"}
	if err := mesh.CreateConnection(ctx, acme.ID, conn); err != nil {
		fmt.Println(err)
		return
	}

	// One record becomes one event; appending it again changes nothing.
	record := map[string]any{"Id": "001A", "Name": "Acme Corp"}
	hash := canonical.RecordHash(record)
	event := canonical.Event{
		EventID: canonical.EventID(acme.ID.String(), conn.ID.String(), "accounts.csv", "001A", hash),
		Entity:  "account",
		Op:      canonical.OpUpsert,
		Data:    map[string]any{"account_id": "001A", "account_name": "Acme Corp"},
		Meta:    canonical.EventMeta{TenantID: acme.ID.String(), MappingVersion: 1, SchemaVersion: 1, EmittedAt: time.Now()},
		Source:  canonical.EventSource{ConnectionID: conn.ID.String(), Object: "accounts.csv", RecordID: "001A", RecordHash: hash},
	}
	for range 2 {
		res, err := mesh.Append(ctx, acme.ID, aam.Batch{
			Events:     []canonical.Event{event},
			Checkpoint: &aam.Checkpoint{ConnectionID: conn.ID, Object: "accounts.csv", Cursor: "line:2"},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Printf("appended %d, duplicates %d, last offset %d\n", res.Appended, res.Duplicates, res.LastOffset)
	}

	events, err := mesh.ReadEvents(ctx, acme.ID, 0, 100, "")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		fmt.Println(e.Offset, e.Entity, e.Data["account_name"])
	}
	cursor, err := mesh.Checkpoint(ctx, acme.ID, conn.ID, "accounts.csv")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("resume from", cursor)
	// Output:
	// appended 1, duplicates 0, last offset 1
	// appended 0, duplicates 1, last offset 1
	// 1 account Acme Corp
	// resume from line:2
}
