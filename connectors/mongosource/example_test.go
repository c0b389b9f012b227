package mongosource_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/mongosource"
	"github.com/autonomos/autonomos/internal/testenv"
)

func Example() {
	ctx := context.Background()
	// A database with one collection of two orders.
	client, err := mongo.Connect(options.Client().ApplyURI(mongoURL()))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	db := client.Database(testenv.Name("aosexample"))
	defer db.Drop(ctx)
	_, err = db.Collection("orders").InsertMany(ctx, []any{
		bson.D{{Key: "_id", Value: 1}, {Key: "total", Value: 12.5}, {Key: "customer", Value: bson.D{{Key: "name", Value: "Ada"}}},
			{Key: "updatedAt", Value: time.Date(2024, 5, 2, 0, 0, 0, 0, time.UTC)}},
		bson.D{{Key: "_id", Value: 2}, {Key: "total", Value: 7}, {Key: "customer", Value: bson.D{{Key: "name", Value: "Grace"}}},
			{Key: "updatedAt", Value: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}},
	})
	if err != nil {
		log.Fatal(err)
	}

	src, err := mongosource.New(connectors.Config{"uri": mongoURL(), "database": db.Name(), "cursor_field": "updatedAt"})
	if err != nil {
		log.Fatal(err)
	}
	defer src.Close()

	cat, err := src.Discover(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, f := range cat.Objects[0].Schema.Fields {
		fmt.Println(f.Name, f.Type)
	}
	err = src.Read(ctx, connectors.ReadRequest{Object: "orders"}, func(r connectors.Record) error {
		customer := r.Fields["customer"].(map[string]any)
		fmt.Println(r.ID, customer["name"], r.Fields["updatedAt"].(time.Time).Format(time.DateOnly))
		return nil
	})
	if err != nil {
		log.Fatal(err)
	}
	// Output:
	// _id integer
	// total number
	// customer.name string
	// updatedAt datetime
	// 2 Grace 2024-05-01
	// 1 Ada 2024-05-02
}
