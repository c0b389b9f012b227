package mongosource_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/autonomos/autonomos/connectors"
	"github.com/autonomos/autonomos/connectors/mongosource"
	"github.com/autonomos/autonomos/internal/testenv"
)

const benchDocs = 5000

// BenchmarkRead reads a 5,000-document collection through the connector
// (conversion to Record.Fields, an extended-JSON cursor per record) and, as
// the reference in the same run, with the driver alone: the same sorted
// find decoding every document into bson.M. It reports both in docs/s and
// their ratio (ours / reference, higher is better).
func BenchmarkRead(b *testing.B) {
	db := databaseTB(b)
	ctx := testenv.Context(b)
	docs := make([]any, benchDocs)
	for i := range docs {
		docs[i] = bson.D{{Key: "_id", Value: bson.NewObjectID()}, {Key: "name", Value: "doc"}, {Key: "n", Value: i},
			{Key: "nested", Value: bson.D{{Key: "a", Value: 1.5}, {Key: "b", Value: "x"}}}, {Key: "at", Value: time.Now()}}
	}
	_, err := db.Collection("docs").InsertMany(ctx, docs)
	require.NoError(b, err)
	src, err := mongosource.New(connectors.Config{"uri": mongoURL(), "database": db.Name()})
	require.NoError(b, err)
	b.Cleanup(func() { _ = src.Close() })

	var ours, ref time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		n := 0
		require.NoError(b, src.Read(ctx, connectors.ReadRequest{Object: "docs"}, func(connectors.Record) error { n++; return nil }))
		require.Equal(b, benchDocs, n)
		ours += time.Since(start)

		start = time.Now()
		cur, err := db.Collection("docs").Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetBatchSize(1000))
		require.NoError(b, err)
		n = 0
		for cur.Next(ctx) {
			var m bson.M
			require.NoError(b, cur.Decode(&m))
			n++
		}
		require.NoError(b, cur.Err())
		require.NoError(b, cur.Close(ctx))
		require.Equal(b, benchDocs, n)
		ref += time.Since(start)
	}
	oursRate := float64(benchDocs*b.N) / ours.Seconds()
	refRate := float64(benchDocs*b.N) / ref.Seconds()
	b.ReportMetric(oursRate, "docs/s")
	b.ReportMetric(refRate, "ref-docs/s")
	b.ReportMetric(oursRate/refRate, "ratio")
}
