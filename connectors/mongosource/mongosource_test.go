package mongosource_test

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.uber.org/goleak"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/connectortest"
	"github.com/autonomos/autonomos/connectors/mongosource"
	"github.com/autonomos/autonomos/internal/testenv"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// DefaultMongoURL is the FerretDB test server tools/ferretdb/start.sh runs.
const DefaultMongoURL = "mongodb://127.0.0.1:27018/"

func mongoURL() string {
	if u := os.Getenv("TEST_MONGODB_URL"); u != "" {
		return u
	}
	return DefaultMongoURL
}

// database connects to the test server and returns a fresh database,
// dropped when the test ends.
func database(t *testing.T) *mongo.Database {
	t.Helper()
	return databaseTB(t)
}

func databaseTB(t testing.TB) *mongo.Database {
	t.Helper()
	client, err := mongo.Connect(options.Client().ApplyURI(mongoURL()).SetServerSelectionTimeout(5 * time.Second))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := client.Ping(ctx, nil); err != nil {
		_ = client.Disconnect(ctx)
		t.Fatalf("MongoDB test server at %s does not answer: %v\nstart it with `make services` (or tools/ferretdb/start.sh), or point TEST_MONGODB_URL at a running server", mongoURL(), err)
	}
	db := client.Database(testenv.Name("aostest"))
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Errorf("drop database %q: %v", db.Name(), err)
		}
		_ = client.Disconnect(ctx)
	})
	return db
}

var (
	created = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tieTime = time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
)

// seed fills customers (25 documents, ObjectID _ids), mixed_ids (12
// documents whose _ids are ints, strings and ObjectIDs) and an empty
// collection.
func seed(t *testing.T, db *mongo.Database) []bson.ObjectID {
	t.Helper()
	ctx := testenv.Context(t)
	var docs []any
	var ids []bson.ObjectID
	for i := 1; i <= 25; i++ {
		id := bson.NewObjectID()
		ids = append(ids, id)
		d := bson.D{
			{Key: "_id", Value: id},
			{Key: "name", Value: fmt.Sprintf("Customer %02d", i)},
			{Key: "age", Value: int32(20 + i)},
			{Key: "address", Value: bson.D{{Key: "city", Value: "City " + fmt.Sprint(i%3)}, {Key: "geo", Value: bson.D{{Key: "lat", Value: 1.5}}}}},
			{Key: "tags", Value: bson.A{"a", i}},
			{Key: "createdAt", Value: created.Add(time.Duration(i) * time.Hour)},
			{Key: "code", Value: fmt.Sprint(i)},
		}
		upd := created.Add(time.Duration(i%7) * 24 * time.Hour)
		if i%6 == 0 {
			upd = tieTime // several documents share a value
		}
		if i%5 == 0 {
			d = append(d, bson.E{Key: "extra", Value: bson.D{}}) // no updatedAt
		} else {
			d = append(d, bson.E{Key: "updatedAt", Value: upd})
		}
		if i%4 == 0 {
			d[2].Value = 20.5 + float64(i) // doubles among ints: number
			d[6].Value = int32(i)          // ints among strings: unknown
		}
		docs = append(docs, d)
	}
	_, err := db.Collection("customers").InsertMany(ctx, docs)
	require.NoError(t, err)

	var mixed []any
	for i := 1; i <= 4; i++ {
		mixed = append(mixed, bson.D{{Key: "_id", Value: int32(i * 10)}, {Key: "n", Value: i}})
		mixed = append(mixed, bson.D{{Key: "_id", Value: fmt.Sprintf("key-%d", i)}, {Key: "n", Value: i}})
		mixed = append(mixed, bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "n", Value: i}})
	}
	_, err = db.Collection("mixed_ids").InsertMany(ctx, mixed)
	require.NoError(t, err)
	require.NoError(t, db.CreateCollection(ctx, "empty"))
	return ids
}

// hostOf returns the host:port of a mongodb:// URL.
func hostOf(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return "127.0.0.1:27018"
	}
	return u.Host
}

