package mongosource_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/internal/testenv"
)

// TestSnapshotModel: collections are snapshot objects identified by _id,
// and full reads between inserts (random keys), updates that keep every
// length and deletes end equal to the collection, each document once.
// Before: no change model was stated (failed on the old code).
func TestSnapshotModel(t *testing.T) {
	t.Parallel()
	db := database(t)
	ctx := testenv.Context(t)
	coll := db.Collection("people")
	rng := rand.New(rand.NewPCG(9, 10))
	var ids []any
	for i := range 30 {
		var id any = bson.NewObjectID()
		if i%3 == 0 {
			id = fmt.Sprintf("k-%08x", rng.Uint32()) // random string keys sort anywhere
		}
		_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "name", Value: fmt.Sprintf("name-%04d", i)}})
		require.NoError(t, err)
		ids = append(ids, id)
	}
	s := open(t, connectors.Config{"uri": mongoURL(), "database": db.Name(), "batch_size": "7"})
	cat, err := s.Discover(ctx)
	require.NoError(t, err)
	o, ok := cat.Object("people")
	require.True(t, ok)
	require.Equal(t, connectors.ChangeSnapshot, o.ChangeModel)
	require.Equal(t, []string{"_id"}, o.PrimaryKey)
	require.Equal(t, []connectors.ChangeModel{connectors.ChangeSnapshot}, s.Spec().ChangeModels)

	check := func(what string) {
		t.Helper()
		recs := readAll(t, s, connectors.ReadRequest{Object: "people"})
		got := map[string]any{}
		for _, r := range recs {
			require.Nil(t, r.Err)
			_, dup := got[r.ID]
			require.False(t, dup, "%s: %s read twice", what, r.ID)
			got[r.ID] = r.Fields["name"]
		}
		cur, err := coll.Find(ctx, bson.D{})
		require.NoError(t, err)
		var docs []bson.M
		require.NoError(t, cur.All(ctx, &docs))
		want := map[string]any{}
		for _, d := range docs {
			id := fmt.Sprint(d["_id"])
			if oid, ok := d["_id"].(bson.ObjectID); ok {
				id = oid.Hex()
			}
			want[id] = d["name"]
		}
		require.Equal(t, want, got, what)
	}
	check("first pass")
	for round := range 3 {
		for range 4 {
			id := fmt.Sprintf("k-%08x", rng.Uint32())
			_, err := coll.InsertOne(ctx, bson.D{{Key: "_id", Value: id}, {Key: "name", Value: "name-new0"}})
			require.NoError(t, err)
			ids = append(ids, id)
		}
		_, err := coll.UpdateOne(ctx, bson.D{{Key: "_id", Value: ids[rng.IntN(len(ids))]}}, bson.D{{Key: "$set", Value: bson.D{{Key: "name", Value: fmt.Sprintf("name-%04d", rng.IntN(10000))}}}})
		require.NoError(t, err)
		_, err = coll.DeleteOne(ctx, bson.D{{Key: "_id", Value: ids[rng.IntN(len(ids))]}})
		require.NoError(t, err)
		check(fmt.Sprintf("round %d", round))
	}
}
