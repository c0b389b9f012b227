// Package mongosource is the connector for MongoDB (and MongoDB
// wire-compatible servers such as FerretDB) through the official Go driver:
// it discovers the collections of one database, infers each collection's
// schema from sampled documents, and reads documents in _id order.
//
// # Configuration
//
// "uri" (secret: it may hold a password) and "database" are required.
// "collections" (a comma list) restricts the collections, "cursor_field"
// names a field (dotted paths allowed) incremental reads follow in every
// collection, "sample_size" bounds the documents Discover looks at per
// collection, "batch_size" the documents fetched per round trip.
//
// # Schema inference
//
// Discover samples up to sample_size documents per collection ($sample,
// or the first documents in _id order where the server lacks $sample).
// Nested documents are flattened to dotted paths ("address.city"); an empty
// nested document is reported as one field of type object; arrays are
// reported as type array and not flattened. The BSON types seen for a path
// are merged: integers and doubles give number; any other mix gives
// unknown, with samples of each type, so a reviewer sees the variety. Null
// values say nothing about the type. Fields come in order of first
// appearance, _id first.
//
// # Change model
//
// Every collection is a snapshot object (Object.ChangeModel): the platform
// reads it in full, from the empty cursor, every sync. Record identity is
// the _id (Object.PrimaryKey is always ["_id"]): the platform keeps the
// documents whose content changed and turns _ids missing from a completed
// pass into deletes. A cursor only resumes an interrupted pass; with
// "cursor_field" the pass runs in that field's order instead of _id order.
//
// # Reads
//
// Read uses find sorted by _id with the filter {_id: {$gt: last}}, extended
// with the BSON types that sort after the last _id's type, so a collection
// with _id values of several types is read whole. With a cursor field the
// order is (cursor field, _id), documents missing the field or holding null
// first; a document whose cursor field moves forward is read again after the
// cursor. Cursor-field values are compared within their BSON type, so a
// collection should hold one type in it (dates, or numbers).
//
// The cursor is a JSON document holding the collection name and the last
// document's _id (and cursor-field value) as canonical extended JSON, so the
// BSON types survive.
//
// # Values
//
// Record.ID is the _id: an ObjectID as its hex string, a string as is,
// other types as canonical extended JSON. Record.Fields keeps the document's
// shape: nested documents as map[string]any, arrays as []any, ObjectIDs as
// hex strings, dates and timestamps as time.Time (UTC), int32 and int64 as
// int64, doubles as float64, decimals as strings, UUID binaries as UUID
// strings and other binaries as []byte.
//
// # Errors
//
// Refused credentials wrap connectors.ErrUnauthorized; a missing collection
// wraps connectors.ErrInvalidConfig in Check and connectors.ErrNotFound in
// Read; a cursor not made for the collection wraps
// connectors.ErrInvalidCursor. Errors never contain the URI's password.
//
// # Concurrency
//
// A Source is safe for concurrent use; it shares one driver client, which
// pools connections.
package mongosource
