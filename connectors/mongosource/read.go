package mongosource

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/autonomos/autonomos/connectors"
)

// Read emits the documents of collection req.Object after req.Cursor, in
// _id order, or (cursor field, _id) order when cursor_field is set. A
// document that cannot be decoded is emitted with Err set. An unknown
// collection wraps connectors.ErrNotFound and a foreign cursor
// connectors.ErrInvalidCursor. Read returns ctx.Err() when ctx is cancelled
// and the error of emit when emit fails.
func (s *Source) Read(ctx context.Context, req connectors.ReadRequest, emit func(connectors.Record) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !s.wanted(req.Object) {
		return fmt.Errorf("%w: %s: collection %q is not among the configured collections", connectors.ErrNotFound, Name, req.Object)
	}
	var pos *decoded
	if req.Cursor != "" {
		d, err := decodeCursor(req.Cursor)
		if err != nil {
			return err
		}
		if d.Collection != req.Object {
			return fmt.Errorf("%w: %s: cursor is for collection %q, not %q", connectors.ErrInvalidCursor, Name, d.Collection, req.Object)
		}
		if d.Field != s.cursorField {
			return fmt.Errorf("%w: %s: cursor follows field %q, the read follows %q (start over with an empty cursor)", connectors.ErrInvalidCursor, Name, d.Field, s.cursorField)
		}
		pos = &d
	}
	names, err := s.listCollections(ctx)
	if err != nil {
		return err
	}
	found := false
	for _, n := range names {
		found = found || n == req.Object
	}
	if !found {
		return fmt.Errorf("%w: %s: database %q has no collection %q", connectors.ErrNotFound, Name, s.database, req.Object)
	}

	sort := bson.D{{Key: "_id", Value: 1}}
	if s.cursorField != "" {
		sort = bson.D{{Key: s.cursorField, Value: 1}, {Key: "_id", Value: 1}}
	}
	opts := options.Find().SetSort(sort).SetBatchSize(int32(s.batchSize))
	cur, err := s.db.Collection(req.Object).Find(ctx, s.filter(pos), opts)
	if err != nil {
		return s.interpret(ctx, fmt.Sprintf("read collection %q", req.Object), err)
	}
	defer cur.Close(ctx)
	last := req.Cursor
	n := 0
	for cur.Next(ctx) {
		n++
		rec := s.record(req.Object, cur.Current, last, n)
		last = rec.Cursor
		if err := emit(rec); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	if err := cur.Err(); err != nil {
		return s.interpret(ctx, fmt.Sprintf("read collection %q", req.Object), err)
	}
	return ctx.Err()
}

// typeOrder lists the BSON type aliases in MongoDB's sort order, grouped
// by comparison class (numbers compare with each other, and so on). Only
// aliases every supported server implements are listed.
var typeOrder = [][]string{
	{"null"},
	{"int", "long", "double"},
	{"string"},
	{"object"},
	{"array"},
	{"binData"},
	{"objectId"},
	{"bool"},
	{"date"},
	{"timestamp"},
	{"regex"},
}

func typeClass(t bson.Type) int {
	switch t {
	case bson.TypeNull, bson.TypeUndefined:
		return 0
	case bson.TypeInt32, bson.TypeInt64, bson.TypeDouble, bson.TypeDecimal128:
		return 1
	case bson.TypeString, bson.TypeSymbol:
		return 2
	case bson.TypeEmbeddedDocument:
		return 3
	case bson.TypeArray:
		return 4
	case bson.TypeBinary:
		return 5
	case bson.TypeObjectID:
		return 6
	case bson.TypeBoolean:
		return 7
	case bson.TypeDateTime:
		return 8
	case bson.TypeTimestamp:
		return 9
	case bson.TypeRegex:
		return 10
	}
	return len(typeOrder)
}

// after returns the condition "field sorts after v": greater within v's
// comparison class ($gt only matches values of the same class), or of a
// class that sorts later.
func after(field string, v bson.RawValue) bson.D {
	gt := bson.D{{Key: field, Value: bson.D{{Key: "$gt", Value: v}}}}
	var later bson.A
	for _, aliases := range typeOrder[min(typeClass(v.Type)+1, len(typeOrder)):] {
		for _, a := range aliases {
			later = append(later, a)
		}
	}
	if len(later) == 0 {
		return gt
	}
	return bson.D{{Key: "$or", Value: bson.A{gt, bson.D{{Key: field, Value: bson.D{{Key: "$type", Value: later}}}}}}}
}

// filter is the keyset condition after pos.
func (s *Source) filter(pos *decoded) bson.D {
	if pos == nil {
		return bson.D{}
	}
	if s.cursorField == "" {
		return after("_id", pos.id)
	}
	f := s.cursorField
	if !pos.hasValue {
		// Missing and null values sort first: the rest of them by _id,
		// then every document that has a value.
		return bson.D{{Key: "$or", Value: bson.A{
			bson.D{{Key: f, Value: nil}, {Key: "$and", Value: bson.A{after("_id", pos.id)}}},
			bson.D{{Key: f, Value: bson.D{{Key: "$ne", Value: nil}}}},
		}}}
	}
	return bson.D{{Key: "$or", Value: bson.A{
		after(f, pos.value),
		bson.D{{Key: f, Value: pos.value}, {Key: "$and", Value: bson.A{after("_id", pos.id)}}},
	}}}
}

// record converts one document. A document that cannot be decoded keeps
// the previous cursor when its _id cannot be read either.
func (s *Source) record(coll string, doc bson.Raw, prev connectors.Cursor, n int) connectors.Record {
	fail := func(id, why string, cursor connectors.Cursor) connectors.Record {
		loc := coll + ":" + id
		if id == "" {
			loc = coll + ":document " + strconv.Itoa(n)
		}
		raw := doc.String()
		if len(raw) > 64<<10 {
			raw = raw[:64<<10]
		}
		return connectors.Record{ID: id, Cursor: cursor, Err: &connectors.RecordError{Location: loc, Reason: why, Raw: raw}}
	}
	idv, err := doc.LookupErr("_id")
	if err != nil {
		return fail("", "document has no readable _id: "+err.Error(), prev)
	}
	p := position{Collection: coll, Field: s.cursorField}
	if p.ID, err = wrap(idv); err != nil {
		return fail("", "_id: "+err.Error(), prev)
	}
	if s.cursorField != "" {
		if v, err := doc.LookupErr(strings.Split(s.cursorField, ".")...); err == nil && v.Type != bson.TypeNull && v.Type != bson.TypeUndefined {
			if p.Value, err = wrap(v); err != nil {
				return fail("", s.cursorField+": "+err.Error(), prev)
			}
		}
	}
	id := recordID(idv, p.ID)
	fields, err := docToMap(doc)
	if err != nil {
		return fail(id, err.Error(), p.encode())
	}
	return connectors.Record{ID: id, Fields: fields, Cursor: p.encode()}
}

// recordID renders an _id: ObjectIDs as hex, strings as is, numbers in
// decimal, anything else as its canonical extended JSON.
func recordID(v bson.RawValue, ext []byte) string {
	switch v.Type {
	case bson.TypeObjectID:
		return v.ObjectID().Hex()
	case bson.TypeString:
		return v.StringValue()
	case bson.TypeInt32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case bson.TypeInt64:
		return strconv.FormatInt(v.Int64(), 10)
	}
	s := string(ext)
	s = strings.TrimPrefix(s, `{"v":`)
	return strings.TrimSuffix(s, "}")
}
