package mongosource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/autonomos/autonomos/connectors"
)

const maxCursorBytes = 64 << 10

// position is the decoded form of a Cursor.
type position struct {
	// Collection is the collection the cursor belongs to.
	Collection string `json:"c"`
	// ID is {"v": <last _id>} in canonical extended JSON.
	ID json.RawMessage `json:"id"`
	// Field is the cursor field the position was made with; empty for
	// _id-only reads.
	Field string `json:"f,omitempty"`
	// Value is {"v": <cursor field value>} in canonical extended JSON;
	// absent when the field was missing or null.
	Value json.RawMessage `json:"v,omitempty"`
}

// wrap renders one BSON value as {"v": value} canonical extended JSON.
func wrap(v bson.RawValue) (json.RawMessage, error) {
	b, err := bson.MarshalExtJSON(bson.D{{Key: "v", Value: v}}, true, false)
	if err != nil {
		return nil, err
	}
	return json.RawMessage(b), nil
}

// unwrap parses what wrap made back into a BSON value.
func unwrap(raw json.RawMessage) (bson.RawValue, error) {
	var d bson.Raw
	if err := bson.UnmarshalExtJSON(raw, true, &d); err != nil {
		return bson.RawValue{}, err
	}
	elems, err := d.Elements()
	if err != nil {
		return bson.RawValue{}, err
	}
	if len(elems) != 1 || elems[0].Key() != "v" {
		return bson.RawValue{}, fmt.Errorf("want one value under \"v\"")
	}
	return elems[0].Value(), nil
}

func (p position) encode() connectors.Cursor {
	b, _ := json.Marshal(p) // strings and valid raw JSON: cannot fail
	return connectors.Cursor(b)
}

// decoded is a position with its values parsed.
type decoded struct {
	position
	id       bson.RawValue
	value    bson.RawValue
	hasValue bool
}

// decodeCursor parses a cursor made by encode. The error wraps
// connectors.ErrInvalidCursor.
func decodeCursor(c connectors.Cursor) (decoded, error) {
	bad := func(why string) (decoded, error) {
		return decoded{}, fmt.Errorf("%w: %s: %s", connectors.ErrInvalidCursor, Name, why)
	}
	if len(c) > maxCursorBytes {
		return bad("cursor too long")
	}
	var d decoded
	dec := json.NewDecoder(bytes.NewReader([]byte(c)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d.position); err != nil {
		return bad("cursor is not a mongosource cursor: " + err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("cursor has trailing data")
	}
	if d.Collection == "" || len(d.ID) == 0 {
		return bad("cursor names no collection or _id")
	}
	var err error
	if d.id, err = unwrap(d.ID); err != nil {
		return bad("cursor _id: " + err.Error())
	}
	if len(d.Value) > 0 {
		if d.Field == "" {
			return bad("cursor has a value but no field")
		}
		if d.value, err = unwrap(d.Value); err != nil {
			return bad("cursor value: " + err.Error())
		}
		d.hasValue = true
	}
	return d, nil
}