func open(t *testing.T, cfg connectors.Config) *mongosource.Source {
	t.Helper()
	s, err := mongosource.New(cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func readAll(t *testing.T, s *mongosource.Source, req connectors.ReadRequest) []connectors.Record {
	t.Helper()
	recs, err := connectortest.ReadAll(testenv.Context(t), s, req)
	require.NoError(t, err)
	return recs
}

func TestConformance(t *testing.T) {
	db := database(t)
	seed(t, db)
	base := connectors.Config{"uri": mongoURL(), "database": db.Name(), "batch_size": "7"}
	bad := map[string]connectors.Config{
		"refused credentials":   {"uri": "mongodb://someone:S3cret-Pass@" + hostOf(mongoURL()) + "/?authMechanism=SCRAM-SHA-256", "database": db.Name(), "connect_timeout": "2s"},
		"unreachable server":    {"uri": "mongodb://someone:S3cret-Pass@127.0.0.1:1/", "database": db.Name(), "connect_timeout": "300ms"},
		"malformed uri":         {"uri": "http://someone:S3cret-Pass@example.com", "database": db.Name()},
		"unknown collection":    {"uri": mongoURL(), "database": db.Name(), "collections": "customers,no_such_collection"},
		"bad database name":     {"uri": mongoURL(), "database": "a/b"},
		"operator cursor field": {"uri": mongoURL(), "database": db.Name(), "cursor_field": "$where"},
		"zero batch size":       {"uri": mongoURL(), "database": db.Name(), "batch_size": "0"},
	}
	harness := func(cfg connectors.Config, object string) connectortest.Harness {
		return connectortest.Harness{
			New: func(_ context.Context, cfg connectors.Config) (connectors.Connector, error) {
				return mongosource.New(cfg)
			},
			Config: cfg, BadConfigs: bad, Object: object, ReadTimeout: 30 * time.Second,
		}
	}
	t.Run("by _id", func(t *testing.T) {
		h := harness(base, "customers")
		h.Mutator = customersMutator{db.Collection("customers")}
		connectortest.Run(t, h)
	})
	t.Run("incremental", func(t *testing.T) {
		cfg := connectors.Config{"cursor_field": "updatedAt"}
		for k, v := range base {
			cfg[k] = v
		}
		connectortest.Run(t, harness(cfg, "customers"))
	})
	t.Run("mixed _id types", func(t *testing.T) { connectortest.Run(t, harness(base, "mixed_ids")) })
}

func TestDiscover(t *testing.T) {
	t.Parallel()
	db := database(t)
	seed(t, db)
	s := open(t, connectors.Config{"uri": mongoURL(), "database": db.Name(), "cursor_field": "updatedAt"})
	cat, err := s.Discover(testenv.Context(t))
	require.NoError(t, err)
	var names []string
	for _, o := range cat.Objects {
		names = append(names, o.Schema.Object)
		require.Equal(t, mongosource.System, o.Schema.System)
		require.Equal(t, []string{"_id"}, o.PrimaryKey)
		require.NoError(t, o.Schema.Validate())
	}
	require.Equal(t, []string{"customers", "empty", "mixed_ids"}, names)

	c, _ := cat.Object("customers")
	require.Equal(t, "updatedAt", c.CursorField)
	want := map[string]canonical.FieldType{
		"_id": canonical.TypeString, "name": canonical.TypeString, "age": canonical.TypeNumber,
		"address.city": canonical.TypeString, "address.geo.lat": canonical.TypeNumber, "tags": canonical.TypeArray,
		"createdAt": canonical.TypeDatetime, "updatedAt": canonical.TypeDatetime, "code": canonical.TypeUnknown,
		"extra": canonical.TypeObject,
	}
	got := map[string]canonical.FieldType{}
	for _, f := range c.Schema.Fields {
		got[f.Name] = f.Type
		require.NotEmpty(t, f.Samples, "field %q", f.Name)
		require.LessOrEqual(t, len(f.Samples), canonical.MaxSamples)
	}
	require.Equal(t, want, got)
	require.Equal(t, "_id", c.Schema.Fields[0].Name)
	code, _ := c.Schema.Field("code")
	var kinds []string
	for _, v := range code.Samples {
		kinds = append(kinds, fmt.Sprintf("%T", v))
	}
	require.Contains(t, kinds, "string", "mixed types keep samples of each type")
	require.Contains(t, kinds, "int64")

	e, _ := cat.Object("empty")
	require.Equal(t, "_id", e.Schema.Fields[0].Name)
	require.Empty(t, e.CursorField)
}

func TestReadValues(t *testing.T) {
	t.Parallel()
	db := database(t)
	ids := seed(t, db)
	s := open(t, connectors.Config{"uri": mongoURL(), "database": db.Name(), "collections": "customers"})
	recs := readAll(t, s, connectors.ReadRequest{Object: "customers"})
	require.Len(t, recs, 25)
	for i, r := range recs {
		require.Equal(t, ids[i].Hex(), r.ID, "record %d in _id order", i)
	}
	f := recs[0].Fields
	require.Equal(t, ids[0].Hex(), f["_id"])
	require.Equal(t, "Customer 01", f["name"])
	require.Equal(t, int64(21), f["age"])
	require.Equal(t, map[string]any{"city": "City 1", "geo": map[string]any{"lat": 1.5}}, f["address"])
	require.Equal(t, []any{"a", int64(1)}, f["tags"])
	require.Equal(t, created.Add(time.Hour), f["createdAt"])
	require.Equal(t, 24.5, recs[3].Fields["age"])

	all := open(t, connectors.Config{"uri": mongoURL(), "database": db.Name()})
	mixed := readAll(t, all, connectors.ReadRequest{Object: "mixed_ids"})
	require.Len(t, mixed, 12)
	require.Equal(t, "10", mixed[0].ID, "numbers sort before strings")
	require.Equal(t, "key-1", mixed[4].ID, "strings before ObjectIDs")
	require.Len(t, mixed[8].ID, 24)
}

func TestIncremental(t *testing.T) {
	t.Parallel()
	db := database(t)
	ids := seed(t, db)
	ctx := testenv.Context(t)
	s := open(t, connectors.Config{"uri": mongoURL(), "database": db.Name(), "cursor_field": "updatedAt", "batch_size": "4"})
	first := readAll(t, s, connectors.ReadRequest{Object: "customers"})
	require.Len(t, first, 25)
	// Documents without updatedAt first (5, 10, 15, 20, 25), by _id.
	for i, n := range []int{5, 10, 15, 20, 25} {
		require.Equal(t, ids[n-1].Hex(), first[i].ID)
	}
	for i := 6; i < len(first); i++ {
		a, b := first[i-1].Fields["updatedAt"].(time.Time), first[i].Fields["updatedAt"].(time.Time)
		require.False(t, b.Before(a), "order at %d", i)
	}
	end := first[len(first)-1].Cursor
	require.Empty(t, readAll(t, s, connectors.ReadRequest{Object: "customers", Cursor: end}))

	// Resuming inside the group sharing tieTime gives the rest of it.
	var tie []int
	for i, r := range first {
		if v, ok := r.Fields["updatedAt"].(time.Time); ok && v.Equal(tieTime) {
			tie = append(tie, i)
		}
	}
	require.Len(t, tie, 4)
	got := readAll(t, s, connectors.ReadRequest{Object: "customers", Cursor: first[tie[1]].Cursor})
	require.Equal(t, first[tie[2]].ID, got[0].ID)
	require.Len(t, got, len(first)-tie[1]-1)

	// An update moving updatedAt forward is read again, and so is a
	// document that gets its first updatedAt.
	coll := db.Collection("customers")
	_, err := coll.UpdateByID(ctx, ids[2], bson.D{{Key: "$set", Value: bson.D{{Key: "updatedAt", Value: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}, {Key: "name", Value: "moved"}}}})
	require.NoError(t, err)
	got = readAll(t, s, connectors.ReadRequest{Object: "customers", Cursor: end})
	require.Len(t, got, 1)
	require.Equal(t, ids[2].Hex(), got[0].ID)
	require.Equal(t, "moved", got[0].Fields["name"])

	_, err = coll.UpdateByID(ctx, ids[9], bson.D{{Key: "$set", Value: bson.D{{Key: "updatedAt", Value: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}}}})
	require.NoError(t, err)
	got = readAll(t, s, connectors.ReadRequest{Object: "customers", Cursor: got[0].Cursor})
	require.Len(t, got, 1)
	require.Equal(t, ids[9].Hex(), got[0].ID)
	rest := readAll(t, s, connectors.ReadRequest{Object: "customers", Cursor: first[0].Cursor})
	require.Equal(t, ids[14].Hex(), rest[0].ID, "resuming among the documents without updatedAt")
}

func TestReadRefusals(t *testing.T) {
	t.Parallel()
	db := database(t)
	seed(t, db)
	ctx := testenv.Context(t)
	s := open(t, connectors.Config{"uri": mongoURL(), "database": db.Name()})
	emit := func(connectors.Record) error { return nil }
	recs := readAll(t, s, connectors.ReadRequest{Object: "customers"})

	err := s.Read(ctx, connectors.ReadRequest{Object: "mixed_ids", Cursor: recs[0].Cursor}, emit)
	require.ErrorIs(t, err, connectors.ErrInvalidCursor, "a cursor of another collection")
	inc := open(t, connectors.Config{"uri": mongoURL(), "database": db.Name(), "cursor_field": "updatedAt"})
	err = inc.Read(ctx, connectors.ReadRequest{Object: "customers", Cursor: recs[0].Cursor}, emit)
	require.ErrorIs(t, err, connectors.ErrInvalidCursor, "an _id cursor on an incremental read")
	for _, c := range []string{`{"c":"customers","id":{"v":{"$oid":"zz"}}}`, `{"c":"customers","id":{"x":1}}`, `{"c":"customers"}`} {
		err = s.Read(ctx, connectors.ReadRequest{Object: "customers", Cursor: connectors.Cursor(c)}, emit)
		require.ErrorIs(t, err, connectors.ErrInvalidCursor, c)
	}
	err = s.Read(ctx, connectors.ReadRequest{Object: "no_such"}, emit)
	require.ErrorIs(t, err, connectors.ErrNotFound)

	require.Empty(t, readAll(t, s, connectors.ReadRequest{Object: "empty"}))
}

func TestBadConfig(t *testing.T) {
	t.Parallel()
	ctx := testenv.Context(t)
	const secret = "S3cret-Pass-42"
	s := open(t, connectors.Config{"uri": "mongodb://someone:" + secret + "@127.0.0.1:1/", "database": "x", "connect_timeout": "200ms"})
	err := s.Check(ctx)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)
	_, err = s.Discover(ctx)
	require.Error(t, err)
	require.NotContains(t, err.Error(), secret)

	// The server refuses these credentials (the test server accepts no
	// SCRAM login at all).
	s = open(t, connectors.Config{"uri": "mongodb://someone:" + secret + "@" + hostOf(mongoURL()) + "/?authMechanism=SCRAM-SHA-256", "database": "x", "connect_timeout": "2s"})
	err = s.Check(ctx)
	require.ErrorIs(t, err, connectors.ErrUnauthorized)
	require.NotContains(t, err.Error(), secret)

	_, err = mongosource.New(connectors.Config{"uri": "mongodb://someone:" + secret + "@host:notaport/", "database": "x"})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
	require.NotContains(t, err.Error(), secret)
}

func TestRegister(t *testing.T) {
	t.Parallel()
	reg := connectors.NewRegistry()
	require.NoError(t, mongosource.Register(reg))
	spec, ok := reg.Spec(mongosource.Name)
	require.True(t, ok)
	p, _ := spec.Param("uri")
	require.True(t, p.Secret)
	_, err := reg.New(mongosource.Name, connectors.Config{"uri": mongoURL()})
	require.ErrorIs(t, err, connectors.ErrInvalidConfig)
}
