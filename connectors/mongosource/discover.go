package mongosource

import (
	"context"
	"fmt"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/autonomos/autonomos/canonical"
	"github.com/autonomos/autonomos/connectors"
)

// Discover lists the collections (the configured ones, or all but system
// collections) with schemas inferred from up to sample_size documents each;
// see the package documentation for how types are inferred. A configured
// collection that does not exist wraps connectors.ErrInvalidConfig.
func (s *Source) Discover(ctx context.Context) (*connectors.Catalog, error) {
	names, err := s.listCollections(ctx)
	if err != nil {
		return nil, err
	}
	if s.collections != nil {
		have := make(map[string]bool, len(names))
		for _, n := range names {
			have[n] = true
		}
		for _, want := range s.collections {
			if !have[want] {
				return nil, fmt.Errorf("%w: %s: database %q has no collection %q", connectors.ErrInvalidConfig, Name, s.database, want)
			}
		}
		names = append([]string(nil), s.collections...)
		sortStrings(names)
	}
	cat := &connectors.Catalog{Objects: make([]connectors.Object, 0, len(names))}
	for _, name := range names {
		docs, err := s.sample(ctx, name)
		if err != nil {
			return nil, err
		}
		schema := inferSchema(name, docs)
		if len(schema.Fields) == 0 {
			// An empty collection: _id is all that is known.
			schema.Fields = []canonical.SourceField{{Name: "_id", Type: canonical.TypeUnknown}}
		}
		// Full reads every sync, identified by _id: MongoDB has no
		// commit-ordered change column, and reads from a cursor would miss
		// deletes and late commits.
		obj := connectors.Object{Schema: schema, PrimaryKey: []string{"_id"}, ChangeModel: connectors.ChangeSnapshot}
		if s.cursorField != "" {
			if _, ok := schema.Field(s.cursorField); ok {
				obj.CursorField = s.cursorField
			}
		}
		cat.Objects = append(cat.Objects, obj)
	}
	return cat, nil
}

// sample returns up to sampleSize documents: a $sample when the server has
// it, else the first documents in _id order.
func (s *Source) sample(ctx context.Context, coll string) ([]bson.Raw, error) {
	c := s.db.Collection(coll)
	cur, err := c.Aggregate(ctx, mongo.Pipeline{{{Key: "$sample", Value: bson.D{{Key: "size", Value: s.sampleSize}}}}})
	if err != nil {
		if ctx.Err() != nil {
			return nil, s.interpret(ctx, fmt.Sprintf("sample collection %q", coll), err)
		}
		cur, err = c.Find(ctx, bson.D{}, options.Find().SetSort(bson.D{{Key: "_id", Value: 1}}).SetLimit(int64(s.sampleSize)))
		if err != nil {
			return nil, s.interpret(ctx, fmt.Sprintf("sample collection %q", coll), err)
		}
	}
	defer cur.Close(ctx)
	var docs []bson.Raw
	for cur.Next(ctx) {
		docs = append(docs, append(bson.Raw(nil), cur.Current...))
	}
	if err := cur.Err(); err != nil {
		return nil, s.interpret(ctx, fmt.Sprintf("sample collection %q", coll), err)
	}
	return docs, nil
}

// pathInfo gathers what the sampled documents show of one field path.
type pathInfo struct {
	types       map[canonical.FieldType]int
	samples     []any
	sampleTypes map[canonical.FieldType]bool
}

// inferSchema flattens the documents to dotted paths and merges the types
// seen per path.
func inferSchema(coll string, docs []bson.Raw) canonical.SourceSchema {
	var order []string
	paths := map[string]*pathInfo{}
	var walk func(prefix string, doc bson.Raw)
	walk = func(prefix string, doc bson.Raw) {
		elems, err := doc.Elements()
		if err != nil {
			return // a malformed document is no evidence
		}
		for _, e := range elems {
			key, err := e.KeyErr()
			if err != nil {
				return
			}
			path := prefix + key
			v := e.Value()
			if v.Type == bson.TypeEmbeddedDocument {
				if sub, ok := v.DocumentOK(); ok {
					if subElems, err := sub.Elements(); err == nil && len(subElems) > 0 {
						walk(path+".", sub)
						continue
					}
				}
			}
			info := paths[path]
			if info == nil {
				if len(paths) >= canonical.MaxSchemaFields {
					continue
				}
				info = &pathInfo{types: map[canonical.FieldType]int{}, sampleTypes: map[canonical.FieldType]bool{}}
				paths[path] = info
				order = append(order, path)
			}
			t, ok := fieldType(v.Type)
			if !ok {
				continue
			}
			info.types[t]++
			// Keep a sample of every type seen, so mixed types show.
			full := len(info.samples) >= canonical.MaxSamples
			if full && info.sampleTypes[t] {
				continue
			}
			gv, err := rawToGo(v)
			if err != nil {
				continue
			}
			if full {
				info.samples[len(info.samples)-1] = sampleValue(gv)
			} else {
				info.samples = append(info.samples, sampleValue(gv))
			}
			info.sampleTypes[t] = true
		}
	}
	for _, d := range docs {
		walk("", d)
	}
	schema := canonical.SourceSchema{System: System, Object: coll}
	for _, p := range order {
		info := paths[p]
		schema.Fields = append(schema.Fields, canonical.SourceField{Name: p, Type: mergeTypes(info.types), Samples: info.samples})
	}
	return schema
}
