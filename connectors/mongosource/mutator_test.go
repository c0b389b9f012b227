package mongosource_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
)

// customersMutator changes the customers collection of seed for the
// conformance suite's Changes check.
type customersMutator struct{ coll *mongo.Collection }

// key turns a record ID back into the _id: ObjectIDs are their hex.
func key(id string) any {
	if oid, err := bson.ObjectIDFromHex(id); err == nil {
		return oid
	}
	return id
}

func (m customersMutator) Insert(ctx context.Context) (string, error) {
	id := fmt.Sprintf("k-%08x", rand.Uint32())
	_, err := m.coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "name", Value: "Inserted"}, {Key: "age", Value: int32(1)}})
	return id, err
}

// Update flips the case of the name: no length changes.
func (m customersMutator) Update(ctx context.Context, id string) error {
	var doc bson.M
	if err := m.coll.FindOne(ctx, bson.D{{Key: "_id", Value: key(id)}}).Decode(&doc); err != nil {
		return err
	}
	name, _ := doc["name"].(string)
	flipped := strings.ToUpper(name)
	if flipped == name {
		flipped = strings.ToLower(name)
	}
	_, err := m.coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: key(id)}}, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: flipped}}}})
	return err
}

func (m customersMutator) Delete(ctx context.Context, id string) error {
	_, err := m.coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: key(id)}})
	return err
}
